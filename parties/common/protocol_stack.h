// The protocol a consortium file selects, built by protocols/spec.h (the one construction
// site and rule set for every binary and test).
#pragma once

#include "net/network.h"
#include "parties/common/config.h"
#include "protocols/spec.h"

namespace jointly::parties {

// `resume`: a party restarted from a checkpoint builds its protocol from the checkpoint's
// streams (parties/common/checkpoint.h).
ProtocolStack make_protocol(const Consortium& c, net::Network& network,
                            const PrgStreams* resume = nullptr);

}  // namespace jointly::parties
