// RAII owners for OpenSSL handles and the few conversions the TLS mesh and key generation
// share. Internal to net/tcp: it pulls in OpenSSL headers, so public headers must not include it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace jointly::net::ossl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* handle) const {
    Free(handle);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Asn1IntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// Throws std::runtime_error("<what>: <OpenSSL's reason>") and clears OpenSSL's error queue,
// so a later, unrelated failure does not report this one.
[[noreturn]] void throw_error(const std::string& what);

// Parses one PEM certificate; `whose` names it in the error ("hospital-b's certificate").
X509Ptr parse_certificate(std::string_view pem, const std::string& whose);
// Parses a PEM private key. OpenSSL keeps its own (wiped on free) copy; `pem` is not copied.
PkeyPtr parse_private_key(std::string_view pem, const std::string& whose);

std::vector<unsigned char> to_der(X509* cert);
// The certificate's notAfter as "2027-03-01 12:00:00 UTC" for error messages.
std::string not_after(const X509* cert);
// Subject common name, or "" when the certificate has none.
std::string common_name(X509* cert);

}  // namespace jointly::net::ossl
