#include "net/tcp/openssl_util.h"

#include <array>
#include <ctime>
#include <stdexcept>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace jointly::net::ossl {
namespace {

constexpr std::size_t kErrorTextBytes = 256;
constexpr std::size_t kTimeTextBytes = 64;
constexpr std::size_t kNameTextBytes = 256;

BioPtr memory_bio(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw_error("cannot allocate a memory BIO");
  return bio;
}

}  // namespace

void throw_error(const std::string& what) {
  std::string reason;
  // Report the earliest error: it is the cause, the later ones are consequences.
  if (const unsigned long code = ERR_peek_error(); code != 0) {
    std::array<char, kErrorTextBytes> text{};
    ERR_error_string_n(code, text.data(), text.size());
    reason = text.data();
  }
  ERR_clear_error();
  throw std::runtime_error(reason.empty() ? what : what + ": " + reason);
}

X509Ptr parse_certificate(std::string_view pem, const std::string& whose) {
  if (pem.empty()) throw std::runtime_error(whose + " is missing");
  BioPtr bio = memory_bio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_error(whose + " is not a PEM certificate");
  return cert;
}

PkeyPtr parse_private_key(std::string_view pem, const std::string& whose) {
  if (pem.empty()) throw std::runtime_error(whose + " is missing");
  BioPtr bio = memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_error(whose + " is not an unencrypted PEM private key");
  return key;
}

std::vector<unsigned char> to_der(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) throw_error("cannot encode a certificate as DER");
  std::vector<unsigned char> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_X509(cert, &out);
  return der;
}

std::string not_after(const X509* cert) {
  std::tm when{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &when) != 1) return "an unreadable date";
  std::array<char, kTimeTextBytes> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &when);
  return text.data();
}

std::string common_name(X509* cert) {
  std::array<char, kNameTextBytes> text{};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
                                               text.data(), static_cast<int>(text.size()));
  return length > 0 ? std::string(text.data(), static_cast<std::size_t>(length)) : std::string();
}

}  // namespace jointly::net::ossl
