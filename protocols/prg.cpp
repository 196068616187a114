#include "protocols/prg.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>
#include <stdexcept>

namespace jointly {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

// Large requests are encrypted in chunks of this many zero bytes, so the zero buffer stays
// small and hot in cache.
constexpr std::size_t kChunk = 1 << 16;

}  // namespace

Seed random_seed() {
  ensure_sodium();
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  return seed;
}

Seed derive_seed(const Seed& parent, std::string_view label, std::uint64_t index) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, parent.data(), parent.size(), kSeedBytes);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()),
                            label.size());
  unsigned char idx[8];
  for (int i = 0; i < 8; ++i) idx[i] = static_cast<unsigned char>(index >> (8 * i));
  crypto_generichash_update(&state, idx, sizeof idx);
  Seed child;
  crypto_generichash_final(&state, child.data(), child.size());
  return child;
}

Seed seed_from_u64(std::uint64_t value) {
  Seed zero{};
  return derive_seed(zero, "jointly.test-seed", value);
}

std::string seed_hex(const Seed& seed) {
  std::string out;
  char buf[3];
  for (auto b : seed) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

struct Prg::Cipher {
  EVP_CIPHER_CTX* ctx = nullptr;
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};

Prg::Prg(const Seed& seed) : cipher_(std::make_unique<Cipher>()) {
  cipher_->ctx = EVP_CIPHER_CTX_new();
  const unsigned char iv[16] = {};
  if (cipher_->ctx == nullptr ||
      EVP_EncryptInit_ex(cipher_->ctx, EVP_aes_128_ctr(), nullptr, seed.data(), iv) != 1) {
    throw std::runtime_error("OpenSSL: cannot initialise AES-128-CTR");
  }
}

Prg::~Prg() = default;
Prg::Prg(Prg&&) noexcept = default;
Prg& Prg::operator=(Prg&&) noexcept = default;

void Prg::fill(std::span<std::uint8_t> out) {
  static const std::array<std::uint8_t, kChunk> zeros{};
  std::size_t at = 0;
  while (at < out.size()) {
    const std::size_t n = std::min(kChunk, out.size() - at);
    int written = 0;
    if (EVP_EncryptUpdate(cipher_->ctx, out.data() + at, &written, zeros.data(),
                          static_cast<int>(n)) != 1 ||
        static_cast<std::size_t>(written) != n) {
      throw std::runtime_error("OpenSSL: AES-128-CTR keystream failed");
    }
    at += n;
  }
  position_ += out.size();
}

void Prg::seek(std::uint64_t position) {
  // OpenSSL's CTR mode counts 16-byte blocks in the IV as a 128-bit big-endian integer,
  // starting from the all-zero IV of the constructor.
  unsigned char iv[16] = {};
  const std::uint64_t block = position / 16;
  for (int i = 0; i < 8; ++i) iv[15 - i] = static_cast<unsigned char>(block >> (8 * i));
  if (EVP_EncryptInit_ex(cipher_->ctx, nullptr, nullptr, nullptr, iv) != 1) {
    throw std::runtime_error("OpenSSL: cannot set the AES-128-CTR counter");
  }
  position_ = block * 16;
  std::array<std::uint8_t, 16> skip{};
  fill(std::span(skip).first(static_cast<std::size_t>(position % 16)));
}

Ring Prg::next() {
  Ring x;
  fill({reinterpret_cast<std::uint8_t*>(&x), sizeof x});
  return x;
}

RingMatrix Prg::ring(Index rows, Index cols) {
  RingMatrix m(rows, cols);
  fill({reinterpret_cast<std::uint8_t*>(m.data()),
        static_cast<std::size_t>(m.size()) * sizeof(Ring)});
  return m;
}

RingMatrix Prg::bits(Index rows, Index cols) {
  RingMatrix m = ring(rows, cols);
  m = m.unaryExpr([](Ring x) { return x & Ring{1}; });
  return m;
}

}  // namespace jointly
