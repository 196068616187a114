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
#include "protocols/additive/additive.h"
#include "protocols/ot/extension/cot_channel.h"
#include "protocols/protocol.h"
#include "protocols/triples/ot/plan.h"
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

  // True when the source can make a whole plan ahead of the online phase (OT triples); the
  // dealer expands its seed on demand and Shamir makes its randomness inside each operation.
  bool has_offline_phase() const;
  // The offline phase: generates every item of `plan` now (throws std::logic_error without
  // an offline phase). `progress` receives OTs done and in total.
  void prepare(const std::vector<TripleRequest>& plan, const ot::Progress& progress) const;
};

// `resume`: an additive party restarted from a checkpoint builds its protocol from the
// checkpoint's seeds (parties/common/checkpoint.h).
ProtocolStack make_protocol(const Consortium& c, net::Network& network,
                            const AdditiveState* resume = nullptr);
// The additive protocol's truncation rule in the file (pair unless "local").
Truncation truncation_of(const Consortium& c);

}  // namespace jointly::parties
