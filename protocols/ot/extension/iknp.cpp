#include "protocols/ot/extension/iknp.h"

#include <stdexcept>

#include "protocols/ot/extension/transpose.h"

namespace jointly::ot {
namespace {

// dst ^= src over n bytes, a word at a time (n is a multiple of 16 here).
void xor_into(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t a, b;
    std::memcpy(&a, dst + i, 8);
    std::memcpy(&b, src + i, 8);
    a ^= b;
    std::memcpy(dst + i, &a, 8);
  }
}

}  // namespace

IknpReceiver::IknpReceiver(std::span<const BlockPair> base_keys) {
  if (base_keys.size() != kBaseOts) throw std::invalid_argument("IKNP: need 128 base OTs");
  g0_.reserve(kBaseOts);
  g1_.reserve(kBaseOts);
  for (const BlockPair& k : base_keys) {
    g0_.emplace_back(seed_of(k[0]));
    g1_.emplace_back(seed_of(k[1]));
  }
}

void IknpReceiver::extend(const std::uint8_t* choices, std::size_t n, std::uint8_t* u, Block* t) {
  const std::size_t row = n / 8;
  columns_.resize(kBaseOts * row);
  pad_.resize(row);
  for (std::size_t j = 0; j < kBaseOts; ++j) {
    std::uint8_t* t_j = columns_.data() + j * row;
    std::uint8_t* u_j = u + j * row;
    g0_[j].fill({t_j, row});
    g1_[j].fill({u_j, row});
    xor_into(u_j, t_j, row);
    xor_into(u_j, choices, row);
  }
  transpose_128xn(columns_.data(), n, t);
}

IknpSender::IknpSender(Block s, std::span<const Block> base_keys) : s_(s) {
  if (base_keys.size() != kBaseOts) throw std::invalid_argument("IKNP: need 128 base OTs");
  g_.reserve(kBaseOts);
  for (const Block& k : base_keys) g_.emplace_back(seed_of(k));
}

void IknpSender::extend(const std::uint8_t* u, std::size_t n, Block* q) {
  const std::size_t row = n / 8;
  columns_.resize(kBaseOts * row);
  for (std::size_t j = 0; j < kBaseOts; ++j) {
    std::uint8_t* q_j = columns_.data() + j * row;
    g_[j].fill({q_j, row});
    if (s_.bit(j)) xor_into(q_j, u + j * row, row);
  }
  transpose_128xn(columns_.data(), n, q);
}

}  // namespace jointly::ot
