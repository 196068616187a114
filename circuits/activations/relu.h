// ReLU and its derivative on additive shares over Z_2^64.
//
// relu(x) = x · [x >= 0]: the comparison circuit of circuits/compare, with the product folded
// into its bit-to-arithmetic round, so ReLU costs exactly what a comparison does plus one
// Beaver product's openings: csa_layers(n) + 8 rounds (2 parties: 8). The result is exact
// (no truncation: the factor is an integer 0/1). docs/circuits.md has the byte formula.
#pragma once

#include "circuits/compare/compare.h"

namespace jointly::circuits {

// x · [x >= 0] element-wise. If `derivative` is given it receives [x >= 0] as an arithmetic
// 0/1 share (an integer, not a fixed-point encoding) at no extra cost: ReLU's backward pass.
Shared relu(Protocol& protocol, const Shared& x, Shared* derivative = nullptr);
// [x >= 0] as an arithmetic 0/1 share (the derivative alone; relu'(0) is taken as 1).
Shared relu_derivative(Protocol& protocol, const Shared& x);

Cost relu_cost(int parties, std::uint64_t elements);

}  // namespace jointly::circuits
