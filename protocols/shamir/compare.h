// The Shamir backend's comparison over F_p (p = 2^127 - 1): [x >= 0] by bit decomposition of
// a random mask, dealer-free (the shared random bits come from Shamir::random_bits).
//
// How (Catrina–de Hoogh, "Improved primitives for secure multiparty integer computation",
// SCN 2010, with a log-depth comparison tree; docs/circuits.md has the cost table):
//   1. y = x + 2^(k-1) lies in [0, 2^k) for |x| < 2^(k-1), and x >= 0 exactly when bit
//      m = k-1 of y is set.
//   2. Mask: r = sum_i 2^i r_i + 2^m R with m random shared bits r_i and a bounded R that
//      every party contributes to; open c = y + r. The low m bits of c are uniform, the rest
//      within 2^-40 of uniform (R has 42 bits per party).
//   3. y mod 2^m = (c mod 2^m) - r' + 2^m [c mod 2^m < r'], r' = sum_i 2^i r_i. The
//      comparison of the public c' with the shared bits is a tree over bit groups,
//      (E, L) = (E_hi E_lo, L_hi + E_hi L_lo) with E "equal so far" and L "c' < r' so far":
//      ceil(log2 m) rounds, 2(m-1) - 1 products per element.
//   4. [x >= 0] = (y - y mod 2^m) / 2^m, a local step.
// Rounds: 2 (random bits) + 1 (bounded R) + 1 (prepared double sharings) + 1 (open c)
// + ceil(log2 m) = 10, plus 1 for products with the bit (gez_times).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocols/protocol.h"

namespace jointly {

class Shamir;

// Inputs must satisfy |x| < 2^(kFieldCompareBits - 1) = 2^32: with the default encoding
// (|v| < 2^31, docs/fixed-point.md) that covers every encodable value and every difference of
// two (less_than, max). Outside it the result is not a bit. m = 32 makes the tree a full
// binary one: 5 rounds, 61 products.
inline constexpr int kFieldCompareBits = 33;

// [x >= 0] as a 0/1 sharing, and its products with `values` (same shape as x) in one more
// round. The bit is an integer, so the products need no truncation.
BitProducts field_gez_times(Shamir& shamir, const Shared& x, const std::vector<Shared>& values);
// [x + o_j >= 0] for several public offsets o_j at once, stacked: block j (rows j·R .. of the
// k·R x C result, R x C = x's shape) is threshold j; values have the stacked shape. One mask
// and one opening serve every offset (the parties add o_j to the opened c), so k thresholds
// cost one set of random bits and k comparison trees.
BitProducts field_gez_offsets_times(Shamir& shamir, const Shared& x,
                                    std::span<const std::int64_t> offsets,
                                    const std::vector<Shared>& values);

// Products in the comparison tree for one element, and the tree's depth (rounds).
int field_compare_products(int bits = kFieldCompareBits - 1);
int field_compare_depth(int bits = kFieldCompareBits - 1);
// What field_gez_times costs each party with `parties` parties (t = (parties-1)/2).
OpCost field_gez_cost(int parties, std::uint64_t elements, int products = 0, int thresholds = 1);

}  // namespace jointly
