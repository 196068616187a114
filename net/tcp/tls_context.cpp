#include "net/tcp/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace jointly::net {
namespace {

// Only the peer's own certificate, which must itself be in the trust store: pinned
// self-signed certificates, no intermediate CAs that could vouch for someone else.
constexpr int kVerifyDepthLeafOnly = 0;

}  // namespace

boost::asio::ssl::context make_tls_context(X509* own_cert, EVP_PKEY* key,
                                           const std::vector<ossl::X509Ptr>& pinned) {
  boost::asio::ssl::context context(boost::asio::ssl::context::tls);
  SSL_CTX* ctx = context.native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13CipherSuites) != 1) {
    ossl::throw_error("cannot restrict TLS to version 1.3");
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (SSL_CTX_set_num_tickets(ctx, 0) != 1) ossl::throw_error("cannot disable TLS 1.3 tickets");
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

  if (SSL_CTX_use_certificate(ctx, own_cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    ossl::throw_error("cannot load our certificate and key into TLS");
  }

  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const ossl::X509Ptr& cert : pinned) {
    // Adding the same certificate twice is harmless; OpenSSL keeps its own reference.
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      ossl::throw_error("cannot add a pinned certificate to the trust store");
    }
  }
  // The default verification, not a custom callback: chain, signature, validity period and
  // key usage are checked by OpenSSL; the mesh then compares the leaf byte for byte with the
  // certificate pinned for the party (see mesh.cpp).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify_depth(ctx, kVerifyDepthLeafOnly);
  return context;
}

std::string verify_failure(const SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return X509_verify_cert_error_string(result);
}

}  // namespace jointly::net
