#include "protocols/ot/extension/softspoken.h"

#include <sodium.h>

#include <stdexcept>
#include <string>

#include "protocols/ot/extension/transpose.h"

namespace jointly::ot {
namespace {

void check_k(int k) {
  if (k < kMinSoftSpokenK || k > kMaxSoftSpokenK) {
    throw std::invalid_argument("SoftSpokenOT: k must be " + std::to_string(kMinSoftSpokenK) +
                                " to " + std::to_string(kMaxSoftSpokenK) + ", not " +
                                std::to_string(k));
  }
}

// Bits of block b: k, except the last block when k does not divide 128.
int block_bits(int k, std::size_t b) {
  return static_cast<int>(std::min<std::size_t>(k, kBaseOts - b * static_cast<std::size_t>(k)));
}

// Bits [b·k, b·k + kb) of a block as a number (bit i of the result is bit b·k + i).
unsigned sub_bits(Block x, int k, std::size_t b, int kb) {
  unsigned v = 0;
  for (int i = 0; i < kb; ++i) v |= static_cast<unsigned>(x.bit(b * k + i)) << i;
  return v;
}

// The two children of a GGM node: AES-CTR keyed by the node, 2 blocks.
std::array<Block, 2> expand(const Block& node) {
  std::array<Block, 2> c;
  Prg(seed_of(node)).fill({reinterpret_cast<std::uint8_t*>(c.data()), sizeof c});
  return c;
}

void xor_into(std::uint8_t* dst, const std::uint8_t* src, std::size_t bytes) {
  auto* __restrict d = reinterpret_cast<std::uint64_t*>(dst);
  const auto* __restrict s = reinterpret_cast<const std::uint64_t*>(src);
  for (std::size_t i = 0; i < bytes / 8; ++i) d[i] ^= s[i];
}

// dst1 = src (the first group of a level), dst2 ^= src.
void copy_and_xor(std::uint8_t* dst1, std::uint8_t* dst2, const std::uint8_t* src,
                  std::size_t bytes) {
  auto* __restrict d1 = reinterpret_cast<std::uint64_t*>(dst1);
  auto* __restrict d2 = reinterpret_cast<std::uint64_t*>(dst2);
  const auto* __restrict s = reinterpret_cast<const std::uint64_t*>(src);
  for (std::size_t i = 0; i < bytes / 8; ++i) {
    d1[i] = s[i];
    d2[i] ^= s[i];
  }
}

void xor_into_both(std::uint8_t* dst1, std::uint8_t* dst2, const std::uint8_t* src,
                   std::size_t bytes) {
  auto* __restrict d1 = reinterpret_cast<std::uint64_t*>(dst1);
  auto* __restrict d2 = reinterpret_cast<std::uint64_t*>(dst2);
  const auto* __restrict s = reinterpret_cast<const std::uint64_t*>(src);
  for (std::size_t i = 0; i < bytes / 8; ++i) {
    d1[i] ^= s[i];
    d2[i] ^= s[i];
  }
}

// v[i] = Σ_{x: x_i = 1} leaf(x) for i < kb, and (if total) total = Σ_x leaf(x), each a row of
// `row` bytes, with leaf(x, buf) writing leaf x's row. A binary-counter walk: the sum S of a
// group of leaves sharing x >> l is kept until its sibling group arrives; groups with bit l
// set are exactly those with x_l = 1, so each is added into v[l] once when it merges. About
// two XORs per leaf byte instead of k/2 + 1 (adding every leaf to each v[i] with x_i = 1).
// v[i] is overwritten (its first group copied, the others added), so no buffer is zeroed.
template <class Leaf>
void leaf_sums(int kb, std::size_t row, Leaf&& leaf, std::uint8_t* const* v, std::uint8_t* total,
               std::vector<std::uint8_t>& scratch) {
  const std::size_t slots = static_cast<std::size_t>(kb) + 2;
  scratch.resize(slots * row);
  std::vector<std::uint8_t*> free_list, pending(static_cast<std::size_t>(kb) + 1, nullptr);
  std::vector<bool> seen(static_cast<std::size_t>(kb), false);  // v[l] written yet
  for (std::size_t s = 0; s < slots; ++s) free_list.push_back(scratch.data() + s * row);
  const unsigned leaves = 1u << kb;
  for (unsigned x = 0; x < leaves; ++x) {
    std::uint8_t* cur = free_list.back();
    free_list.pop_back();
    leaf(x, cur);
    int l = 0;
    for (; (x >> l) & 1; ++l) {  // cur is the odd sibling at level l: merge into pending[l]
      if (seen[l]) {
        xor_into_both(v[l], pending[l], cur, row);
      } else {
        copy_and_xor(v[l], pending[l], cur, row);
        seen[l] = true;
      }
      free_list.push_back(cur);
      cur = pending[l];
      pending[l] = nullptr;
    }
    pending[l] = cur;
  }
  if (total != nullptr) std::memcpy(total, pending[kb], row);
}

}  // namespace

std::size_t softspoken_blocks(int k) {
  check_k(k);
  return (kBaseOts + static_cast<std::size_t>(k) - 1) / static_cast<std::size_t>(k);
}

// ---------------------------------------------------------------------------------------
SoftSpokenReceiver::SoftSpokenReceiver(int k, std::span<const BlockPair> base_keys, Prg& prg)
    : k_(k), blocks_(softspoken_blocks(k)) {
  if (base_keys.size() != kBaseOts) throw std::invalid_argument("SoftSpokenOT: need 128 base OTs");
  const std::size_t per = std::size_t{1} << k;
  leaves_.reserve(blocks_ * per);
  setup_.resize(2 * kBaseOts);
  std::vector<Block> level, next;
  for (std::size_t b = 0; b < blocks_; ++b) {
    const int kb = block_bits(k, b);
    Block root;
    prg.fill({reinterpret_cast<std::uint8_t*>(&root), sizeof root});
    level.assign(1, root);
    // Depth d splits on bit d of the leaf index: node p (d bits) has children p and p | 2^d.
    for (int d = 0; d < kb; ++d) {
      const std::size_t width = std::size_t{1} << d;
      next.resize(2 * width);
      Block sums[2];
      for (std::size_t p = 0; p < width; ++p) {
        const auto c = expand(level[p]);
        next[p] = c[0];
        next[p | width] = c[1];
        sums[0] ^= c[0];
        sums[1] ^= c[1];
      }
      // The sender, choosing Δ_d, holds m_{Δ_d} and so can open only the sum K_{1-Δ_d}:
      // the sibling of the path to its punctured leaf Δ.
      const std::size_t j = b * static_cast<std::size_t>(k) + static_cast<std::size_t>(d);
      setup_[2 * j] = sums[0] ^ base_keys[j][1];
      setup_[2 * j + 1] = sums[1] ^ base_keys[j][0];
      level.swap(next);
    }
    for (std::size_t x = 0; x < per; ++x) {
      leaves_.emplace_back(seed_of(x < level.size() ? level[x] : Block{}));
    }
    sodium_memzero(level.data(), level.size() * sizeof(Block));
    sodium_memzero(next.data(), next.size() * sizeof(Block));
  }
}

void SoftSpokenReceiver::extend(const std::uint8_t* choices, std::size_t n, std::uint8_t* u,
                                Block* t) {
  const std::size_t row = n / 8;
  columns_.resize(kBaseOts * row);  // every row is written by leaf_sums
  const std::size_t per = std::size_t{1} << k_;
  std::vector<std::uint8_t*> v(static_cast<std::size_t>(k_));
  for (std::size_t b = 0; b < blocks_; ++b) {
    const int kb = block_bits(k_, b);
    for (int i = 0; i < kb; ++i) v[i] = columns_.data() + (b * k_ + i) * row;
    std::uint8_t* u_b = u + b * row;
    leaf_sums(
        kb, row,
        [&](unsigned x, std::uint8_t* out) {
          leaves_[b * per + x].fill({out, row});
        },
        v.data(), u_b, scratch_);
    xor_into(u_b, choices, row);  // c_b = u_b ⊕ r
  }
  transpose_128xn(columns_.data(), n, t);
}

// ---------------------------------------------------------------------------------------
SoftSpokenSender::SoftSpokenSender(int k, Block delta, std::span<const Block> base_keys,
                                   std::span<const Block> setup)
    : k_(k), blocks_(softspoken_blocks(k)), delta_(delta) {
  if (base_keys.size() != kBaseOts) throw std::invalid_argument("SoftSpokenOT: need 128 base OTs");
  if (setup.size() != 2 * kBaseOts) {
    throw std::invalid_argument("SoftSpokenOT: set-up message of " + std::to_string(setup.size()) +
                                " blocks, expected " + std::to_string(2 * kBaseOts));
  }
  const std::size_t per = std::size_t{1} << k;
  leaves_.reserve(blocks_ * per);
  std::vector<Block> level, next;
  std::vector<bool> have, next_have;
  for (std::size_t b = 0; b < blocks_; ++b) {
    const int kb = block_bits(k, b);
    const unsigned punctured = sub_bits(delta, k, b, kb);
    level.assign(1, Block{});
    have.assign(1, false);  // the root is on the path to every leaf
    for (int d = 0; d < kb; ++d) {
      const std::size_t width = std::size_t{1} << d;
      const std::size_t j = b * static_cast<std::size_t>(k) + static_cast<std::size_t>(d);
      const unsigned bit = (punctured >> d) & 1;  // = this party's base-OT choice j
      next.assign(2 * width, Block{});
      next_have.assign(2 * width, false);
      Block sibling = setup[2 * j + (1 - bit)] ^ base_keys[j];  // K_{1-bit}
      for (std::size_t p = 0; p < width; ++p) {
        if (!have[p]) continue;
        const auto c = expand(level[p]);
        next[p] = c[0];
        next[p | width] = c[1];
        next_have[p] = next_have[p | width] = true;
        sibling ^= c[1 - bit];
      }
      const std::size_t path = punctured & (width - 1);  // the unknown node at depth d
      const std::size_t sib = path | (static_cast<std::size_t>(1 - bit) << d);
      next[sib] = sibling;
      next_have[sib] = true;
      level.swap(next);
      have.swap(next_have);
    }
    for (std::size_t x = 0; x < per; ++x) {
      const bool known = x < level.size() && have[x];
      leaves_.emplace_back(seed_of(known ? level[x] : Block{}));
    }
    sodium_memzero(level.data(), level.size() * sizeof(Block));
    sodium_memzero(next.data(), next.size() * sizeof(Block));
  }
}

void SoftSpokenSender::extend(const std::uint8_t* u, std::size_t n, Block* q) {
  const std::size_t row = n / 8;
  columns_.resize(kBaseOts * row);  // every row is written by leaf_sums
  const std::size_t per = std::size_t{1} << k_;
  std::vector<std::uint8_t*> w(static_cast<std::size_t>(k_));
  for (std::size_t b = 0; b < blocks_; ++b) {
    const int kb = block_bits(k_, b);
    const unsigned punctured = sub_bits(delta_, k_, b, kb);
    for (int i = 0; i < kb; ++i) w[i] = columns_.data() + (b * k_ + i) * row;
    // Walk y = x ⊕ Δ_b: w_i = Σ_y y_i·G(s_{y ⊕ Δ_b}); y = 0 is the punctured leaf, whose
    // coefficient is 0 in every w_i, so a zero row stands in for it.
    leaf_sums(
        kb, row,
        [&](unsigned y, std::uint8_t* out) {
          if (y == 0) {
            std::memset(out, 0, row);
          } else {
            leaves_[b * per + (y ^ punctured)].fill({out, row});
          }
        },
        w.data(), nullptr, scratch_);
    for (int i = 0; i < kb; ++i) {
      if ((punctured >> i) & 1) xor_into(w[i], u + b * row, row);  // q = w ⊕ Δ_i·c_b
    }
  }
  transpose_128xn(columns_.data(), n, q);
}

}  // namespace jointly::ot
