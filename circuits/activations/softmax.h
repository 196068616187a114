// exp, reciprocal and softmax over rows on fixed-point additive shares, for the MLP's output
// layer. docs/circuits.md has the error analysis and the round counts.
#pragma once

#include "circuits/compare/compare.h"
#include "protocols/fixed_point.h"

namespace jointly::circuits {

struct ExpOptions {
  // e^x ≈ (1 + x / 2^k)^(2^k): k squarings. Approximation error at most
  // max_x e^x · x² / 2^(k+1) = 4e^-2 / 2^(k+1) (at x = -2): 1.1e-3 for k = 8.
  int squarings = 8;
  // The squarings run with f + extra_bits fractional bits so that the rounding of k
  // truncations, amplified up to 2^k times, stays near 2^(k - f - extra) = 2^-10.
  int extra_bits = 2;
};

// e^x for x <= 0 (softmax's use, after subtracting the row maximum). Inputs are first clamped
// to [-2^k, 0] with two comparisons in parallel: x <= -2^k gives (about) 0, x >= 0 gives 1 —
// positive inputs are NOT exponentiated. Max abs error on (-inf, 0]: kExpMaxError.
// Rounds: ltz rounds + k multiplications (+ truncation rounds for n > 2): 16 with 2 parties.
inline constexpr double kExpMaxError = 3.0e-3;
Shared exp_nonpositive(Protocol& protocol, const Shared& x, const FixedPoint& fp = {},
                       const ExpOptions& options = {});

// 1 / x for x in [lo, hi] (0 < lo < hi, public bounds) by Newton's iteration
// y <- y (2 - x y) from the constant y0 = 2 / (lo + hi). The relative error starts at
// e0 = (hi - lo) / (hi + lo) and squares each step; reciprocal_iterations() steps bring it
// below 2^-f. Outside [lo, hi] the result is not guaranteed (it diverges beyond 2·(lo + hi)/2).
// Rounds: 2 multiplications per iteration after the first (which is local): 2 (it - 1) with
// 2 parties. Error: about 4 · 2^-f absolute plus e0^(2^it) relative.
Shared reciprocal(Protocol& protocol, const Shared& x, double lo, double hi,
                  const FixedPoint& fp = {});
int reciprocal_iterations(double lo, double hi, const FixedPoint& fp = {});

// softmax of each row: e^(x - max) / sum e^(x - max), numerically safe (every exponent is
// <= 0, the largest is 0, so the row sum lies in [1, cols] and its reciprocal is in range).
// Max abs error per entry: kSoftmaxMaxError (tested for up to 16 columns).
inline constexpr double kSoftmaxMaxError = 1.0e-2;
Shared softmax_rows(Protocol& protocol, const Shared& x, const FixedPoint& fp = {});

}  // namespace jointly::circuits
