// ReLU and its derivative, on every protocol.
//
// relu(x) = x · [x >= 0]: the backend's comparison (Protocol::gez_times) with the product
// folded into its last round where the backend can, so ReLU costs a comparison with one
// product: Protocol::gez_cost(elements, 1). The result is exact (no truncation: the factor is
// an integer 0/1). docs/circuits.md has each backend's figures.
#pragma once

#include "circuits/compare/compare.h"

namespace jointly::circuits {

// x · [x >= 0] element-wise. If `derivative` is given it receives [x >= 0] as an arithmetic
// 0/1 share (an integer, not a fixed-point encoding) at no extra cost: ReLU's backward pass.
Shared relu(Protocol& protocol, const Shared& x, Shared* derivative = nullptr);
// [x >= 0] as an arithmetic 0/1 share (the derivative alone; relu'(0) is taken as 1).
Shared relu_derivative(Protocol& protocol, const Shared& x);

Cost relu_cost(const Protocol& protocol, std::uint64_t elements);

}  // namespace jointly::circuits
