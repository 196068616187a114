#include "circuits/activations/sigmoid.h"

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace jointly::circuits {
namespace {

// Segment ends, symmetric about 0. Half-unit steps where |sigmoid''| is large (it peaks at
// 0.096 near ±1.32); the minimax error of a line on a segment of length h is about
// h² · max|sigmoid''| / 16, so 0.5-wide segments give ~1.5e-3 and the wider tail segments stay
// below that. All values are multiples of 1/2, so they encode exactly for f >= 1.
constexpr std::array<double, 23> kSigmoidBreakpoints = {
    -8, -6, -5, -4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8};

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct Line {
  double slope, intercept;
};

// The minimax line on [u, v] for a function that is convex (v <= 0) or concave (u >= 0) there:
// the chord shifted by half of the largest gap, which sits where sigmoid' equals the chord's
// slope, i.e. sigmoid(x*) = (1 ± sqrt(1 - 4·slope)) / 2.
Line minimax_line(double u, double v) {
  const double su = logistic(u), sv = logistic(v);
  const double slope = (sv - su) / (v - u);
  const double root = std::sqrt(std::max(0.0, 1.0 - 4.0 * slope));
  const double s_star = v <= 0 ? (1.0 - root) / 2.0 : (1.0 + root) / 2.0;
  const double x_star = std::log(s_star / (1.0 - s_star));
  const double chord_at_star = su + slope * (x_star - u);
  const double gap = logistic(x_star) - chord_at_star;
  return Line{slope, su - slope * u + gap / 2.0};
}

// Lines of the segments, plus the constant 0 before the first and 1 after the last
// breakpoint: lines[j] holds for t_{j-1} <= x < t_j (lines[0] before t_0).
std::vector<Line> segment_lines() {
  std::vector<Line> lines{{0.0, 0.0}};
  for (std::size_t j = 0; j + 1 < kSigmoidBreakpoints.size(); ++j) {
    lines.push_back(minimax_line(kSigmoidBreakpoints[j], kSigmoidBreakpoints[j + 1]));
  }
  lines.push_back({0.0, 1.0});
  return lines;
}

}  // namespace

int sigmoid_comparisons() { return static_cast<int>(kSigmoidBreakpoints.size()); }

double sigmoid_approx(double x) {
  const std::vector<Line> lines = segment_lines();
  std::size_t j = 0;
  while (j < kSigmoidBreakpoints.size() && x >= kSigmoidBreakpoints[j]) ++j;
  return lines[j].slope * x + lines[j].intercept;
}

Shared sigmoid(Protocol& protocol, const Shared& x, const FixedPoint& fp) {
  const int f = fp.frac_bits;
  if (f < 1 || 2 * f > kRingBits - 4) {
    throw std::invalid_argument("sigmoid: unsupported fractional bits " + std::to_string(f));
  }
  const std::vector<Line> lines = segment_lines();
  const Index k = static_cast<Index>(kSigmoidBreakpoints.size());
  const Index rows = x.rows(), cols = x.cols();
  // Block j of the stacked tensors belongs to breakpoint t_j. Slopes at scale 2^f and
  // intercepts at 2^2f, so each term Δα·x + Δβ is at scale 2^2f. The encodings telescope: the
  // Δs sum to exactly (0, 2^2f), the constant 1 above the last breakpoint.
  const double slope_scale = std::ldexp(1.0, f), intercept_scale = std::ldexp(1.0, 2 * f);
  const auto enc = [](double v, double scale) { return std::llround(v * scale); };
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(k));
  IntMatrix slopes(k * rows, cols), intercepts(k * rows, cols);
  for (Index j = 0; j < k; ++j) {
    const auto line = static_cast<std::size_t>(j);
    offsets[line] = -enc(kSigmoidBreakpoints[line], slope_scale);  // x - t_j >= 0
    slopes.middleRows(j * rows, rows)
        .setConstant(enc(lines[line + 1].slope, slope_scale) - enc(lines[line].slope, slope_scale));
    intercepts.middleRows(j * rows, rows)
        .setConstant(enc(lines[line + 1].intercept, intercept_scale) -
                     enc(lines[line].intercept, intercept_scale));
  }
  const Shared stacked = Shared::vstack(std::vector<Shared>(static_cast<std::size_t>(k), x));
  const Shared terms = protocol.add_public(protocol.mul_public(stacked, slopes), intercepts);
  const Shared products = gez_offsets_times(protocol, x, offsets, {terms}).products[0];
  Shared sum = products.middle_rows(0, rows);
  for (Index j = 1; j < k; ++j) sum = protocol.add(sum, products.middle_rows(j * rows, rows));
  return protocol.trunc(sum, f);
}

Cost sigmoid_comparison_cost(const Protocol& protocol, std::uint64_t elements) {
  return protocol.gez_cost(elements, 1, static_cast<int>(kSigmoidBreakpoints.size()));
}

}  // namespace jointly::circuits
