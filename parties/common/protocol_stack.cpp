#include "parties/common/protocol_stack.h"

namespace jointly::parties {

ProtocolStack make_protocol(const Consortium& c, net::Network& network, const PrgStreams* resume) {
  ProtocolSpec spec = spec_of(c);
  if (resume != nullptr) spec.resume = *resume;
  return build(spec, network);
}

}  // namespace jointly::parties
