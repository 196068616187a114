#include "circuits/activations/relu.h"

namespace jointly::circuits {

Shared relu(Protocol& protocol, const Shared& x, Shared* derivative) {
  BitProducts r = gez_times(protocol, x, {x});
  if (derivative != nullptr) *derivative = std::move(r.bit);
  return std::move(r.products[0]);
}

Shared relu_derivative(Protocol& protocol, const Shared& x) {
  return gez_times(protocol, x, {}).bit;
}

Cost relu_cost(const Protocol& protocol, std::uint64_t elements) {
  return protocol.gez_cost(elements, 1);
}

}  // namespace jointly::circuits
