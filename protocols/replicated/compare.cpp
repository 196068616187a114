// [x >= 0] on replicated shares, and its products with other tensors (docs/replicated.md).
//
// 1. y = x_0 + x_1 is known to party 0 and x_2 to parties 1 and 2, so x = y + x_2 is a sum of
//    two operands. Party 0 shares y as replicated XOR shares (y_0 = F(k_0), y_1 = y ^ y_0,
//    y_2 = 0: one message to party 1), and x_2 is the XOR sharing (0, 0, x_2) for free.
// 2. Both are bit-sliced (a 64×64 bit transpose per block of 64 elements, linear over XOR),
//    so a position's bits of 64 elements fill one word and every AND below is a whole word.
// 3. Propagate bits p = y ^ x_2 are local. Generate bits g = y & x_2 for bits 0..62: party 1
//    knows y_1 & x_2, party 2 knows y_0 & x_2, and one message each makes them replicated.
// 4. A log-depth carry tree over the 63 positions gives the carry into bit 63: 6 layers of
//    (G, P) = (g_hi ^ p_hi & g_lo, p_hi & p_lo); the lowest group never needs its P.
// 5. The sign is p_63 ^ carry; gez flips it. Bit to arithmetic with the products folded in,
//    2 rounds: party 0 knows d = b_0 ^ b_1, parties 1 and 2 know b_2, and b = b_2 + s·d with
//    s = 1 - 2·b_2. Party 0 sends parties 1 and 2 a 2-out-of-2 sharing of d and of each d·v
//    (one message to party 1, masked by k_0 which party 2 also holds); they apply b_2 and s
//    locally, and each sends its half, masked by k_2, to party 0 to make it replicated.
#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include "protocols/replicated/replicated.h"

namespace jointly {
namespace {

constexpr int kBits = kRingBits;            // 64 bit positions, 64 elements per block
constexpr int kCarryPositions = kBits - 1;  // bits 0..62 carry into bit 63
constexpr int kTopBit = kBits - 1;

std::size_t blocks_of(std::size_t elements) { return (elements + kBits - 1) / kBits; }

// AND gates of the carry tree over `positions` (G and P per pair, no P for the lowest group).
std::uint64_t tree_ands(int positions) {
  std::uint64_t ands = 0;
  for (int m = positions; m > 1; m = (m + 1) / 2) ands += 2 * static_cast<std::uint64_t>(m / 2) - 1;
  return ands;
}

int tree_layers(int positions) { return std::bit_width(static_cast<unsigned>(positions - 1)); }

// In place: a[k] bit e  <->  a[e] bit k (bits counted from the least significant).
void transpose64(Ring* a) {
  Ring m = 0x00000000FFFFFFFFULL;
  for (int j = 32; j != 0; j >>= 1, m ^= m << j) {
    for (int k = 0; k < kBits; k = ((k | j) + 1) & ~j) {
      const Ring t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
}

// Bit slices of n words: slice k (blocks words) holds bit k of every word, zero-padded.
std::vector<Ring> slice(const Ring* words, std::size_t n) {
  const std::size_t blocks = blocks_of(n);
  std::vector<Ring> out(kBits * blocks);
  Ring block[kBits];
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t first = b * kBits, count = std::min<std::size_t>(kBits, n - first);
    std::copy(words + first, words + first + count, block);
    std::fill(block + count, block + kBits, Ring{0});
    transpose64(block);
    for (int k = 0; k < kBits; ++k) out[k * blocks + b] = block[k];
  }
  return out;
}

void copy_slice(const std::vector<Ring>& from, std::size_t slice, std::vector<Ring>& to,
                std::size_t at, std::size_t blocks) {
  std::copy_n(from.begin() + static_cast<std::ptrdiff_t>(slice * blocks), blocks,
              to.begin() + static_cast<std::ptrdiff_t>(at * blocks));
}

std::vector<Ring> words_from(const net::Bytes& bytes, std::size_t count, net::PartyId from,
                             const std::string& peer) {
  if (bytes.size() != count * sizeof(Ring)) {
    throw net::PeerError(from, peer + " sent " + std::to_string(bytes.size()) +
                                   " bytes where the comparison expects " +
                                   std::to_string(count * sizeof(Ring)));
  }
  std::vector<Ring> out(count);
  if (count != 0) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

net::Bytes bytes_of(const std::vector<Ring>& words) {
  net::Bytes out(words.size() * sizeof(Ring));
  if (!words.empty()) std::memcpy(out.data(), words.data(), out.size());
  return out;
}

}  // namespace

void Replicated::fill(Prg& prg, std::span<Ring> words) {
  prg.fill({reinterpret_cast<std::uint8_t*>(words.data()), words.size() * sizeof(Ring)});
}

Replicated::Bits Replicated::and_bits(const Bits& x, const Bits& y) {
  const std::size_t n = x.mine.size();
  if (y.mine.size() != n || x.next.size() != n || y.next.size() != n) {
    throw std::logic_error("and_bits: operand sizes differ");
  }
  // β_i = F(k_i) ^ F(k_{i+1}): an XOR sharing of zero.
  std::vector<Ring> z(n), other(n);
  fill(key(self()), z);
  fill(key(next_party()), other);
  for (std::size_t i = 0; i < n; ++i) {
    z[i] ^= other[i] ^ (x.mine[i] & (y.mine[i] ^ y.next[i])) ^ (x.next[i] & y.mine[i]);
  }
  auto in = round(prev_party(), bytes_of(z), {next_party()});
  Bits out{std::move(z),
           words_from(in[next_party()], n, next_party(), network_.peer_name(next_party()))};
  return out;
}

BitProducts Replicated::gez_times(const Shared& x, const std::vector<Shared>& values) {
  const RingPair& xs = x.pair();
  for (const Shared& v : values) {
    if (v.rows() != x.rows() || v.cols() != x.cols()) {
      throw std::invalid_argument("gez_times: value " + std::to_string(v.rows()) + "x" +
                                  std::to_string(v.cols()) + " differs from x's shape " +
                                  std::to_string(x.rows()) + "x" + std::to_string(x.cols()));
    }
    (void)v.pair();  // a tensor of another protocol is a programming error
  }
  const std::size_t n = static_cast<std::size_t>(x.size());
  const std::size_t blocks = blocks_of(n);
  const net::PartyId me = self();

  // --- Round 1: party 0 shares y = x_0 + x_1 as (y_0, y_1, 0); p = y ^ x_2 is then the
  // replicated XOR sharing (y_0, y_1, x_2).
  std::vector<Ring> p_first(n), p_second(n);
  if (me == 0) {
    fill(key(0), p_first);  // y_0
    for (std::size_t i = 0; i < n; ++i) {
      p_second[i] = (xs.mine.data()[i] + xs.next.data()[i]) ^ p_first[i];  // y_1
    }
    round(1, bytes_of(p_second), {});
  } else if (me == 1) {
    auto in = round(-1, {}, {0});
    p_first = words_from(in[0], n, 0, network_.peer_name(0));  // y_1
    std::copy_n(xs.next.data(), n, p_second.begin());          // x_2
  } else {
    std::copy_n(xs.mine.data(), n, p_first.begin());  // x_2
    fill(key(0), p_second);                           // y_0
    round(-1, {}, {});
  }
  Bits p{slice(p_first.data(), n), slice(p_second.data(), n)};
  p_first = {};
  p_second = {};

  // --- Round 2: g = y & x_2 on bits 0..62. z_1 = y_1 & x_2 (party 1), z_2 = y_0 & x_2
  // (party 2), z_0 = 0; replicated as g_0 = a, g_1 = z_1 ^ c, g_2 = z_2 ^ a ^ c with a from
  // k_0 (parties 0, 2) and c from k_2 (parties 1, 2).
  const std::size_t g_words = kCarryPositions * blocks;
  Bits g{std::vector<Ring>(g_words), std::vector<Ring>(g_words)};
  if (me == 0) {
    fill(key(0), g.mine);  // a
    auto in = round(-1, {}, {1});
    g.next = words_from(in[1], g_words, 1, network_.peer_name(1));
  } else if (me == 1) {
    fill(key(2), g.mine);  // c
    for (std::size_t i = 0; i < g_words; ++i) g.mine[i] ^= p.mine[i] & p.next[i];
    auto in = round(0, bytes_of(g.mine), {2});
    g.next = words_from(in[2], g_words, 2, network_.peer_name(2));
  } else {
    fill(key(0), g.next);  // a
    fill(key(2), g.mine);  // c
    for (std::size_t i = 0; i < g_words; ++i) g.mine[i] ^= g.next[i] ^ (p.mine[i] & p.next[i]);
    round(1, bytes_of(g.mine), {});
  }

  // --- Carry tree: groups[j] covers a run of positions; g holds each group's G and p its P
  // (slot 0's P is never used: nothing below the lowest group can propagate into it).
  int groups = kCarryPositions;
  Bits gp = std::move(g), pp = p;  // pp: slice j is group j's P (starts as the bit slices)
  while (groups > 1) {
    const int pairs = groups / 2;
    const std::size_t ands = 2 * static_cast<std::size_t>(pairs) - 1;
    Bits left{std::vector<Ring>(ands * blocks), std::vector<Ring>(ands * blocks)};
    Bits right = left;
    for (int j = 0; j < pairs; ++j) {
      // G_j needs p_hi & g_lo; P_j (j > 0) needs p_hi & p_lo.
      const std::size_t hi = 2 * j + 1, lo = 2 * j;
      copy_slice(pp.mine, hi, left.mine, j, blocks);
      copy_slice(pp.next, hi, left.next, j, blocks);
      copy_slice(gp.mine, lo, right.mine, j, blocks);
      copy_slice(gp.next, lo, right.next, j, blocks);
      if (j > 0) {
        const std::size_t at = pairs + j - 1;
        copy_slice(pp.mine, hi, left.mine, at, blocks);
        copy_slice(pp.next, hi, left.next, at, blocks);
        copy_slice(pp.mine, lo, right.mine, at, blocks);
        copy_slice(pp.next, lo, right.next, at, blocks);
      }
    }
    const Bits prod = and_bits(left, right);
    const int next_groups = (groups + 1) / 2;
    Bits g_next{std::vector<Ring>(next_groups * blocks), std::vector<Ring>(next_groups * blocks)};
    Bits p_next = g_next;
    for (int j = 0; j < pairs; ++j) {
      const std::size_t hi = 2 * j + 1;
      for (std::size_t w = 0; w < blocks; ++w) {
        g_next.mine[j * blocks + w] = gp.mine[hi * blocks + w] ^ prod.mine[j * blocks + w];
        g_next.next[j * blocks + w] = gp.next[hi * blocks + w] ^ prod.next[j * blocks + w];
      }
      if (j > 0) {
        const std::size_t at = pairs + j - 1;
        copy_slice(prod.mine, at, p_next.mine, j, blocks);
        copy_slice(prod.next, at, p_next.next, j, blocks);
      }
    }
    if (groups % 2 == 1) {  // the top group waits for the next layer
      copy_slice(gp.mine, groups - 1, g_next.mine, pairs, blocks);
      copy_slice(gp.next, groups - 1, g_next.next, pairs, blocks);
      copy_slice(pp.mine, groups - 1, p_next.mine, pairs, blocks);
      copy_slice(pp.next, groups - 1, p_next.next, pairs, blocks);
    }
    gp = std::move(g_next);
    pp = std::move(p_next);
    groups = next_groups;
  }

  // Sign bit shares: p_63 ^ carry into bit 63, one word per block.
  std::vector<Ring> sign_mine(blocks), sign_next(blocks);
  for (std::size_t w = 0; w < blocks; ++w) {
    sign_mine[w] = p.mine[kTopBit * blocks + w] ^ gp.mine[w];
    sign_next[w] = p.next[kTopBit * blocks + w] ^ gp.next[w];
  }
  const auto bit_of = [](const std::vector<Ring>& words, std::size_t i) -> Ring {
    return (words[i / kBits] >> (i % kBits)) & 1;
  };

  // --- Bit to arithmetic with products: 2 rounds.
  const Index rows = x.rows(), cols = x.cols();
  const std::size_t outputs = 1 + values.size();  // row 0: the bit; row k: bit · values[k-1]
  RingMatrix out_first(static_cast<Index>(outputs), static_cast<Index>(n));
  RingMatrix out_second(static_cast<Index>(outputs), static_cast<Index>(n));
  if (me == 0) {
    // d = b_0 ^ b_1 ^ 1 (gez = NOT sign); send d - r' and d·(v_0 + v_1) - r_k to party 1.
    RingMatrix masked = key(0).ring(static_cast<Index>(outputs), static_cast<Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const Ring d = bit_of(sign_mine, i) ^ bit_of(sign_next, i) ^ 1;
      masked(0, static_cast<Index>(i)) = d - masked(0, static_cast<Index>(i));
      for (std::size_t k = 1; k < outputs; ++k) {
        const RingPair& v = values[k - 1].pair();
        Ring& m = masked(static_cast<Index>(k), static_cast<Index>(i));
        m = d * (v.mine.data()[i] + v.next.data()[i]) - m;
      }
    }
    round(1, pack({&masked}), {});
    auto in = round(-1, {}, {1, 2});
    unpack(in[2], 2, {&out_first});   // x_0 from party 2
    unpack(in[1], 1, {&out_second});  // x_1 from party 1
  } else {
    // Parties 1 and 2 hold a 2-out-of-2 sharing of d and of each d·v (halves h), and b_2.
    RingMatrix half(static_cast<Index>(outputs), static_cast<Index>(n));
    if (me == 1) {
      auto in = round(-1, {}, {0});
      unpack(in[0], 0, {&half});
    } else {
      half = key(0).ring(static_cast<Index>(outputs), static_cast<Index>(n));
      round(-1, {}, {});
    }
    const std::vector<Ring>& b2_words = me == 1 ? sign_next : sign_mine;
    for (std::size_t i = 0; i < n; ++i) {
      const Ring b2 = bit_of(b2_words, i);
      const Ring s = Ring{1} - 2 * b2;
      const Ring delta = half(0, static_cast<Index>(i));
      for (std::size_t k = 1; k < outputs; ++k) {
        const RingPair& v = values[k - 1].pair();
        // party 1 holds (v_1, v_2), party 2 holds (v_2, v_0); v_2 times the half of d, and
        // b_2 times the v shares this party counts (1: v_1 + v_2, 2: v_0).
        const Ring v2 = me == 1 ? v.next.data()[i] : v.mine.data()[i];
        const Ring own_v = me == 1 ? v.mine.data()[i] + v.next.data()[i] : v.next.data()[i];
        Ring& h = half(static_cast<Index>(k), static_cast<Index>(i));
        h = b2 * own_v + s * (h + delta * v2);
      }
      half(0, static_cast<Index>(i)) = (me == 1 ? b2 : 0) + s * delta;
    }
    // 2-out-of-2 (party 1: h_1, party 2: h_2) to replicated with ρ_0, ρ_1 from k_2:
    // x_0 = h_2 + ρ_0 (party 2 to party 0), x_1 = h_1 + ρ_1 (party 1 to party 0),
    // x_2 = -ρ_0 - ρ_1 (parties 1 and 2).
    RingMatrix rho0 = key(2).ring(static_cast<Index>(outputs), static_cast<Index>(n));
    RingMatrix rho1 = key(2).ring(static_cast<Index>(outputs), static_cast<Index>(n));
    RingMatrix third = -(rho0 + rho1);
    if (me == 1) {
      half += rho1;
      round(0, pack({&half}), {});
      out_first = std::move(half);
      out_second = std::move(third);
    } else {
      half += rho0;
      round(0, pack({&half}), {});
      out_first = std::move(third);
      out_second = std::move(half);
    }
  }

  const auto tensor = [&](const RingMatrix& m, std::size_t k) {
    RingMatrix t(rows, cols);
    std::copy_n(m.row(static_cast<Index>(k)).data(), n, t.data());
    return t;
  };
  BitProducts result;
  result.bit = Shared(tensor(out_first, 0), tensor(out_second, 0));
  for (std::size_t k = 1; k < outputs; ++k) {
    result.products.emplace_back(tensor(out_first, k), tensor(out_second, k));
  }
  return result;
}

// Rounds: y (1), g (1), the carry tree (6), bit to arithmetic (2). Bytes for N elements and
// B = ceil(N / 64) blocks: party 0 sends y_1 (8N) and the tree; parties 1 and 2 send g
// (63 slices) and the tree; party 0 sends (1 + products)·8N in the first conversion round,
// parties 1 and 2 as much in the second.
OpCost Replicated::gez_cost(std::uint64_t elements, int products, int thresholds) const {
  const std::uint64_t n = elements * static_cast<std::uint64_t>(thresholds);
  const std::uint64_t blocks = blocks_of(n), word = sizeof(Ring);
  OpCost cost;
  cost.rounds = 2 + static_cast<std::uint64_t>(tree_layers(kCarryPositions)) + 2;
  cost.bytes_sent = tree_ands(kCarryPositions) * blocks * word +
                    (1 + static_cast<std::uint64_t>(products)) * n * word;
  cost.bytes_sent += self() == 0 ? n * word : kCarryPositions * blocks * word;
  return cost;
}

}  // namespace jointly
