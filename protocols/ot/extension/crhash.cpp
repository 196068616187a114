#include "protocols/ot/extension/crhash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace jointly::ot {
namespace {

// Any fixed key will do (π is modelled as a public random permutation); these are the first
// 16 bytes of the fractional part of pi, so nobody can suspect a chosen key.
constexpr unsigned char kFixedKey[16] = {0x24, 0x3f, 0x6a, 0x88, 0x85, 0xa3, 0x08, 0xd3,
                                         0x13, 0x19, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x44};
// EVP_EncryptUpdate takes an int length: stay well below it.
constexpr std::size_t kMaxBlocksPerCall = std::size_t{1} << 24;

}  // namespace

struct CrHash::Cipher {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};

CrHash::CrHash() : cipher_(std::make_unique<Cipher>()) {
  cipher_->ctx = EVP_CIPHER_CTX_new();
  if (cipher_->ctx == nullptr ||
      EVP_EncryptInit_ex(cipher_->ctx, EVP_aes_128_ecb(), nullptr, kFixedKey, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(cipher_->ctx, 0) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise fixed-key AES-128-ECB");
  }
}

CrHash::~CrHash() = default;

void CrHash::permute(const Block* in, Block* out, std::size_t blocks) {
  for (std::size_t at = 0; at < blocks; at += kMaxBlocksPerCall) {
    const std::size_t n = std::min(kMaxBlocksPerCall, blocks - at);
    int written = 0;
    if (EVP_EncryptUpdate(cipher_->ctx, reinterpret_cast<unsigned char*>(out + at), &written,
                          reinterpret_cast<const unsigned char*>(in + at),
                          static_cast<int>(n * sizeof(Block))) != 1 ||
        static_cast<std::size_t>(written) != n * sizeof(Block)) {
      throw std::runtime_error("OpenSSL: fixed-key AES failed");
    }
  }
}

void CrHash::hash(const Block* x, std::size_t n, Block mask, std::uint64_t first_index,
                  std::size_t width, Ring* out) {
  if (n == 0 || width == 0) return;
  const std::size_t per = (width + 1) / 2;
  pi_x_.resize(n);
  for (std::size_t i = 0; i < n; ++i) pi_x_[i] = x[i] ^ mask;
  permute(pi_x_.data(), pi_x_.data(), n);
  tweaked_.resize(n * per);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t l = 0; l < per; ++l) {
      tweaked_[i * per + l] = pi_x_[i] ^ Block{first_index + i, l};
    }
  }
  permute(tweaked_.data(), tweaked_.data(), n * per);
  for (std::size_t i = 0; i < n; ++i) {
    Ring* o = out + i * width;
    for (std::size_t l = 0; l < per; ++l) {
      const Block h = tweaked_[i * per + l] ^ pi_x_[i];
      o[2 * l] = h.lo;
      if (2 * l + 1 < width) o[2 * l + 1] = h.hi;
    }
  }
}

}  // namespace jointly::ot
