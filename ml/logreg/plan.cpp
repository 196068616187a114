#include "ml/logreg/plan.h"

#include <stdexcept>

#include "net/in_memory.h"
#include "protocols/triples/dealer.h"

namespace jointly::ml {

std::vector<TripleRequest> plan_logreg(net::PartyId self, const std::vector<Index>& rows,
                                       Index cols, const SgdConfig& config, Truncation truncation) {
  const int parties = static_cast<int>(rows.size());
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
    std::vector<Shared> xs, ys;
    for (int p = 0; p < parties; ++p) {
      const auto r = rows[static_cast<std::size_t>(p)];
      const IntMatrix x = IntMatrix::Zero(r, cols), y = IntMatrix::Zero(r, 1);
      const bool mine = p == transport.self();
      xs.push_back(protocol.input(p, mine ? &x : nullptr, r, cols));
      ys.push_back(protocol.input(p, mine ? &y : nullptr, r, 1));
    }
    train_logreg(protocol, Shared::vstack(xs), Shared::vstack(ys), config);
    if (transport.self() == self) plan = recorder.requests();
  });
  return plan;
}

}  // namespace jointly::ml
