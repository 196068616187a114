// The correlated randomness a logistic-regression training will ask its TripleSource for, in
// order: the plan an offline phase generates up front (OtTriples::prepare).
//
// The shapes depend only on public parameters (the joint row and feature counts,
// epochs, batch, the truncation rule), never on the data, so every party computes the same
// plan by itself: a dry run of train_logreg on zero shares, all parties as threads of this
// process with the simulated dealer, recording party `self`'s requests (docs/ot.md).
#pragma once

#include <vector>

#include "ml/logreg/logreg.h"
#include "protocols/additive/additive.h"
#include "protocols/triples/ot/plan.h"

namespace jointly::ml {

// For `parties` parties training on a joint rows x cols matrix (features + bias), however it
// was split among them: the requests depend on the joint shape only.
std::vector<TripleRequest> plan_logreg(net::PartyId self, int parties, Index rows, Index cols,
                                       const SgdConfig& config, Truncation truncation);

}  // namespace jointly::ml
