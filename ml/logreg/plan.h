// The correlated randomness a logistic-regression training will ask its TripleSource for, in
// order: the plan an offline phase prepares up front (TripleProvider::prepare,
// protocols/triples/provider.h).
//
// The shapes depend only on public parameters (the joint row and feature counts, epochs,
// batch, the truncation rule, the party count), never on the data, so every party computes
// the same plan by itself. It is computed from those parameters alone (no dry run): per SGD
// step on a batch of B rows (the last batch of an epoch may be shorter) with d columns and
// pair truncation (P: only when the rule does not truncate locally),
//   matrix B x d · d x 1           z = X_B·w
//   [P] trunc pair B x 1 >> f      trunc(z)
//   gez_times_requests(parties, 23·B x 1, 1 product)   sigmoid's 23 comparisons
//   [P] trunc pair B x 1 >> f      sigmoid's final trunc
//   matrix d x B · B x 1           g = X_Bᵀ·(p - y)
//   [P] trunc pair d x 1 >> f      trunc(g)
//   [P] trunc pair d x 1 >> f      trunc(step · g)
// LogRegPlanTest (tests/ml/plan_test.cpp) checks it against recorded runs of train_logreg.
#pragma once

#include <vector>

#include "ml/logreg/logreg.h"
#include "protocols/additive/additive.h"
#include "protocols/triples/triple_source.h"

namespace jointly::ml {

// For `parties` parties training on a joint rows x cols matrix (features + bias), however it
// was split among them: the requests depend on the joint shape only (the same for every
// `self`). Throws std::invalid_argument for parameters train_logreg would refuse.
std::vector<TripleRequest> plan_logreg(net::PartyId self, int parties, Index rows, Index cols,
                                       const SgdConfig& config, Truncation truncation);

}  // namespace jointly::ml
