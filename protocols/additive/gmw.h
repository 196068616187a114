// The additive backend's boolean engine: GMW over XOR shares (Goldreich–Micali–Wigderson
// 1987; the n-party semi-honest variant with Beaver-style AND triples, as in ABY / MOTION),
// and on it the comparison of additive shares over Z_2^64.
//
// AND gates consume the TripleSource's packed AND triples (64 independent bit triples per
// uint64), so one and_words call evaluates 64 × len AND gates in exactly one round: every
// party broadcasts d = x ^ a and e = y ^ b, 2·len words to each peer.
//
// Comparison (docs/circuits.md has the derivation and the cost table):
//   1. Each party's share is already an XOR sharing of itself (it holds the share, the others
//      hold zero). For n > 2 parties a Wallace tree of carry-save adders reduces the n
//      operands to two: one AND round per tree layer (n = 3: 1 layer, n = 5: 3 layers).
//   2. The top bit of A + B is A_63 ^ B_63 ^ carry_63, and carry_63 is the carry out of the
//      63 low bits: generate/propagate bits (1 round) and a log-depth tree of the carry
//      operator (G, P) ∘ (G', P') = (G ^ P&G', P&P') over 64 positions (6 rounds). Every
//      layer evaluates all elements and all bit positions in one round, packed 64 AND gates
//      to a word.
//   3. Bit to arithmetic with a daBit r: open c = b ^ r (one bit per element), then
//      [b] = c + [r] - 2c[r]. Products b·v that a caller needs (ReLU, max, select) ride in
//      the same round: b·v = c·v + (1 - 2c)·r·v, and r·v is a Beaver product whose openings
//      are independent of c.
// Rounds: csa_layers(n) + 8 (2 parties: 8). Exact for every 64-bit x (signed reading).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocols/binary.h"
#include "protocols/triples/triple_source.h"

namespace jointly {

class Additive;

class AdditiveGmw final : public BinarySharing {
 public:
  explicit AdditiveGmw(Additive& additive);

  net::PartyId self() const;
  int parties() const;

  Words and_words(std::span<const Ring> x, std::span<const Ring> y) override;
  void open(Words& xor_words, Words& sum_elements) override;
  Ring public_ones() const override;
  // The owner's share is the value, everyone else's is zero: this reveals nothing, since AND
  // gates mask with fresh triples (0 rounds).
  BoolShared input(net::PartyId owner, const RingMatrix* value, Index rows, Index cols) override;

  BoolShared sign_bits(const Shared& x, bool negate) override;
  BitProducts b2a_times(const BoolShared& bits, const std::vector<Shared>& values) override;

 private:
  Additive& additive_;
};

// --- Cost (what the tests assert against net::Network::traffic()) -------------------------
// Carry-save layers that reduce n operands to two (0 for n = 2).
int csa_layers(int parties);
// AND words (64 gates each) one party evaluates for the top bit of `elements` values.
std::uint64_t msb_and_words(int parties, std::uint64_t elements);
// sign_bits followed by b2a_times with `products` products per element.
OpCost ltz_cost(int parties, std::uint64_t elements, int products = 0);

// --- Preprocessing (what an offline plan lists, protocols/triples/provider.h) --------------
// The requests sign_bits then b2a_times (with `products` values) make of the TripleSource for
// a rows x cols x, in order: AND triples (1 x words) for each carry-save layer, the generate
// bits and each carry-tree layer (msb_and_words in total), then one daBit per element and
// `products` element-wise triples of x's shape.
std::vector<TripleRequest> gez_times_requests(int parties, Index rows, Index cols, int products);

}  // namespace jointly
