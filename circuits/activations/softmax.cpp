#include "circuits/activations/softmax.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace jointly::circuits {
namespace {

std::int64_t encode(double v, int frac_bits) { return std::llround(std::ldexp(v, frac_bits)); }

IntMatrix constant(Index rows, Index cols, std::int64_t c) {
  return IntMatrix::Constant(rows, cols, c);
}

// The row sum is at least e^0 = 1 less exp's error; never use a lower bound below this.
constexpr double kMinRowSum = 0.5;

}  // namespace

Shared exp_nonpositive(Protocol& protocol, const Shared& x, const FixedPoint& fp,
                       const ExpOptions& options) {
  const int f = fp.frac_bits, k = options.squarings, fx = f + options.extra_bits;
  if (k < 1 || options.extra_bits < 0 || 2 * fx > kRingBits - 4 || f + k > kRingBits - 4) {
    throw std::invalid_argument("exp: unsupported parameters (k = " + std::to_string(k) +
                                ", f = " + std::to_string(f) + ")");
  }
  // Clamp to [-2^k, 0]: with b1 = [x >= -2^k] and b2 = [x >= 0],
  // clamp(x) = b1·(x + 2^k) + b2·(-x) - 2^k. Both comparisons in one call.
  const std::int64_t bound = std::int64_t{1} << (f + k);
  const Index rows = x.rows(), cols = x.cols();
  const Shared shifted = protocol.add_public(x, constant(rows, cols, bound));
  const Shared values = Shared::vstack({shifted, protocol.scale(x, -1)});
  const std::int64_t offsets[] = {bound, 0};  // [x + 2^k >= 0], [x >= 0]
  const Shared products = gez_offsets_times(protocol, x, offsets, {values}).products[0];
  const Shared clamped = protocol.add_public(
      protocol.add(products.middle_rows(0, rows), products.middle_rows(rows, rows)),
      constant(rows, cols, -bound));

  // base = 1 + clamp(x) / 2^k at fx fractional bits, in [0, 1].
  Shared y = protocol.trunc(protocol.scale(clamped, std::int64_t{1} << options.extra_bits), k);
  y = protocol.add_public(y, constant(rows, cols, std::int64_t{1} << fx));
  for (int s = 0; s < k; ++s) y = protocol.trunc(protocol.mul(y, y), fx);
  return protocol.trunc(y, options.extra_bits);
}

int reciprocal_iterations(double lo, double hi, const FixedPoint& fp) {
  if (!(lo > 0) || !(hi > lo)) throw std::invalid_argument("reciprocal: need 0 < lo < hi");
  const double e0 = (hi - lo) / (hi + lo);
  // e0^(2^it) <= 2^-f  <=>  2^it >= f·ln2 / -ln(e0).
  const double needed = fp.frac_bits * std::log(2.0) / -std::log(e0);
  return std::max(1, static_cast<int>(std::ceil(std::log2(needed))));
}

Shared reciprocal(Protocol& protocol, const Shared& x, double lo, double hi, const FixedPoint& fp) {
  const int f = fp.frac_bits;
  const int iterations = reciprocal_iterations(lo, hi, fp);
  const Index rows = x.rows(), cols = x.cols();
  const std::int64_t y0 = encode(2.0 / (lo + hi), f);
  // First step with the public y0, local products only: y1 = 2·y0 - y0·(x·y0).
  const Shared xy0 = protocol.trunc(protocol.scale(x, y0), f);
  Shared y = protocol.add_public(protocol.trunc(protocol.scale(xy0, -y0), f),
                                 constant(rows, cols, 2 * y0));
  const IntMatrix two = constant(rows, cols, encode(2.0, f));
  for (int it = 1; it < iterations; ++it) {
    const Shared xy = protocol.trunc(protocol.mul(x, y), f);
    const Shared correction = protocol.add_public(protocol.scale(xy, -1), two);  // 2 - x·y
    y = protocol.trunc(protocol.mul(y, correction), f);
  }
  return y;
}

Shared softmax_rows(Protocol& protocol, const Shared& x, const FixedPoint& fp) {
  const Index cols = x.cols();
  if (cols == 0) throw std::invalid_argument("softmax_rows: a row has no columns");
  // Row sums and broadcasts as products with public all-ones matrices: local for every
  // linear sharing.
  const IntMatrix ones_col = IntMatrix::Ones(cols, 1), ones_row = IntMatrix::Ones(1, cols);
  const Shared row_max = max_rows(protocol, x).max;
  const Shared e =
      exp_nonpositive(protocol, protocol.sub(x, protocol.matmul_public(row_max, ones_row)), fp);
  const Shared sum = protocol.matmul_public(e, ones_col);
  // The maximum contributes e^0 = 1 (less exp's error), every entry at most 1 (plus error).
  const double slack = 2 * kExpMaxError * static_cast<double>(cols);
  const Shared inv = reciprocal(protocol, sum, std::max(kMinRowSum, 1.0 - slack),
                                static_cast<double>(cols) * (1.0 + kExpMaxError), fp);
  return protocol.trunc(protocol.mul(e, protocol.matmul_public(inv, ones_row)), fp.frac_bits);
}

}  // namespace jointly::circuits
