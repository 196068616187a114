// Comparison on shares: [x >= 0], [x < 0], a < b, and max / argmax over rows, for every
// protocol. Each backend brings its own comparison circuit (Protocol::gez_times: GMW on the
// additive shares' bits in protocols/additive/gmw.h, bit decomposition of a random mask on
// Shamir shares in protocols/shamir/compare.h, a binary replicated adder in
// protocols/replicated); this layer composes them. Rounds and bytes per call:
// Protocol::gez_cost and docs/circuits.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "circuits/gmw/bool_shared.h"
#include "protocols/protocol.h"

namespace jointly::circuits {

using jointly::BitProducts;
using Cost = OpCost;

// --- Comparison as XOR-shared bits (backends with Protocol::binary() only) -------------
// [x < 0], i.e. the top bit of x read as a signed 64-bit integer, one bit per element.
BoolShared ltz_bits(Protocol& protocol, const Shared& x);
// [x >= 0]: the same circuit with the output bit flipped.
BoolShared gez_bits(Protocol& protocol, const Shared& x);
// [b] as an arithmetic 0/1 share (1 round), and with its products with each v (same shape as
// the bits) in the same round.
Shared b2a(Protocol& protocol, const BoolShared& bits);
BitProducts b2a_times(Protocol& protocol, const BoolShared& bits,
                      const std::vector<Shared>& values);

// --- Arithmetic results, for every protocol ------------------------------------------------
// [x >= 0] as an arithmetic 0/1 share and its products with each v (same shape as x).
BitProducts gez_times(Protocol& protocol, const Shared& x, const std::vector<Shared>& values);
// [x + o_j >= 0] for several public offsets, stacked: block j of the (k·rows) x cols result is
// offset j, and `values` have that stacked shape.
BitProducts gez_offsets_times(Protocol& protocol, const Shared& x,
                              std::span<const std::int64_t> offsets,
                              const std::vector<Shared>& values);
// [x < 0] as an arithmetic 0/1 share.
Shared ltz(Protocol& protocol, const Shared& x);
// [a < b] as an arithmetic 0/1 share; exact when a - b is within the backend's range.
Shared less_than(Protocol& protocol, const Shared& a, const Shared& b);

// Maximum of each row, by a tree of comparisons: ceil(log2(cols)) comparison layers. With
// `with_argmax`, also the column index (a plain integer, not a fixed-point encoding) of a
// maximal element of each row; ties pick any maximal column.
struct RowMax {
  Shared max;     // rows x 1
  Shared argmax;  // rows x 1, empty unless requested
};
RowMax max_rows(Protocol& protocol, const Shared& x, bool with_argmax = false);

}  // namespace jointly::circuits
