#include "circuits/gmw/gmw.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace jointly::circuits {

BinarySharing& binary_of(Protocol& protocol, std::string_view op) {
  if (BinarySharing* engine = protocol.binary()) return *engine;
  throw std::invalid_argument(std::string(op) +
                              " needs a protocol with a bit-wise XOR sharing (additive), not " +
                              protocol.name());
}

BoolShared input_bits(Protocol& protocol, net::PartyId owner, const RingMatrix* value, Index rows,
                      Index cols) {
  return binary_of(protocol, "input_bits").input(owner, value, rows, cols);
}

RingMatrix open_bits(Protocol& protocol, const BoolShared& x) {
  Words words(x.words.data(), x.words.data() + x.words.size()), none;
  binary_of(protocol, "open_bits").open(words, none);
  RingMatrix out(x.rows(), x.cols());
  std::copy(words.begin(), words.end(), out.data());
  return out;
}

}  // namespace jointly::circuits
