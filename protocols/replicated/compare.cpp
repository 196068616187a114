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
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <sys/mman.h>

#include "protocols/replicated/replicated.h"

namespace jointly {
namespace {

constexpr std::size_t kBits = kRingBits;            // 64 bit positions, 64 elements per block
constexpr std::size_t kCarryPositions = kBits - 1;  // bits 0..62 carry into bit 63
constexpr std::size_t kTopBit = kBits - 1;
constexpr std::size_t kChunk = 1024;  // words per PRG draw into a stack buffer (16 blocks)

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLargeBuffer = std::size_t{1} << 20;

// An allocator that leaves words uninitialised: every buffer below is written in full before
// it is read, and zeroing (and so faulting in) tens of megabytes per million comparisons
// costs more than the circuit's logic.
template <class T>
struct Uninitialised : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = Uninitialised<U>;
  };
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  // Buffers of a megabyte or more are aligned to 2 MB and offered transparent huge pages:
  // faulting in 16 MB of bit slices page by page was most of a comparison's time on a VM.
  T* allocate(std::size_t count) {
    const std::size_t bytes = count * sizeof(T);
    if (bytes < kLargeBuffer) return std::allocator<T>::allocate(count);
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure only costs speed
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t count) {
    if (count * sizeof(T) < kLargeBuffer) return std::allocator<T>::deallocate(p, count);
    std::free(p);
  }
};
using Words = std::vector<Ring, Uninitialised<Ring>>;

// Replicated XOR shares of bit slices of `blocks` words each, slice-major: word w of slice k
// holds bit k of elements 64·w ... 64·w + 63.
struct Bits {
  Words mine, next;
  Ring* mine_slice(std::size_t k, std::size_t blocks) { return mine.data() + k * blocks; }
  Ring* next_slice(std::size_t k, std::size_t blocks) { return next.data() + k * blocks; }
};

std::size_t blocks_of(std::size_t elements) { return (elements + kBits - 1) / kBits; }

// AND gates of the carry tree over `positions` (G and P per pair, no P for the lowest group).
std::uint64_t tree_ands(std::size_t positions) {
  std::uint64_t ands = 0;
  for (std::size_t m = positions; m > 1; m = (m + 1) / 2) ands += 2 * (m / 2) - 1;
  return ands;
}

int tree_layers(std::size_t positions) { return static_cast<int>(std::bit_width(positions - 1)); }

void fill(Prg& prg, Ring* words, std::size_t count) {
  prg.fill({reinterpret_cast<std::uint8_t*>(words), count * sizeof(Ring)});
}

void append(net::Bytes& out, const Ring* words, std::size_t count) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(words);
  out.insert(out.end(), bytes, bytes + count * sizeof(Ring));
}

// Word i of a received message (its length checked by expect_words).
Ring word_at(const net::Bytes& bytes, std::size_t i) {
  Ring w;
  std::memcpy(&w, bytes.data() + i * sizeof(Ring), sizeof w);
  return w;
}

void expect_words(const net::Bytes& bytes, std::size_t count, net::PartyId from,
                  const std::string& peer) {
  if (bytes.size() != count * sizeof(Ring)) {
    throw net::PeerError(from, peer + " sent " + std::to_string(bytes.size()) +
                                   " bytes where the comparison expects " +
                                   std::to_string(count * sizeof(Ring)));
  }
}

// In place: a[k] bit e  <->  a[e] bit k (bits counted from the least significant).
void transpose64(Ring* a) {
  Ring m = 0x00000000FFFFFFFFULL;
  for (std::size_t j = 32; j != 0; j >>= 1, m ^= m << j) {
    for (std::size_t k = 0; k < kBits; k = ((k | j) + 1) & ~j) {
      const Ring t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
}

// Bit-slices `count` words of elements first, first + 1, ... (first a multiple of 64) into
// 64 slices of `blocks` words; a last partial block is zero-padded.
void slice_words(const Ring* words, std::size_t first, std::size_t count, Ring* slices,
                 std::size_t blocks) {
  Ring block[kBits];
  for (std::size_t at = 0; at < count; at += kBits) {
    const std::size_t len = std::min(kBits, count - at);
    std::copy_n(words + at, len, block);
    std::fill(block + len, block + kBits, Ring{0});
    transpose64(block);
    const std::size_t b = (first + at) / kBits;
    for (std::size_t k = 0; k < kBits; ++k) slices[k * blocks + b] = block[k];
  }
}

Ring bit_of(const Words& words, std::size_t i) { return (words[i / kBits] >> (i % kBits)) & 1; }

}  // namespace

BitProducts Replicated::gez_times(const Shared& x, const std::vector<Shared>& values) {
  const RingPair& xs = x.pair();
  std::vector<const RingPair*> vs;
  for (const Shared& v : values) {
    if (v.rows() != x.rows() || v.cols() != x.cols()) {
      throw std::invalid_argument("gez_times: value " + std::to_string(v.rows()) + "x" +
                                  std::to_string(v.cols()) + " differs from x's shape " +
                                  std::to_string(x.rows()) + "x" + std::to_string(x.cols()));
    }
    vs.push_back(&v.pair());  // a tensor of another protocol is a programming error
  }
  const std::size_t n = static_cast<std::size_t>(x.size());
  const std::size_t blocks = blocks_of(n);
  const net::PartyId me = self(), next = next_party(), prev = prev_party();
  const auto received = [&](std::vector<net::Bytes>& in, net::PartyId from, std::size_t count) {
    expect_words(in[from], count, from, network_.peer_name(from));
    return std::move(in[from]);
  };
  Ring chunk[kChunk], other[kChunk];

  // --- Round 1: party 0 shares y = x_0 + x_1 as (y_0, y_1, 0); p = y ^ x_2 is then the
  // replicated XOR sharing (y_0, y_1, x_2), bit-sliced as it arrives.
  Bits p{Words(kBits * blocks), Words(kBits * blocks)};
  if (me == 0) {
    net::Bytes out = empty_message(n);
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      fill(key(0), chunk, len);  // y_0
      for (std::size_t i = 0; i < len; ++i) {
        other[i] = (xs.mine.data()[s + i] + xs.next.data()[s + i]) ^ chunk[i];  // y_1
      }
      append(out, other, len);
      slice_words(chunk, s, len, p.mine.data(), blocks);
      slice_words(other, s, len, p.next.data(), blocks);
    }
    round(1, std::move(out), {});
  } else if (me == 1) {
    auto in = round(-1, {}, {0});
    const net::Bytes y1 = received(in, 0, n);
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      std::memcpy(chunk, y1.data() + s * sizeof(Ring), len * sizeof(Ring));
      slice_words(chunk, s, len, p.mine.data(), blocks);
      slice_words(xs.next.data() + s, s, len, p.next.data(), blocks);  // x_2
    }
  } else {
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      fill(key(0), chunk, len);                                        // y_0
      slice_words(xs.mine.data() + s, s, len, p.mine.data(), blocks);  // x_2
      slice_words(chunk, s, len, p.next.data(), blocks);
    }
    round(-1, {}, {});
  }

  // --- Round 2: g = y & x_2 on bits 0..62. z_1 = y_1 & x_2 (party 1), z_2 = y_0 & x_2
  // (party 2), z_0 = 0; replicated as g_0 = a, g_1 = z_1 ^ c, g_2 = z_2 ^ a ^ c with a from
  // k_0 (parties 0, 2) and c from k_2 (parties 1, 2).
  const std::size_t g_words = kCarryPositions * blocks;
  Bits g{Words(g_words), Words(g_words)};
  const auto take_next = [&](std::vector<net::Bytes>& in, net::PartyId from) {
    const net::Bytes bytes = received(in, from, g_words);
    if (g_words != 0) std::memcpy(g.next.data(), bytes.data(), bytes.size());
  };
  if (me == 0) {
    fill(key(0), g.mine.data(), g_words);  // a
    auto in = round(-1, {}, {1});
    take_next(in, 1);
  } else if (me == 1) {
    fill(key(2), g.mine.data(), g_words);  // c
    for (std::size_t i = 0; i < g_words; ++i) g.mine[i] ^= p.mine[i] & p.next[i];
    auto in = round(0, message(g.mine.data(), g_words), {2});
    take_next(in, 2);
  } else {
    fill(key(0), g.next.data(), g_words);  // a
    fill(key(2), g.mine.data(), g_words);  // c
    for (std::size_t i = 0; i < g_words; ++i) g.mine[i] ^= g.next[i] ^ (p.mine[i] & p.next[i]);
    round(1, message(g.mine.data(), g_words), {});
  }

  // --- Carry tree, in place: slot j of g and p holds group j's (G, P); each layer pairs
  // groups 2j+1 (high) and 2j (low) into group j. Group 0's P is never needed (nothing below
  // it can propagate), so a layer of m groups has 2·floor(m/2) - 1 AND slices. Each AND:
  // local cross terms, an XOR sharing of zero from the pair keys, and one resharing message.
  struct Gate {
    const Ring *left_mine, *left_next, *right_mine, *right_next;
  };
  std::vector<Gate> gates;
  Words z;
  std::size_t groups = kCarryPositions;
  while (groups > 1) {
    const std::size_t pairs = groups / 2;
    gates.clear();
    for (std::size_t j = 0; j < pairs; ++j) {  // p_hi & g_lo
      gates.push_back({p.mine_slice(2 * j + 1, blocks), p.next_slice(2 * j + 1, blocks),
                       g.mine_slice(2 * j, blocks), g.next_slice(2 * j, blocks)});
    }
    for (std::size_t j = 1; j < pairs; ++j) {  // p_hi & p_lo
      gates.push_back({p.mine_slice(2 * j + 1, blocks), p.next_slice(2 * j + 1, blocks),
                       p.mine_slice(2 * j, blocks), p.next_slice(2 * j, blocks)});
    }
    const std::size_t len = gates.size() * blocks;
    z.resize(len);
    fill(key(me), z.data(), len);  // β_i = F(k_i) ^ F(k_{i+1})
    for (std::size_t s = 0; s < len; s += kChunk) {
      const std::size_t count = std::min(kChunk, len - s);
      fill(key(next), chunk, count);
      for (std::size_t i = 0; i < count; ++i) z[s + i] ^= chunk[i];
    }
    for (std::size_t t = 0; t < gates.size(); ++t) {
      const Gate& a = gates[t];
      Ring* zt = z.data() + t * blocks;
      for (std::size_t w = 0; w < blocks; ++w) {
        zt[w] ^= (a.left_mine[w] & (a.right_mine[w] ^ a.right_next[w])) ^
                 (a.left_next[w] & a.right_mine[w]);
      }
    }
    auto in = round(prev, message(z.data(), len), {next});
    const net::Bytes zn = received(in, next, len);
    // Slot j is written after slots 2j and 2j+1 are read (j ascending), so in place is safe.
    for (std::size_t j = 0; j < pairs; ++j) {
      Ring *gm = g.mine_slice(j, blocks), *gn = g.next_slice(j, blocks);
      const Ring *hm = g.mine_slice(2 * j + 1, blocks), *hn = g.next_slice(2 * j + 1, blocks);
      for (std::size_t w = 0; w < blocks; ++w) {
        gm[w] = hm[w] ^ z[j * blocks + w];
        gn[w] = hn[w] ^ word_at(zn, j * blocks + w);
      }
      if (j > 0) {
        const std::size_t at = (pairs + j - 1) * blocks;
        Ring *pm = p.mine_slice(j, blocks), *pn = p.next_slice(j, blocks);
        for (std::size_t w = 0; w < blocks; ++w) {
          pm[w] = z[at + w];
          pn[w] = word_at(zn, at + w);
        }
      }
    }
    if (groups % 2 == 1) {  // the top group waits for the next layer
      std::copy_n(g.mine_slice(groups - 1, blocks), blocks, g.mine_slice(pairs, blocks));
      std::copy_n(g.next_slice(groups - 1, blocks), blocks, g.next_slice(pairs, blocks));
      std::copy_n(p.mine_slice(groups - 1, blocks), blocks, p.mine_slice(pairs, blocks));
      std::copy_n(p.next_slice(groups - 1, blocks), blocks, p.next_slice(pairs, blocks));
    }
    groups = (groups + 1) / 2;
  }

  // Sign bit shares: p_63 ^ carry into bit 63, one word per block.
  Words sign_mine(blocks), sign_next(blocks);
  for (std::size_t w = 0; w < blocks; ++w) {
    sign_mine[w] = p.mine_slice(kTopBit, blocks)[w] ^ g.mine[w];
    sign_next[w] = p.next_slice(kTopBit, blocks)[w] ^ g.next[w];
  }

  // --- Bit to arithmetic with products: 2 rounds. Messages are chunk-major: for each chunk of
  // up to kChunk elements, one run per output (the bit, then each product).
  const Index rows = x.rows(), cols = x.cols();
  const std::size_t outputs = 1 + vs.size();
  std::vector<RingMatrix> first, second;  // this party's two shares of each output
  for (std::size_t k = 0; k < outputs; ++k) {
    first.push_back(uninitialised(rows, cols));
    second.push_back(uninitialised(rows, cols));
  }
  if (me == 0) {
    // d = b_0 ^ b_1 ^ 1 (gez = NOT sign); send d - r' and d·(v_0 + v_1) - r_k to party 1.
    net::Bytes out = empty_message(outputs * n);
    Ring d[kChunk];
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      for (std::size_t i = 0; i < len; ++i) {
        d[i] = bit_of(sign_mine, s + i) ^ bit_of(sign_next, s + i) ^ 1;
      }
      for (std::size_t k = 0; k < outputs; ++k) {
        fill(key(0), chunk, len);
        for (std::size_t i = 0; i < len; ++i) {
          const Ring v = k == 0 ? 1 : vs[k - 1]->mine.data()[s + i] + vs[k - 1]->next.data()[s + i];
          other[i] = d[i] * v - chunk[i];
        }
        append(out, other, len);
      }
    }
    round(1, std::move(out), {});
    auto in = round(-1, {}, {1, 2});
    const net::Bytes from1 = received(in, 1, outputs * n), from2 = received(in, 2, outputs * n);
    std::size_t at = 0;
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      for (std::size_t k = 0; k < outputs; ++k, at += len) {
        std::memcpy(first[k].data() + s, from2.data() + at * sizeof(Ring), len * sizeof(Ring));
        std::memcpy(second[k].data() + s, from1.data() + at * sizeof(Ring), len * sizeof(Ring));
      }
    }
  } else {
    // Parties 1 and 2 hold a 2-out-of-2 sharing of d (δ) and of each d·v (π), and b_2:
    //   party 1: δ_1 = d - r', π_1 = d·(v_0 + v_1) - r_k + δ_1·v_2
    //   party 2: δ_2 = r',     π_2 = r_k + r'·v_2
    // b = b_2 + s·d and b·v = b_2·v + s·(d·v) with s = 1 - 2·b_2, split the same way. Then
    // 2-out-of-2 (h_1, h_2) to replicated with ρ_0, ρ_1 from k_2: x_0 = h_2 + ρ_0 (party 2
    // sends it to party 0), x_1 = h_1 + ρ_1 (party 1 sends it to party 0), x_2 = -ρ_0 - ρ_1.
    net::Bytes from0;
    if (me == 1) {
      auto in = round(-1, {}, {0});
      from0 = received(in, 0, outputs * n);
    } else {
      round(-1, {}, {});
    }
    const Words& b2_words = me == 1 ? sign_next : sign_mine;
    net::Bytes out = empty_message(outputs * n);
    Ring delta[kChunk], half[kChunk], rho0[kChunk], rho1[kChunk];
    std::size_t at = 0;
    for (std::size_t s = 0; s < n; s += kChunk) {
      const std::size_t len = std::min(kChunk, n - s);
      for (std::size_t k = 0; k < outputs; ++k, at += len) {
        if (me == 1) {
          for (std::size_t i = 0; i < len; ++i) chunk[i] = word_at(from0, at + i);
        } else {
          fill(key(0), chunk, len);
        }
        if (k == 0) std::copy_n(chunk, len, delta);
        for (std::size_t i = 0; i < len; ++i) {
          const Ring b2 = bit_of(b2_words, s + i), sign = Ring{1} - 2 * b2;
          if (k == 0) {
            half[i] = (me == 1 ? b2 : 0) + sign * delta[i];
            continue;
          }
          const RingPair& v = *vs[k - 1];
          // party 1 holds (v_1, v_2), party 2 holds (v_2, v_0).
          const Ring v2 = me == 1 ? v.next.data()[s + i] : v.mine.data()[s + i];
          const Ring counted =
              me == 1 ? v.mine.data()[s + i] + v.next.data()[s + i] : v.next.data()[s + i];
          half[i] = b2 * counted + sign * (chunk[i] + delta[i] * v2);
        }
        fill(key(2), rho0, len);
        fill(key(2), rho1, len);
        Ring* sent = me == 1 ? first[k].data() + s : second[k].data() + s;
        Ring* third = me == 1 ? second[k].data() + s : first[k].data() + s;
        for (std::size_t i = 0; i < len; ++i) {
          sent[i] = half[i] + (me == 1 ? rho1[i] : rho0[i]);
          third[i] = Ring{0} - rho0[i] - rho1[i];
        }
        append(out, sent, len);
      }
    }
    round(0, std::move(out), {});
  }

  BitProducts result;
  result.bit = Shared(std::move(first[0]), std::move(second[0]));
  for (std::size_t k = 1; k < outputs; ++k) {
    result.products.emplace_back(std::move(first[k]), std::move(second[k]));
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
