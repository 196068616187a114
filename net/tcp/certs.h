// Party identities: an Ed25519 key and a self-signed X.509 certificate whose CN is the party's
// name. The consortium config pins every party's certificate, so no CA is involved: a peer is
// who it claims to be iff it proves possession of the key of the pinned certificate.
#pragma once

#include <filesystem>
#include <string>

#include "net/tcp/secret.h"

namespace jointly::net {

// Long enough for a multi-year study, short enough that a leaked key expires; the same
// ceiling browsers apply to server certificates.
inline constexpr int kDefaultValidityDays = 825;

struct KeyPair {
  SecretString key_pem;  // PKCS#8 PEM, unencrypted: protect the file (mode 0600)
  std::string cert_pem;  // X.509 PEM, public: share it with every other party
};

// Fresh Ed25519 key and self-signed certificate with CN=name, valid from now for
// `valid_days`. A negative value yields a certificate that expired that many days ago (tests
// use it to check that expired certificates are refused). Throws std::runtime_error.
KeyPair generate_identity(const std::string& name, int valid_days = kDefaultValidityDays);

// Writes <dir>/<name>.key (mode 0600, created exclusively: an existing key is never
// overwritten unless `overwrite`) and <dir>/<name>.crt (mode 0644). Creates `dir` if needed.
// Throws std::runtime_error naming the file on failure.
void write_identity(const std::filesystem::path& dir, const std::string& name,
                    const KeyPair& identity, bool overwrite = false);

// Reads a private key file into wiped memory. Refuses, like ssh, a key that other users may
// read (group or world permission bits set), naming the file and the fix.
SecretString read_key_file(const std::filesystem::path& path);

// Throws std::runtime_error unless `key_pem` is the private key of `cert_pem`. `whose` names
// the identity in the message.
void check_key_matches(const SecretString& key_pem, const std::string& cert_pem,
                       const std::string& whose);

}  // namespace jointly::net
