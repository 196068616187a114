#include "ml/logreg/plan.h"

#include <stdexcept>

#include "net/in_memory.h"
#include "protocols/triples/dealer.h"

namespace jointly::ml {

std::vector<TripleRequest> plan_logreg(net::PartyId self, int parties, Index rows, Index cols,
                                       const SgdConfig& config, Truncation truncation) {
  if (self < 0 || self >= parties)
    throw std::invalid_argument("plan_logreg: no party " + std::to_string(self));
  std::vector<TripleRequest> plan;
  // Any seed: the dry run's triples are thrown away, only their shapes are kept.
  const Seed seed{};
  net::run_in_memory(parties, [&](net::Transport& transport) {
    net::Network network(transport);
    Dealer dealer(seed, transport.self(), parties);
    RecordingTriples recorder(dealer);
    Additive protocol(network, recorder, {.truncation = truncation, .seed = seed});
    // Party 0 inputs the whole (zero) matrix: only its shape matters.
    const IntMatrix x = IntMatrix::Zero(rows, cols), y = IntMatrix::Zero(rows, 1);
    const bool first = transport.self() == 0;
    const Shared sx = protocol.input(0, first ? &x : nullptr, rows, cols);
    const Shared sy = protocol.input(0, first ? &y : nullptr, rows, 1);
    train_logreg(protocol, sx, sy, config);
    if (transport.self() == self) plan = recorder.requests();
  });
  return plan;
}

}  // namespace jointly::ml
