#include "protocols/triples/dealer.h"

#include <functional>
#include <stdexcept>
#include <string>

namespace jointly {

Dealer::Dealer(const Seed& master, net::PartyId self, int parties)
    : self_(self), parties_(parties) {
  for (net::PartyId p = 0; p < parties; ++p) {
    if (corrects() || p == self) streams_.emplace_back(derive_seed(master, "dealer.party", p));
  }
  traffic_.bytes_received = kSeedBytes;
  traffic_.messages_received = 1;
  traffic_.rounds = 1;  // a real dealer sends the seed and all corrections in one batch
}

std::string Dealer::name() const {
  return "dealer (SIMULATION ONLY: the dealer can compute every share)";
}

std::vector<std::uint64_t> Dealer::positions() const {
  std::vector<std::uint64_t> out;
  for (const Prg& s : streams_) out.push_back(s.position());
  return out;
}

void Dealer::seek(const std::vector<std::uint64_t>& positions) {
  if (positions.size() != streams_.size()) {
    throw std::invalid_argument("dealer: " + std::to_string(positions.size()) +
                                " stream positions for " + std::to_string(streams_.size()) +
                                " streams");
  }
  for (std::size_t i = 0; i < streams_.size(); ++i) streams_[i].seek(positions[i]);
}

void Dealer::count_correction(Index elements) {
  if (corrects()) traffic_.bytes_received += static_cast<std::uint64_t>(elements) * sizeof(Ring);
}

// Shared by both triple shapes: shares of a and b from the streams, c from the product.
template <class Product>
BeaverTriple Dealer::triple(Shape a_shape, Shape b_shape, Shape c_shape, Product product) {
  auto draw = [](Prg& s, Shape shape) { return s.ring(shape.rows, shape.cols); };
  BeaverTriple t;
  if (!corrects()) {
    Prg& s = stream(self_);
    t.a = draw(s, a_shape);
    t.b = draw(s, b_shape);
    t.c = draw(s, c_shape);
    return t;
  }
  RingMatrix a_sum = RingMatrix::Zero(a_shape.rows, a_shape.cols);
  RingMatrix b_sum = RingMatrix::Zero(b_shape.rows, b_shape.cols);
  RingMatrix c_others = RingMatrix::Zero(c_shape.rows, c_shape.cols);
  for (net::PartyId p = 0; p + 1 < parties_; ++p) {
    Prg& s = stream(p);
    a_sum += draw(s, a_shape);
    b_sum += draw(s, b_shape);
    c_others += draw(s, c_shape);
  }
  Prg& own = stream(self_);
  t.a = draw(own, a_shape);
  t.b = draw(own, b_shape);
  a_sum += t.a;
  b_sum += t.b;
  t.c = product(a_sum, b_sum) - c_others;
  count_correction(c_shape.rows * c_shape.cols);
  return t;
}

BeaverTriple Dealer::elementwise(Index rows, Index cols) {
  return triple(
      {rows, cols}, {rows, cols}, {rows, cols},
      [](const RingMatrix& a, const RingMatrix& b) -> RingMatrix { return a.cwiseProduct(b); });
}

BeaverTriple Dealer::matrix(Index m, Index k, Index n) {
  return triple({m, k}, {k, n}, {m, n},
                [](const RingMatrix& a, const RingMatrix& b) -> RingMatrix { return a * b; });
}

TruncPair Dealer::trunc_pair(Index rows, Index cols, int bits) {
  if (!corrects()) {
    Prg& s = stream(self_);
    TruncPair t;
    t.r = s.ring(rows, cols);
    t.r_msb = s.ring(rows, cols);
    t.r_low = s.ring(rows, cols);
    return t;
  }
  RingMatrix r_sum = RingMatrix::Zero(rows, cols);
  RingMatrix msb_others = RingMatrix::Zero(rows, cols);
  RingMatrix low_others = RingMatrix::Zero(rows, cols);
  for (net::PartyId p = 0; p + 1 < parties_; ++p) {
    Prg& s = stream(p);
    r_sum += s.ring(rows, cols);
    msb_others += s.ring(rows, cols);
    low_others += s.ring(rows, cols);
  }
  TruncPair t;
  t.r = stream(self_).ring(rows, cols);
  r_sum += t.r;
  constexpr Ring kLowMask = (Ring{1} << 63) - 1;
  t.r_msb = r_sum.unaryExpr([](Ring r) { return r >> 63; }) - msb_others;
  t.r_low = r_sum.unaryExpr([bits](Ring r) { return (r & kLowMask) >> bits; }) - low_others;
  count_correction(2 * rows * cols);
  return t;
}

BeaverTriple Dealer::and_triples(Index rows, Index cols) {
  BeaverTriple t;
  if (!corrects()) {
    Prg& s = stream(self_);
    t.a = s.ring(rows, cols);
    t.b = s.ring(rows, cols);
    t.c = s.ring(rows, cols);
    return t;
  }
  RingMatrix a_xor = RingMatrix::Zero(rows, cols);
  RingMatrix b_xor = a_xor, c_xor = a_xor;
  for (net::PartyId p = 0; p + 1 < parties_; ++p) {
    Prg& s = stream(p);
    a_xor = a_xor.binaryExpr(s.ring(rows, cols), std::bit_xor<Ring>());
    b_xor = b_xor.binaryExpr(s.ring(rows, cols), std::bit_xor<Ring>());
    c_xor = c_xor.binaryExpr(s.ring(rows, cols), std::bit_xor<Ring>());
  }
  Prg& own = stream(self_);
  t.a = own.ring(rows, cols);
  t.b = own.ring(rows, cols);
  a_xor = a_xor.binaryExpr(t.a, std::bit_xor<Ring>());
  b_xor = b_xor.binaryExpr(t.b, std::bit_xor<Ring>());
  t.c = a_xor.binaryExpr(b_xor, std::bit_and<Ring>()).binaryExpr(c_xor, std::bit_xor<Ring>());
  count_correction(rows * cols);
  return t;
}

DaBits Dealer::dabits(Index rows, Index cols) {
  DaBits d;
  if (!corrects()) {
    Prg& s = stream(self_);
    d.xor_bits = s.bits(rows, cols);
    d.ring_bits = s.ring(rows, cols);
    return d;
  }
  RingMatrix bit = RingMatrix::Zero(rows, cols);
  RingMatrix ring_others = RingMatrix::Zero(rows, cols);
  for (net::PartyId p = 0; p + 1 < parties_; ++p) {
    Prg& s = stream(p);
    bit = bit.binaryExpr(s.bits(rows, cols), std::bit_xor<Ring>());
    ring_others += s.ring(rows, cols);
  }
  // The last party's XOR share comes from its own stream; the bit is the XOR of all shares.
  d.xor_bits = stream(self_).bits(rows, cols);
  bit = bit.binaryExpr(d.xor_bits, std::bit_xor<Ring>());
  d.ring_bits = bit - ring_others;
  count_correction(rows * cols);
  return d;
}

}  // namespace jointly
