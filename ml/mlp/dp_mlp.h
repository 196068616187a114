// DP-SGD for the MLP on secret shares, and its plaintext reference (docs/dp.md "The MLP").
//
// Per step on a batch B: every example's gradient g_i (all layers' weights and biases) is
// clipped to L2 norm C, the clipped gradients are summed, Gaussian noise N(0, σ²C²) is added
// to every coordinate (ml/dp/dp_sgd.h: the honest parties' part alone reaches σ²C²), and
// W −= (lr / |B|)·(Σ clipped g_i + noise).
//
// Per-example norms without per-example gradients: layer l's part of g_i is the outer product
// [a_i 1] ⊗ dz_i (its input row with the bias's 1, and its output error), whose squared norm is
// ‖[a_i 1]‖²·‖dz_i‖² ("ghost norms", Goodfellow 2015). So on shares, per step:
//   forward as without DP; backward the output errors dz_l of every layer (dA = dz·Wᵀ);
//   squares of all [A_l 1] and dz_l in one product, their row sums (local), one truncation;
//   n_i = Σ_l (‖dz‖² + 2^-f)(‖[a 1]‖² + 2^-f) + L·2^-f: one product, never below the exact
//     norm of the gradient the step sums (truncation is exact up to one in the last place);
//   s_i = clip_factors(n): min(1, C/((1 + 1/64)·√n_i)), 0 beyond 128·C (ml/dp/dp_sgd.h);
//   G_l = [A_l 1]ᵀ·(s ∘ dz_l) at f + F fractional bits (F = clip_frac_bits), noise added at
//     that scale, then one truncation: the rounding comes after the noise (post-processing).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "ml/dp/dp_sgd.h"
#include "ml/mlp/mlp.h"

namespace jointly::ml {

// DP-SGD on shares: x N x d_0, y_onehot N x d_L (as train_mlp); the initial weights are
// mlp_init(config)'s, entered by party 0. Noise is input in chunks of steps (at most about
// 2^21 values per party at a time), so memory does not grow with the number of steps.
MlpShares train_mlp_dp(Protocol& protocol, const Shared& x, const Shared& y_onehot,
                       const MlpConfig& config, const DpConfig& dp,
                       const ProgressFn& progress = {});

// Every example's gradient norm ‖g_i‖ (all layers' weights and biases) in a batch's pass, by
// the ghost norms above: the plaintext reference clips by min(1, C / ‖g_i‖).
Eigen::VectorXd mlp_gradient_norms(const MlpPass& pass);

// The same training in doubles: the same batches, exact clipping to C, noise N(0, σ²C²) per
// coordinate from a seeded generator (the variance the accountant assumes).
MlpPlain train_mlp_dp_plain(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                            const MlpConfig& config, const DpConfig& dp, std::uint64_t noise_seed);

}  // namespace jointly::ml
