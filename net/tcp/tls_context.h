// The TLS settings of the mesh in one place (docs/net.md explains each choice).
// Internal to net/tcp: includes Asio and OpenSSL.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "net/tcp/openssl_util.h"

namespace jointly::net {

// TLS 1.3 only; AES-128-GCM first because it is the fastest suite with AES-NI and 128-bit
// security matches the rest of the protocol stack. No session tickets: every connection
// does a full handshake with both certificates, so nothing about a past session can be replayed.
inline constexpr const char* kTls13CipherSuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Builds the one context a party uses both to dial (client) and to accept (server): it
// presents `own_cert` + `key` and trusts exactly the `pinned` consortium certificates
// (self-signed, chain depth 0, peer certificate mandatory). Throws std::runtime_error.
boost::asio::ssl::context make_tls_context(X509* own_cert, EVP_PKEY* key,
                                           const std::vector<ossl::X509Ptr>& pinned);

// Why the last handshake on `ssl` failed verification ("certificate has expired"), or "" if
// verification did not fail.
std::string verify_failure(const SSL* ssl);

}  // namespace jointly::net
