#include "parties/common/protocol_stack.h"

#include <stdexcept>

#include "protocols/additive/additive.h"
#include "protocols/prg.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/ot/ot_triples.h"

namespace jointly::parties {

ProtocolStack make_protocol(const Consortium& c, net::Network& network,
                            const AdditiveState* resume) {
  ProtocolStack stack;
  if (c.protocol == "shamir") {
    stack.protocol = std::make_unique<Shamir>(network);
    return stack;
  }
  if (c.triples == "ot") {
    stack.triples = std::make_unique<OtTriples>(network, random_seed());
  } else {
    stack.triples = std::make_unique<Dealer>(*c.dealer_seed, network.self(), network.parties());
  }
  AdditiveOptions options;
  options.truncation = truncation_of(c);
  if (resume != nullptr) options.resume = *resume;
  stack.protocol = std::make_unique<Additive>(network, *stack.triples, options);
  return stack;
}

Truncation truncation_of(const Consortium& c) {
  return c.truncation == "local" ? Truncation::kLocal : Truncation::kPair;
}

bool ProtocolStack::has_offline_phase() const {
  return dynamic_cast<const OtTriples*>(triples.get()) != nullptr;
}

void ProtocolStack::prepare(const std::vector<TripleRequest>& plan,
                            const ot::Progress& progress) const {
  auto* ot = dynamic_cast<OtTriples*>(triples.get());
  if (ot == nullptr) throw std::logic_error("prepare: this triple source has no offline phase");
  ot->prepare(plan, progress);
}

net::Traffic ProtocolStack::offline_on_network() const {
  if (triples == nullptr || dynamic_cast<const OtTriples*>(triples.get()) == nullptr) return {};
  return triples->offline_traffic();
}

std::string ProtocolStack::triples_name() const {
  return triples ? triples->name() : "DN07 double sharings and random bits (no dealer, inline)";
}

}  // namespace jointly::parties
