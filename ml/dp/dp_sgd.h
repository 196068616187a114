// The parts of DP-SGD on shares that every model uses (docs/dp.md): the parameters, the noise
// no coalition of up to t parties knows, and per-example clipping factors from squared norms.
//
// Noise: each of the n parties draws its own Gaussian N(0, σ²C²/(n − t)) per coordinate
// locally (libsodium randomness, Box–Muller) and inputs it; the noise added is the sum. Any
// n − t honest parties' parts alone have variance σ²C², which is what the accountant assumes;
// the total variance is n/(n − t)·σ²C² (the price of not trusting anybody with the noise).
#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "protocols/fixed_point.h"
#include "protocols/protocol.h"

namespace jointly::ml {

struct DpConfig {
  double noise = 0;  // σ, the noise multiplier (0: clipping only, no privacy guarantee)
  double clip = 1;   // C, the L2 clip norm of one example's gradient
  // Logistic regression: rows with ‖x_i‖² above this public bound contribute nothing (t_i = 0):
  // the reciprocal square root on shares needs a public range. Standardised W4 rows stay far
  // below it.
  double max_row_norm_sq = 1024;
};

// The most parties that may collude against the noise: n − 1 for additive sharing
// (dishonest majority), (n − 1) / 2 for the honest-majority schemes (Shamir, replicated).
int noise_corruption_bound(const Protocol& protocol);

// The sum over parties of each party's local Gaussian draw, N(0, stddev_per_party²) per entry,
// fixed-point encoded with fp: one input per party (rows × cols each).
Shared party_gaussian_noise(Protocol& protocol, Eigen::Index rows, Eigen::Index cols,
                            double stddev_per_party, const FixedPoint& fp);

// The per-party standard deviation for noise N(0, σ²C²) from the honest parties alone:
// σC / √(n − t).
double noise_stddev_per_party(const Protocol& protocol, const DpConfig& dp);

// v where 0 <= v <= upper (encodings), 0 elsewhere: one comparison call on v's column(s). A
// truncation that fails (additive's local rule, replicated's Π_trunc1: probability ~|x|/2^64
// per element) is off by ~2^(64−bits) and lands outside any such range, so a clipping factor
// checked this way drops its example instead of unclipping it.
Shared zero_outside(Protocol& protocol, const Shared& v, std::int64_t upper);

// --- Per-example clipping from squared norms (the MLP; docs/dp.md "The MLP") ----------------
//
// For squared gradient norms n_i (B × 1, fixed point with fp) the factors
//   s_i = min(1, C / ((1 + kClipFactorMargin)·√n_i)),   0 where n_i ≥ 4^kClipRangeLog4 · C²,
// so that every s_i·‖g_i‖ ≤ C / (1 + margin) up to the error below, and examples whose norm is
// beyond the range (≥ 2^kClipRangeLog4 · C) contribute nothing, for any input.
//
// How: u = n·(1 + margin)²/C² rounded up; one comparison call for [u ≥ 4^k], k = 0..K−1
// (with the product that gives max(u, 1) folded in) and for 0 ≤ u < 4^K (on u's integer part
// over 2^8, which Shamir's comparison takes for every u < 2^40); Newton's y ← y(3 − u·y²)/2 for
// 1/√u from y0 = 2^-(j+1) for u in [4^j, 4^(j+1)), read off the comparison bits (linear in
// them), so y·√u starts in [1/2, 1) and rises monotonically to 1 in clip_newton_iterations()
// steps; then s = y where 0 ≤ u < 4^K and 0 ≤ y ≤ 1 + 2^-8, else 0 (one more comparison
// call): a truncation that fails (replicated's, with probability ~|x|/2^64 per element) is
// off by ~2^(64−bits) and lands outside both ranges, so it drops the example instead of
// unclipping it. Newton runs at clip_frac_bits(fp) = f + up to 4 fractional bits, so the
// factor's rounding is below 2^-11 relative over the whole range (tested).
inline constexpr int kClipRangeLog4 = 7;  // gradients up to 128·C are clipped, larger dropped
inline constexpr double kClipFactorMargin = 1.0 / 64;
// The clip norms the MLP's clipping supports: u's constant (1 + margin)²/C² keeps 2^-18
// relative precision at F bits, and the rounding of s ∘ dz (2^-F per entry) stays below
// the margin for every input in the fixed-point range.
inline constexpr double kMinClipNorm = 0.25, kMaxClipNorm = 64;
int clip_frac_bits(const FixedPoint& fp);
int clip_newton_iterations(const FixedPoint& fp);
// Throws std::invalid_argument unless clip is in [kMinClipNorm, kMaxClipNorm].
void check_clip_norm(double clip);
// The factors, encoded with clip_frac_bits(fp) fractional bits.
Shared clip_factors(Protocol& protocol, const Shared& norm_sq, double clip, const FixedPoint& fp);

}  // namespace jointly::ml
