// Secure comparison on additive shares over Z_2^64: less-than-zero (the top bit), comparison,
// bit-to-arithmetic conversion, and max / argmax over rows.
//
// How (docs/circuits.md has the derivation and the cost table):
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
// Rounds: csa_layers(n) + 8 (2 parties: 8). All functions are vectorised over whole tensors.
//
// The XOR-shared functions (ltz_bits, gez_bits, b2a*) are for the additive protocol only and
// throw std::invalid_argument naming the protocol otherwise; gez_times, ltz, less_than and
// max_rows also run on Shamir shares (circuits/compare/field_compare.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "circuits/gmw/bool_shared.h"
#include "protocols/protocol.h"

namespace jointly::circuits {

// --- Comparison as XOR-shared bits (one bit per element, bit 0 of the element's word) -----
// [x < 0], i.e. the top bit of x read as a signed 64-bit integer.
BoolShared ltz_bits(Protocol& protocol, const Shared& x);
// [x >= 0]: the same circuit with the output bit flipped.
BoolShared gez_bits(Protocol& protocol, const Shared& x);

// --- Bit to arithmetic ----------------------------------------------------------------
// [b] as an arithmetic 0/1 share (1 round).
Shared b2a(Protocol& protocol, const BoolShared& bits);
// [b] and [b ∘ v] for each v (same shape as the bits), all in the one round of b2a.
struct BitProducts {
  Shared bit;
  std::vector<Shared> products;
};
BitProducts b2a_times(Protocol& protocol, const BoolShared& bits,
                      const std::vector<Shared>& values);

// --- Arithmetic results, for every protocol ------------------------------------------------
// [x >= 0] as an arithmetic 0/1 share and its products with each v (same shape as x): on
// additive shares the circuit above with the products folded into b2a's round; on Shamir
// shares bit decomposition of a random mask (field_compare.h, |x| < 2^39) and one product
// round. The functions below and circuits/activations are built on this one.
BitProducts gez_times(Protocol& protocol, const Shared& x, const std::vector<Shared>& values);
// [x + o_j >= 0] for several public offsets, stacked: block j of the (k·rows) x cols result is
// offset j, and `values` have that stacked shape. Additive: gez_times on the stacked x + o_j.
// Shamir: one random mask for all offsets (field_gez_offsets_times), k comparison trees.
BitProducts gez_offsets_times(Protocol& protocol, const Shared& x,
                              std::span<const std::int64_t> offsets,
                              const std::vector<Shared>& values);
// [x < 0] as an arithmetic 0/1 share. Exact for every 64-bit x (signed reading).
Shared ltz(Protocol& protocol, const Shared& x);
// [a < b] as an arithmetic 0/1 share; exact when |a - b| < 2^63 (a - b does not wrap).
Shared less_than(Protocol& protocol, const Shared& a, const Shared& b);

// Maximum of each row, by a tree of comparisons: ceil(log2(cols)) comparison layers, each of
// ltz_rounds(n) rounds. With `with_argmax`, also the column index (a plain integer, not a
// fixed-point encoding) of a maximal element of each row; ties pick any maximal column.
struct RowMax {
  Shared max;     // rows x 1
  Shared argmax;  // rows x 1, empty unless requested
};
RowMax max_rows(Protocol& protocol, const Shared& x, bool with_argmax = false);

// --- Cost (what the tests assert against net::Network::traffic()) -------------------------
struct Cost {
  std::uint64_t rounds = 0;
  std::uint64_t bytes_sent = 0;  // by each party, to all peers together
};
// Carry-save layers that reduce n operands to two (0 for n = 2).
int csa_layers(int parties);
// AND words (64 gates each) one party evaluates for the top bit of `elements` values.
std::uint64_t msb_and_words(int parties, std::uint64_t elements);
// ltz_bits followed by b2a_times with `products` products per element.
Cost ltz_cost(int parties, std::uint64_t elements, int products = 0);

}  // namespace jointly::circuits
