#include "ml/logreg/plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "circuits/activations/sigmoid.h"
#include "protocols/additive/gmw.h"

namespace jointly::ml {

std::vector<TripleRequest> plan_logreg(net::PartyId self, int parties, Index rows, Index cols,
                                       const SgdConfig& config, Truncation truncation) {
  if (parties < 2) throw std::invalid_argument("plan_logreg: additive sharing needs 2 parties");
  if (self < 0 || self >= parties)
    throw std::invalid_argument("plan_logreg: no party " + std::to_string(self));
  if (truncation == Truncation::kLocal && parties != 2) {
    throw std::invalid_argument("plan_logreg: local truncation is only correct for 2 parties");
  }
  if (rows <= 0 || cols <= 0 || config.batch <= 0 || config.epochs <= 0) {
    throw std::invalid_argument("plan_logreg: rows, columns, batch and epochs must be positive");
  }
  const int f = config.fp.frac_bits;
  if (f < 1 || 2 * f > kRingBits - 4) {  // sigmoid's limits
    throw std::invalid_argument("plan_logreg: unsupported fractional bits " + std::to_string(f));
  }
  const bool pair = !truncates_locally(truncation, parties);
  std::vector<TripleRequest> plan;
  const auto trunc = [&](Index r) {
    if (pair) plan.push_back(TripleRequest::trunc_pair(r, 1, f));
  };
  // Sigmoid on a B x 1 z: its breakpoints' comparisons of the stacked (23·B) x 1 tensor, each
  // with one product (the segment's line), then one truncation (circuits/activations).
  const Index comparisons = circuits::sigmoid_comparisons();
  // batch_schedule's cut: ceil(rows / batch) batches per epoch, the last one rows mod batch
  // when that is not 0. The shuffle changes which rows, never how many.
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    for (Index at = 0; at < rows; at += config.batch) {
      const Index b = std::min<Index>(config.batch, rows - at);
      plan.push_back(TripleRequest::matrix(b, cols, 1));  // z = X_B·w
      trunc(b);
      const auto sigmoid = gez_times_requests(parties, comparisons * b, 1, 1);
      plan.insert(plan.end(), sigmoid.begin(), sigmoid.end());
      trunc(b);
      plan.push_back(TripleRequest::matrix(cols, b, 1));  // g = X_Bᵀ·(p - y_B)
      trunc(cols);
      trunc(cols);  // w -= trunc(step · g)
    }
  }
  return plan;
}

}  // namespace jointly::ml
