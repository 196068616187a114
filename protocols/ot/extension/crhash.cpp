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
// Messages hashed per batch: the batch's π(x) and tweaked blocks (16 KiB each for width 1)
// stay in L1 through the three passes, instead of three chunk-sized buffers in L2/L3.
constexpr std::size_t kBatchMessages = 1024;

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
  for (std::size_t at = 0; at < n; at += kBatchMessages) {
    hash_batch(x + at, std::min(kBatchMessages, n - at), mask, first_index + at, width,
               out + at * width);
  }
}

void CrHash::hash_batch(const Block* x, std::size_t n, Block mask, std::uint64_t first_index,
                        std::size_t width, Ring* out) {
  if (n == 0 || width == 0) return;
  const std::size_t per = (width + 1) / 2;
  if (pi_x_.size() < n) pi_x_.resize(n);
  // Raw, non-aliasing pointers: the loops below then vectorise (out is uint64 like Block).
  Block* __restrict px = pi_x_.data();
  for (std::size_t i = 0; i < n; ++i) px[i] = x[i] ^ mask;
  permute(px, px, n);
  if (width % 2 == 0 && reinterpret_cast<std::uintptr_t>(out) % alignof(Block) == 0) {
    // Even width: the output blocks are exactly `out`, so tweak, permute and fix up in place
    // (one buffer instead of three: these loops are memory-bound).
    Block* ob = reinterpret_cast<Block*>(out);
    for (std::size_t i = 0; i < n; ++i) {
      const Block p = px[i];
      for (std::size_t l = 0; l < per; ++l) ob[i * per + l] = p ^ Block { first_index + i, l };
    }
    permute(ob, ob, n * per);
    for (std::size_t i = 0; i < n; ++i) {
      const Block p = px[i];
      for (std::size_t l = 0; l < per; ++l) ob[i * per + l] ^= p;
    }
    return;
  }
  if (tweaked_.size() < n * per) tweaked_.resize(n * per);
  Block* __restrict tw = tweaked_.data();
  for (std::size_t i = 0; i < n; ++i) {
    const Block p = px[i];
    for (std::size_t l = 0; l < per; ++l) tw[i * per + l] = p ^ Block { first_index + i, l };
  }
  permute(tw, tw, n * per);
  Ring* __restrict o = out;
  if (width == 1) {
    for (std::size_t i = 0; i < n; ++i) o[i] = tw[i].lo ^ px[i].lo;
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Block p = px[i];
    Ring* oi = o + i * width;
    const Block* ti = tw + i * per;
    for (std::size_t l = 0; l + 1 < width; l += 2) {
      oi[l] = ti[l / 2].lo ^ p.lo;
      oi[l + 1] = ti[l / 2].hi ^ p.hi;
    }
    if (width % 2) oi[width - 1] = ti[per - 1].lo ^ p.lo;
  }
}

}  // namespace jointly::ot
