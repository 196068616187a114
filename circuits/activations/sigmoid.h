// Sigmoid 1 / (1 + e^-x) on fixed-point additive shares: a piecewise-linear approximation
// whose segment comparisons all run in parallel.
//
// Breakpoints t_0 = -8 < ... < t_K = 8 (denser where |sigmoid''| is large, kSigmoidBreakpoints
// in sigmoid.cpp); on each segment the minimax line (the chord moved by half its largest
// deviation), below -8 the constant 0, above 8 the constant 1. With b_j = [x >= t_j]:
//   f(x) = sum_j b_j · (Δα_j x + Δβ_j),   Δ = line_j - line_{j-1},
// one comparison per breakpoint, all in one call, and the products b_j · (...) folded into the
// comparison's bit-to-arithmetic round; one truncation at the end. Since the Δs telescope, the
// result outside [-8, 8] is exactly 0 or 1 (up to the final truncation's last place).
//
// Error: max |f(x) - sigmoid(x)| on [-8, 8] is kSigmoidMaxError (the approximation's own error,
// ~1.5e-3, plus fixed-point rounding of 2^-f); outside it is sigmoid(-8) = 3.4e-4 at most.
// Rounds: ltz rounds + truncation rounds = 8 with 2 parties, 10 with 3, 12 with 5.
#pragma once

#include "circuits/compare/compare.h"
#include "protocols/fixed_point.h"

namespace jointly::circuits {

// Stated bound on |sigmoid_approx(x) - sigmoid(x)| for every real x, with f = 16.
inline constexpr double kSigmoidMaxError = 2.0e-3;
// Number of comparisons per element (breakpoints, including -8 and 8).
int sigmoid_comparisons();

Shared sigmoid(Protocol& protocol, const Shared& x, const FixedPoint& fp = {});

// The approximation in plaintext on real numbers (no rounding): what the protocol computes,
// for tests and the error analysis in docs/circuits.md.
double sigmoid_approx(double x);

// The comparisons and products; add 1 round for n > 2 parties (pair truncation).
Cost sigmoid_comparison_cost(const Protocol& protocol, std::uint64_t elements);

}  // namespace jointly::circuits
