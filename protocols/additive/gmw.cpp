#include "protocols/additive/gmw.h"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include "protocols/additive/additive.h"
#include "protocols/triples/triple_source.h"

namespace jointly {
namespace {

net::Bytes to_bytes(const Words& a, const Words& b) {
  net::Bytes out((a.size() + b.size()) * sizeof(Ring));
  if (!a.empty()) std::memcpy(out.data(), a.data(), a.size() * sizeof(Ring));
  if (!b.empty()) {
    std::memcpy(out.data() + a.size() * sizeof(Ring), b.data(), b.size() * sizeof(Ring));
  }
  return out;
}

std::span<const Ring> elements(const Shared& x) {
  return {x.ring().data(), static_cast<std::size_t>(x.size())};
}

// The carry tree works on 64 (generate, propagate) positions; each layer halves them.
constexpr int kPositions = kRingBits;
constexpr int kTopBit = kRingBits - 1;

// Wallace tree: three operands become two (sum, carry << 1) with one AND per bit, since
// majority(x, y, z) = ((x ^ z) & (y ^ z)) ^ z. All adders of a layer share one round.
std::vector<Words> reduce_to_two(AdditiveGmw& gmw, std::vector<Words> ops, std::size_t n) {
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
Words msb_words(AdditiveGmw& gmw, std::span<const Ring> x, bool negate) {
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
  const Ring flip = negate && gmw.public_ones() != 0 ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) top[i] = (top[i] ^ g[i] ^ flip) & 1;
  return top;
}

}  // namespace

AdditiveGmw::AdditiveGmw(Additive& additive) : additive_(additive) {}

net::PartyId AdditiveGmw::self() const { return additive_.self(); }
int AdditiveGmw::parties() const { return additive_.parties(); }
Ring AdditiveGmw::public_ones() const { return self() == 0 ? ~Ring{0} : 0; }

void AdditiveGmw::open(Words& xor_words, Words& sum_elements) {
  const std::size_t nx = xor_words.size(), ns = sum_elements.size();
  const std::vector<net::Bytes> in =
      additive_.network().broadcast(to_bytes(xor_words, sum_elements));
  const std::size_t expected = (nx + ns) * sizeof(Ring);
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (p == self()) continue;
    if (in[p].size() != expected) {
      throw net::PeerError(p, additive_.network().peer_name(p) + " sent " +
                                  std::to_string(in[p].size()) + " bytes where GMW expects " +
                                  std::to_string(expected));
    }
    const std::uint8_t* at = in[p].data();
    for (std::size_t i = 0; i < nx; ++i, at += sizeof(Ring)) {
      Ring w;
      std::memcpy(&w, at, sizeof(Ring));
      xor_words[i] ^= w;
    }
    for (std::size_t i = 0; i < ns; ++i, at += sizeof(Ring)) {
      Ring w;
      std::memcpy(&w, at, sizeof(Ring));
      sum_elements[i] += w;
    }
  }
}

Words AdditiveGmw::and_words(std::span<const Ring> x, std::span<const Ring> y) {
  if (x.size() != y.size()) throw std::logic_error("and_words: operand sizes differ");
  const Index len = static_cast<Index>(x.size());
  if (len == 0) return {};
  BeaverTriple t = additive_.triples().and_triples(1, len);
  // Beaver for AND: with d = x ^ a and e = y ^ b public,
  // x & y = c ^ (d & b) ^ (e & a) ^ (d & e), the last term added by one party only.
  Words de(2 * x.size());
  for (Index i = 0; i < len; ++i) {
    de[i] = x[i] ^ t.a.data()[i];
    de[len + i] = y[i] ^ t.b.data()[i];
  }
  Words none;
  open(de, none);
  Words z(x.size());
  const Ring lead = public_ones();
  for (Index i = 0; i < len; ++i) {
    const Ring d = de[i], e = de[len + i];
    z[i] = t.c.data()[i] ^ (d & t.b.data()[i]) ^ (e & t.a.data()[i]) ^ (d & e & lead);
  }
  return z;
}

BoolShared AdditiveGmw::input(net::PartyId owner, const RingMatrix* value, Index rows, Index cols) {
  if (owner < 0 || owner >= additive_.parties()) {
    throw std::invalid_argument("input_bits: no party " + std::to_string(owner));
  }
  if (additive_.self() != owner) return BoolShared{RingMatrix::Zero(rows, cols)};
  if (value == nullptr || value->rows() != rows || value->cols() != cols) {
    throw std::invalid_argument("input_bits: the owner must pass a value of shape " +
                                std::to_string(rows) + "x" + std::to_string(cols));
  }
  return BoolShared{*value};
}

BoolShared AdditiveGmw::sign_bits(const Shared& x, bool negate) {
  const Words bits = msb_words(*this, elements(x), negate);
  RingMatrix out(x.rows(), x.cols());
  std::copy(bits.begin(), bits.end(), out.data());
  return BoolShared{std::move(out)};
}

BitProducts AdditiveGmw::b2a_times(const BoolShared& bits, const std::vector<Shared>& values) {
  AdditiveGmw& gmw = *this;
  const Index n = bits.words.size();
  for (const Shared& v : values) {
    if (v.rows() != bits.rows() || v.cols() != bits.cols()) {
      throw std::invalid_argument("b2a_times: value shape differs from the bits' shape");
    }
  }
  TripleSource& source = additive_.triples();
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

  const Ring lead = public_ones() & 1;
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

OpCost ltz_cost(int parties, std::uint64_t elements, int products) {
  const int layers_of_carry_tree = std::countr_zero(static_cast<unsigned>(kPositions));
  OpCost cost;
  cost.rounds = static_cast<std::uint64_t>(csa_layers(parties) + 1 + layers_of_carry_tree + 1);
  const std::uint64_t words = 2 * msb_and_words(parties, elements) + chunk_words(elements, 1) +
                              2 * static_cast<std::uint64_t>(products) * elements;
  cost.bytes_sent = static_cast<std::uint64_t>(parties - 1) * words * sizeof(Ring);
  return cost;
}

std::vector<TripleRequest> gez_times_requests(int parties, Index rows, Index cols, int products) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("gez_times_requests: negative shape");
  const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
  std::vector<TripleRequest> plan;
  // and_words asks for nothing when it has no words.
  const auto and_words = [&plan](std::size_t words) {
    if (words > 0) plan.push_back(TripleRequest::and_triples(1, static_cast<Index>(words)));
  };
  // The same walk as msb_words: reduce_to_two's layers, the generate bits, the carry tree.
  for (int k = parties; k > 2; k -= k / 3) and_words(static_cast<std::size_t>(k / 3) * n);
  and_words(n);
  for (int m = kPositions; m > 1; m /= 2) and_words(chunk_words(n, m));
  plan.push_back(TripleRequest::dabits(rows, cols));
  for (int k = 0; k < products; ++k) plan.push_back(TripleRequest::elementwise(rows, cols));
  return plan;
}

}  // namespace jointly
