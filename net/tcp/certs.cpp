#include "net/tcp/certs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "io/bounded_read.h"
#include "net/tcp/openssl_util.h"

namespace jointly::net {
namespace {

constexpr long kSecondsPerDay = 24L * 60 * 60;
// Serial numbers: 64 random bits (RFC 5280 allows up to 20 octets; 8 is the CA/B minimum).
constexpr int kSerialBits = 64;
constexpr long kX509Version3 = 2;  // X.509 counts versions from 0
constexpr mode_t kKeyFileMode = 0600;
constexpr mode_t kCertFileMode = 0644;
constexpr mode_t kOthersMayAccess = S_IRWXG | S_IRWXO;
// An Ed25519 key in PEM is 119 bytes, an RSA-4096 one about 3.3 KB.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    ossl::throw_error(std::string("cannot add certificate extension ") + value);
  }
}

void set_random_serial(X509* cert) {
  ossl::BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    ossl::throw_error("cannot draw a certificate serial number");
  }
  ossl::Asn1IntPtr asn1(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  if (!asn1 || X509_set_serialNumber(cert, asn1.get()) != 1) {
    ossl::throw_error("cannot set the certificate serial number");
  }
}

void set_validity(X509* cert, int valid_days) {
  const long end = valid_days * kSecondsPerDay;
  // An expired test certificate still needs notBefore < notAfter to be well formed.
  const long start = valid_days >= 0 ? 0 : end - kSecondsPerDay;
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), start) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert), end)) {
    ossl::throw_error("cannot set the certificate validity");
  }
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

void write_file(const std::filesystem::path& path, std::string_view text, mode_t mode,
                bool overwrite) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) {
    throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  // open() applies the umask to a new file; fchmod makes the mode exact either way.
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int saved_errno = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(saved_errno));
  }
}

}  // namespace

KeyPair generate_identity(const std::string& name, int valid_days) {
  if (name.empty()) throw std::invalid_argument("a party identity needs a name");
  // Ed25519: small keys and certificates, fast constant-time signatures, no parameter choices.
  ossl::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) ossl::throw_error("cannot generate an Ed25519 key");

  ossl::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), kX509Version3) != 1) {
    ossl::throw_error("cannot create a certificate");
  }
  set_random_serial(cert.get());
  set_validity(cert.get(), valid_days);

  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    ossl::throw_error("cannot fill in the certificate for " + name);
  }
  // An end-entity certificate usable as TLS client and server; never as a CA.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  // Ed25519 signs the message itself: no separate digest (hence nullptr).
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0) {
    ossl::throw_error("cannot self-sign the certificate for " + name);
  }

  ossl::BioPtr key_bio(BIO_new(BIO_s_mem()));
  ossl::BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    ossl::throw_error("cannot encode the identity of " + name + " as PEM");
  }
  // Memory BIOs wipe their buffer when freed (OPENSSL_clear_free), so the only copy of the key
  // text left is the SecretString.
  return KeyPair{SecretString(bio_text(key_bio.get())), bio_text(cert_bio.get())};
}

void write_identity(const std::filesystem::path& dir, const std::string& name,
                    const KeyPair& identity, bool overwrite) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create directory " + dir.string() + ": " + ec.message());
  write_file(dir / (name + ".key"), identity.key_pem.view(), kKeyFileMode, overwrite);
  write_file(dir / (name + ".crt"), identity.cert_pem, kCertFileMode, overwrite);
}

SecretString read_key_file(const std::filesystem::path& path) {
  // The type and size are checked first, so /dev/zero or a huge file is named as such rather
  // than read or blamed on its permissions; the mode is that of the file actually read.
  unsigned mode = 0;
  SecretString text;
  try {
    text = io::read_bounded(
        path, {.max_bytes = kMaxKeyFileBytes, .what = "a PEM private key file", .secret = true},
        &mode);
  } catch (const io::FileError& e) {
    throw std::runtime_error("cannot read key file " + std::string(e.what()));
  }
  if ((mode & kOthersMayAccess) != 0) {
    throw std::runtime_error("key file " + path.string() +
                             " is accessible by other users; run: chmod 600 " + path.string());
  }
  return text;
}

void check_key_matches(const SecretString& key_pem, const std::string& cert_pem,
                       const std::string& whose) {
  ossl::PkeyPtr key = ossl::parse_private_key(key_pem.view(), whose + "'s private key");
  ossl::X509Ptr cert = ossl::parse_certificate(cert_pem, whose + "'s certificate");
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1) {
    throw std::runtime_error(whose + "'s private key does not belong to " + whose +
                             "'s certificate (wrong key file, or a certificate from another run "
                             "of jointly-keygen)");
  }
}

}  // namespace jointly::net
