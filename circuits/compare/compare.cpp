#include "circuits/compare/compare.h"

#include <bit>
#include <span>
#include <stdexcept>
#include <string>

#include "circuits/compare/field_compare.h"
#include "circuits/gmw/gmw.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/triple_source.h"

namespace jointly::circuits {
namespace {

// The carry tree works on 64 (generate, propagate) positions; each layer halves them.
constexpr int kPositions = kRingBits;
constexpr int kTopBit = kRingBits - 1;

std::span<const Ring> elements(const Shared& x) {
  return {x.ring().data(), static_cast<std::size_t>(x.size())};
}

// Wallace tree: three operands become two (sum, carry << 1) with one AND per bit, since
// majority(x, y, z) = ((x ^ z) & (y ^ z)) ^ z. All adders of a layer share one round.
std::vector<Words> reduce_to_two(Gmw& gmw, std::vector<Words> ops, std::size_t n) {
  while (ops.size() > 2) {
    const std::size_t adders = ops.size() / 3;
    Words left(adders * n), right(adders * n);
    for (std::size_t t = 0; t < adders; ++t) {
      const Words &x = ops[3 * t], &y = ops[3 * t + 1], &z = ops[3 * t + 2];
      for (std::size_t i = 0; i < n; ++i) {
        left[t * n + i] = x[i] ^ z[i];
        right[t * n + i] = y[i] ^ z[i];
      }
    }
    const Words both = gmw.and_words(left, right);
    std::vector<Words> next;
    for (std::size_t t = 0; t < adders; ++t) {
      const Words &x = ops[3 * t], &y = ops[3 * t + 1], &z = ops[3 * t + 2];
      Words sum(n), carry(n);
      for (std::size_t i = 0; i < n; ++i) {
        sum[i] = x[i] ^ y[i] ^ z[i];
        carry[i] = (both[t * n + i] ^ z[i]) << 1;
      }
      next.push_back(std::move(sum));
      next.push_back(std::move(carry));
    }
    for (std::size_t k = 3 * adders; k < ops.size(); ++k) next.push_back(std::move(ops[k]));
    ops = std::move(next);
  }
  return ops;
}

// XOR shares of the top bit of each x (bit 0 of each word), flipped if `negate`.
Words msb_words(Gmw& gmw, std::span<const Ring> x, bool negate) {
  const std::size_t n = x.size();
  std::vector<Words> ops(static_cast<std::size_t>(gmw.parties()), Words(n, 0));
  std::copy(x.begin(), x.end(), ops[static_cast<std::size_t>(gmw.self())].begin());
  ops = reduce_to_two(gmw, std::move(ops), n);
  const Words &a = ops[0], &b = ops[1];

  // Shift by one so that position 0 is a neutral (g = p = 0) slot and positions 1..63 hold
  // bits 0..62: the carry out of all 64 positions is then the carry into bit 63.
  Words top(n), sa(n), sb(n);
  for (std::size_t i = 0; i < n; ++i) {
    top[i] = (a[i] ^ b[i]) >> kTopBit;
    sa[i] = a[i] << 1;
    sb[i] = b[i] << 1;
  }
  Words g = gmw.and_words(sa, sb);
  Words p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = sa[i] ^ sb[i];

  // Layer with m groups: pair group 2j+1 (high) with 2j (low). One AND call computes
  // P_hi & G_lo (low half of each m-bit chunk) and P_hi & P_lo (high half).
  Words left(n), right(n), z(n);
  for (int m = kPositions; m > 1; m /= 2) {
    const int half = m / 2;
    const Ring low_mask = (Ring{1} << half) - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const Ring p_hi = odd_bits(p[i]);
      left[i] = p_hi | (p_hi << half);
      right[i] = even_bits(g[i]) | (even_bits(p[i]) << half);
    }
    const Words packed = gmw.and_words(pack_chunks(left, m), pack_chunks(right, m));
    unpack_chunks(packed, m, z);
    for (std::size_t i = 0; i < n; ++i) {
      g[i] = odd_bits(g[i]) ^ (z[i] & low_mask);
      p[i] = z[i] >> half;
    }
  }
  const Ring flip = negate && gmw.leader() ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) top[i] = (top[i] ^ g[i] ^ flip) & 1;
  return top;
}

BoolShared sign_bits(Protocol& protocol, const Shared& x, bool negate, const char* op) {
  Gmw gmw(protocol, op);
  const Words bits = msb_words(gmw, elements(x), negate);
  RingMatrix out(x.rows(), x.cols());
  std::copy(bits.begin(), bits.end(), out.data());
  return BoolShared{std::move(out)};
}

}  // namespace

BoolShared ltz_bits(Protocol& protocol, const Shared& x) {
  return sign_bits(protocol, x, false, "ltz");
}

BoolShared gez_bits(Protocol& protocol, const Shared& x) {
  return sign_bits(protocol, x, true, "gez");
}

BitProducts b2a_times(Protocol& protocol, const BoolShared& bits,
                      const std::vector<Shared>& values) {
  Gmw gmw(protocol, "b2a");
  const Index n = bits.words.size();
  for (const Shared& v : values) {
    if (v.rows() != bits.rows() || v.cols() != bits.cols()) {
      throw std::invalid_argument("b2a_times: value shape differs from the bits' shape");
    }
  }
  TripleSource& source = gmw.triples();
  const DaBits r = source.dabits(bits.rows(), bits.cols());
  std::vector<BeaverTriple> triples;
  for (std::size_t k = 0; k < values.size(); ++k) {
    triples.push_back(source.elementwise(bits.rows(), bits.cols()));
  }
  // One round: c = b ^ r packed one bit per element, and Beaver's d = v - a, e = r - b for
  // every product r·v.
  Words masked(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) masked[i] = (bits.words.data()[i] ^ r.xor_bits.data()[i]) & 1;
  Words c_words = pack_chunks(masked, 1);
  Words de(2 * values.size() * static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < values.size(); ++k) {
    Ring* d = de.data() + 2 * k * n;
    Ring* e = d + n;
    for (Index i = 0; i < n; ++i) {
      d[i] = values[k].ring().data()[i] - triples[k].a.data()[i];
      e[i] = r.ring_bits.data()[i] - triples[k].b.data()[i];
    }
  }
  gmw.open(c_words, de);
  Words c(static_cast<std::size_t>(n));
  unpack_chunks(c_words, 1, c);

  const Ring lead = gmw.leader() ? 1 : 0;
  BitProducts out;
  out.bit = Shared(RingMatrix(bits.rows(), bits.cols()));
  for (Index i = 0; i < n; ++i) {
    const Ring ri = r.ring_bits.data()[i];
    out.bit.ring().data()[i] = lead * c[i] + ri - 2 * c[i] * ri;
  }
  for (std::size_t k = 0; k < values.size(); ++k) {
    const Ring* d = de.data() + 2 * k * n;
    const Ring* e = d + n;
    const BeaverTriple& t = triples[k];
    RingMatrix prod(bits.rows(), bits.cols());
    for (Index i = 0; i < n; ++i) {
      const Ring rv =
          t.c.data()[i] + d[i] * t.b.data()[i] + e[i] * t.a.data()[i] + lead * d[i] * e[i];
      // b·v = c·v + (1 - 2c)·r·v with c public.
      prod.data()[i] = c[i] * values[k].ring().data()[i] + (1 - 2 * c[i]) * rv;
    }
    out.products.emplace_back(std::move(prod));
  }
  return out;
}

Shared b2a(Protocol& protocol, const BoolShared& bits) { return b2a_times(protocol, bits, {}).bit; }

BitProducts gez_times(Protocol& protocol, const Shared& x, const std::vector<Shared>& values) {
  if (auto* shamir = dynamic_cast<Shamir*>(&protocol)) return field_gez_times(*shamir, x, values);
  return b2a_times(protocol, gez_bits(protocol, x), values);
}

BitProducts gez_offsets_times(Protocol& protocol, const Shared& x,
                              std::span<const std::int64_t> offsets,
                              const std::vector<Shared>& values) {
  if (auto* shamir = dynamic_cast<Shamir*>(&protocol))
    return field_gez_offsets_times(*shamir, x, offsets, values);
  const Index k = static_cast<Index>(offsets.size()), rows = x.rows(), cols = x.cols();
  IntMatrix shift(k * rows, cols);
  for (Index j = 0; j < k; ++j)
    shift.middleRows(j * rows, rows).setConstant(offsets[static_cast<std::size_t>(j)]);
  const Shared stacked = Shared::vstack(std::vector<Shared>(static_cast<std::size_t>(k), x));
  return gez_times(protocol, protocol.add_public(stacked, shift), values);
}

Shared ltz(Protocol& protocol, const Shared& x) {
  if (dynamic_cast<Shamir*>(&protocol) == nullptr) return b2a(protocol, ltz_bits(protocol, x));
  const Shared gez = gez_times(protocol, x, {}).bit;  // [x < 0] = 1 - [x >= 0]
  return protocol.add_public(protocol.scale(gez, -1), IntMatrix::Ones(x.rows(), x.cols()));
}

Shared less_than(Protocol& protocol, const Shared& a, const Shared& b) {
  return ltz(protocol, protocol.sub(a, b));
}

RowMax max_rows(Protocol& protocol, const Shared& x, bool with_argmax) {
  if (x.cols() == 0) throw std::invalid_argument("max_rows: a row has no columns");
  const Index rows = x.rows();
  Shared cur = x;
  Shared idx;
  if (with_argmax) {
    IntMatrix columns(rows, x.cols());
    for (Index c = 0; c < x.cols(); ++c) columns.col(c).setConstant(c);
    idx = protocol.add_public(protocol.sub(x, x), columns);  // zero shares of x's kind
  }
  // Each layer compares the left half of the columns with the right half; an odd last column
  // waits for the next layer. ceil(log2(cols)) layers.
  while (cur.cols() > 1) {
    const Index half = cur.cols() / 2;
    const Shared a = cur.block(0, 0, rows, half), b = cur.block(0, half, rows, half);
    const Shared diff = protocol.sub(a, b);
    std::vector<Shared> values{diff};
    if (with_argmax) {
      values.push_back(protocol.sub(idx.block(0, 0, rows, half), idx.block(0, half, rows, half)));
    }
    const BitProducts s = gez_times(protocol, diff, values);
    Shared next = protocol.add(b, s.products[0]);  // b + [a >= b]·(a - b)
    Shared next_idx;
    if (with_argmax) next_idx = protocol.add(idx.block(0, half, rows, half), s.products[1]);
    if (cur.cols() % 2 == 1) {
      next = Shared::hstack({next, cur.block(0, 2 * half, rows, 1)});
      if (with_argmax) next_idx = Shared::hstack({next_idx, idx.block(0, 2 * half, rows, 1)});
    }
    cur = std::move(next);
    idx = std::move(next_idx);
  }
  return RowMax{std::move(cur), std::move(idx)};
}

int csa_layers(int parties) {
  int layers = 0;
  for (int k = parties; k > 2; k -= k / 3) ++layers;
  return layers;
}

std::uint64_t msb_and_words(int parties, std::uint64_t elements) {
  std::uint64_t words = 0;
  for (int k = parties; k > 2; k -= k / 3) words += static_cast<std::uint64_t>(k / 3) * elements;
  words += elements;  // generate bits
  for (int m = kPositions; m > 1; m /= 2) words += chunk_words(elements, m);
  return words;
}

Cost ltz_cost(int parties, std::uint64_t elements, int products) {
  const int layers_of_carry_tree = std::countr_zero(static_cast<unsigned>(kPositions));
  Cost cost;
  cost.rounds = static_cast<std::uint64_t>(csa_layers(parties) + 1 + layers_of_carry_tree + 1);
  const std::uint64_t words = 2 * msb_and_words(parties, elements) + chunk_words(elements, 1) +
                              2 * static_cast<std::uint64_t>(products) * elements;
  cost.bytes_sent = static_cast<std::uint64_t>(parties - 1) * words * sizeof(Ring);
  return cost;
}

}  // namespace jointly::circuits
