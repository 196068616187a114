// The protocol a consortium file selects, with its source of correlated randomness:
//   protocol = "additive", triples = "dealer"  simulated dealer (SIMULATION ONLY)
//   protocol = "additive", triples = "ot"      two parties, triples by oblivious transfer
//   protocol = "shamir",   triples = "dn07"    3+ parties, honest majority, no dealer
// jointly-party and jointly-bench build their protocol here, so every binary runs the same
// combinations with the same options.
#pragma once

#include <memory>
#include <string>

#include "net/network.h"
#include "parties/common/config.h"
#include "protocols/protocol.h"
#include "protocols/triples/triple_source.h"

namespace jointly::parties {

struct ProtocolStack {
  std::unique_ptr<TripleSource> triples;  // additive only; null for Shamir
  std::unique_ptr<Protocol> protocol;

  // Traffic of the preprocessing that ran apart from the online phase on the same network
  // (OT triples); zero where preprocessing is inline (Shamir's DN07 randomness is made inside
  // each operation and counted as online) or off the network (the simulated dealer).
  net::Traffic offline_on_network() const;
  std::string triples_name() const;
};

ProtocolStack make_protocol(const Consortium& c, net::Network& network);

}  // namespace jointly::parties
