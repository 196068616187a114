#include "psi/kkrt.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "protocols/ot/extension/transpose.h"
#include "psi/common.h"

namespace jointly::psi {
namespace {

Seed to_seed(const ot::Block& b) {
  Seed s;
  std::memcpy(s.data(), &b, sizeof b);
  return s;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

// Expands 128 PRG columns (group g) of m bits each and transposes them into block g of rows.
void expand_group(std::vector<Prg>& g, std::size_t group, std::size_t m, Row* rows,
                  std::vector<std::uint8_t>& columns, std::vector<ot::Block>& blocks) {
  const std::size_t bytes = m / 8;
  columns.resize(ot::kBaseOts * bytes);
  blocks.resize(m);
  for (std::size_t j = 0; j < ot::kBaseOts; ++j)
    g[group * ot::kBaseOts + j].fill({columns.data() + j * bytes, bytes});
  ot::transpose_128xn(columns.data(), m, blocks.data());
  for (std::size_t i = 0; i < m; ++i) rows[i].b[group] = blocks[i];
}

}  // namespace

Code::Code(const Seed& seed) {
  for (std::size_t k = 0; k < kCodeBlocks; ++k) {
    const Seed key = derive_seed(seed, "jointly.psi.kkrt.code", k);
    std::memcpy(keys_[k].data(), key.data(), key.size());
  }
}

void Code::encode(const ot::Block* x, std::size_t n, Row* out) const {
  if (n == 0) return;
  std::vector<ot::Block> buf(n);
  for (std::size_t k = 0; k < kCodeBlocks; ++k) {
    CipherCtx c;
    int len = 0;
    if (!c.ctx ||
        EVP_EncryptInit_ex(c.ctx, EVP_aes_128_ecb(), nullptr, keys_[k].data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(c.ctx, 0) != 1 ||
        EVP_EncryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(buf.data()), &len,
                          reinterpret_cast<const unsigned char*>(x),
                          static_cast<int>(n * 16)) != 1) {
      throw std::runtime_error("KKRT code: AES-128 failed (OpenSSL)");
    }
    for (std::size_t i = 0; i < n; ++i) out[i].b[k] = buf[i];
  }
}

ot::Block oprf_hash(std::uint64_t index, const Row& row) {
  static constexpr char kDomain[] = "jointly.psi.kkrt.H.v1";
  unsigned char in[sizeof kDomain + 8 + sizeof(Row)];
  std::memcpy(in, kDomain, sizeof kDomain);
  for (int i = 0; i < 8; ++i) in[sizeof kDomain + i] = static_cast<unsigned char>(index >> (8 * i));
  std::memcpy(in + sizeof kDomain + 8, &row, sizeof row);
  ot::Block out;
  crypto_generichash(reinterpret_cast<unsigned char*>(&out), sizeof out, in, sizeof in, nullptr, 0);
  return out;
}

KkrtReceiver::KkrtReceiver(std::span<const ot::BlockPair> base_keys) {
  if (base_keys.size() != kCodeBits) throw std::invalid_argument("KKRT: need 512 base OTs");
  g0_.reserve(kCodeBits);
  g1_.reserve(kCodeBits);
  for (const ot::BlockPair& k : base_keys) {
    g0_.emplace_back(to_seed(k[0]));
    g1_.emplace_back(to_seed(k[1]));
  }
}

void KkrtReceiver::extend(const Row* codes, std::size_t m, Row* u, Row* t, int threads) {
  if (m % ot::kBaseOts != 0) throw std::invalid_argument("KKRT: m must be a multiple of 128");
  detail::parallel_for(kCodeBlocks, threads, [&](std::size_t b, std::size_t e) {
    std::vector<std::uint8_t> columns;
    std::vector<ot::Block> blocks;
    for (std::size_t g = b; g < e; ++g) {
      expand_group(g0_, g, m, t, columns, blocks);
      expand_group(g1_, g, m, u, columns, blocks);
      for (std::size_t i = 0; i < m; ++i) u[i].b[g] ^= t[i].b[g] ^ codes[i].b[g];
    }
  });
}

KkrtSender::KkrtSender(const Row& s, std::span<const ot::Block> base_keys) : s_(s) {
  if (base_keys.size() != kCodeBits) throw std::invalid_argument("KKRT: need 512 base OTs");
  g_.reserve(kCodeBits);
  for (const ot::Block& k : base_keys) g_.emplace_back(to_seed(k));
}

void KkrtSender::extend(const Row* u, std::size_t m, Row* q, int threads) {
  if (m % ot::kBaseOts != 0) throw std::invalid_argument("KKRT: m must be a multiple of 128");
  detail::parallel_for(kCodeBlocks, threads, [&](std::size_t b, std::size_t e) {
    std::vector<std::uint8_t> columns;
    std::vector<ot::Block> blocks;
    for (std::size_t g = b; g < e; ++g) {
      expand_group(g_, g, m, q, columns, blocks);
      for (std::size_t i = 0; i < m; ++i) q[i].b[g] ^= u[i].b[g] & s_.b[g];
    }
  });
}

}  // namespace jointly::psi
