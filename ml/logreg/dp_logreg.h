// DP-SGD for logistic regression on secret shares, and its plaintext reference (docs/dp.md).
//
// Per step on a batch B: every example's gradient g_i = e_i · x_i (e_i = sigmoid(x_i·w) − y_i)
// is clipped to L2 norm C, the clipped gradients are summed, Gaussian noise N(0, σ²C²) is added
// to every coordinate, and w -= (lr / |B|) · (Σ clipped g_i + noise).
//
// Clipping without a square root per step: g_i is the residual e_i times x_i, so
//   min(1, C / ‖g_i‖) · g_i = clamp(e_i, −t_i, t_i) · x_i,   t_i = C / ‖x_i‖.
// t_i depends only on the (fixed) training rows: it is computed once per run on shares
// (‖x_i‖² by one product, 1/√ by Newton's iteration), and each step clamps the residuals with
// two comparisons in the same rounds (one ReLU call on 2|B| values).
//
// Noise: ml/dp/dp_sgd.h (each party's share sized so that the honest parties' part alone
// reaches σ²C²). All steps' noise is input once, before the first step.
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "ml/dp/dp_sgd.h"
#include "ml/sgd/sgd.h"
#include "protocols/protocol.h"

namespace jointly::ml {

// t_i = clip_safe / ‖x_i‖ for every row of x (N × 1, fixed point), 0 where ‖x_i‖² exceeds
// max_row_norm_sq; clip_safe = C · (1 − kClipMargin) absorbs the fixed-point error of the
// reciprocal square root so that clamp(e_i, −t_i, t_i) · ‖x_i‖ <= C.
// Newton's fixed point is off by up to ~1% at s = 1024, f = 16 (y² has only 6 significant
// bits there); 1/32 leaves a 3x margin, checked by tests/ml/dp_logreg_test.cpp.
inline constexpr double kClipMargin = 1.0 / 32;
Shared clip_thresholds(Protocol& protocol, const Shared& x, const DpConfig& dp,
                       const FixedPoint& fp);
// Newton iterations clip_thresholds runs for the range [1, max_row_norm_sq].
int rsqrt_iterations(double max_row_norm_sq, const FixedPoint& fp);

// DP-SGD training on shares (x with its bias column, y in {0, 1}); weights start at zero.
Shared train_logreg_dp(Protocol& protocol, const Shared& x, const Shared& y,
                       const SgdConfig& config, const DpConfig& dp,
                       const ProgressFn& progress = {});

// The same training in doubles: the same batches, exact clipping, and noise N(0, σ²C²) per
// coordinate from a seeded generator (the variance the accountant assumes).
Eigen::VectorXd train_logreg_dp_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                      const SgdConfig& config, const DpConfig& dp,
                                      std::uint64_t noise_seed);

}  // namespace jointly::ml
