#include "ml/dp/dp_sgd.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace jointly::ml {
namespace {

// A uniform double in (0, 1] from 64 random bits (the top 53).
double uniform_open(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 1.0) * 0x1.0p-53;
}

// Standard normal draws by Box–Muller, the uniforms from libsodium's CSPRNG in one call.
Eigen::MatrixXd gaussian(Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd z(rows, cols);
  double* data = z.data();
  const Eigen::Index size = z.size();
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(size + 1) / 2 * 2);
  randombytes_buf(bits.data(), bits.size() * sizeof(std::uint64_t));
  for (Eigen::Index k = 0; k < size; k += 2) {
    const double r = std::sqrt(-2 * std::log(uniform_open(bits[static_cast<std::size_t>(k)])));
    const double theta = 2 * M_PI * uniform_open(bits[static_cast<std::size_t>(k) + 1]);
    data[k] = r * std::cos(theta);
    if (k + 1 < size) data[k + 1] = r * std::sin(theta);
  }
  return z;
}

IntMatrix constant(Eigen::Index rows, Eigen::Index cols, std::int64_t v) {
  return IntMatrix::Constant(rows, cols, v);
}

}  // namespace

int noise_corruption_bound(const Protocol& protocol) { return protocol.corruption_threshold(); }

double noise_stddev_per_party(const Protocol& protocol, const DpConfig& dp) {
  const int honest = protocol.parties() - noise_corruption_bound(protocol);
  return dp.noise * dp.clip / std::sqrt(static_cast<double>(honest));
}

Shared party_gaussian_noise(Protocol& protocol, Eigen::Index rows, Eigen::Index cols,
                            double stddev_per_party, const FixedPoint& fp) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  const IntMatrix mine =
      fp.encode(Eigen::MatrixXd(stddev_per_party * gaussian(rows, cols)), "DP noise");
  Shared total;
  for (int p = 0; p < protocol.parties(); ++p) {
    const Shared part = protocol.input(p, p == protocol.self() ? &mine : nullptr, rows, cols);
    total = p == 0 ? part : protocol.add(total, part);
  }
  return total;
}

Shared zero_outside(Protocol& protocol, const Shared& v, std::int64_t upper) {
  const Eigen::Index rows = v.rows();
  const std::array<std::int64_t, 2> offsets{0, -(upper + 1)};
  // ([v >= 0] − [v > upper])·v, the products folded into the comparison's last round.
  const BitProducts ok = protocol.gez_offsets_times(v, offsets, {Shared::vstack({v, v})});
  return protocol.sub(ok.products[0].middle_rows(0, rows), ok.products[0].middle_rows(rows, rows));
}

int clip_frac_bits(const FixedPoint& fp) {
  // Products at f + F fractional bits must stay below 2^62: u·y < 2^7 for u in range, s·dz and
  // the gradient's sums below 2^15 (the fixed-point range), so 15 + f + F <= 61. 4 more bits
  // than f keep the factor's rounding below 2^-11 relative over the range (y >= 2^-8).
  return fp.frac_bits + std::clamp(46 - 2 * fp.frac_bits, 0, 4);
}

int clip_newton_iterations(const FixedPoint& fp) {
  // The slowest start is y·√u = 1/2 (the bottom of a bucket); t ← t(3 − t²)/2 rises to 1.
  const double tolerance = std::ldexp(1.0, -(clip_frac_bits(fp) + 1));
  double t = 0.5;
  int it = 0;
  while (1 - t > tolerance && it < 64) {
    t = t * (3 - t * t) / 2;
    ++it;
  }
  return it;
}

void check_clip_norm(double clip) {
  if (!(clip >= kMinClipNorm && clip <= kMaxClipNorm)) {
    throw std::invalid_argument("DP-SGD: the MLP's clip norm must be in [" +
                                std::to_string(kMinClipNorm) + ", " + std::to_string(kMaxClipNorm) +
                                "], got " + std::to_string(clip));
  }
}

Shared clip_factors(Protocol& protocol, const Shared& norm_sq, double clip, const FixedPoint& fp) {
  check_clip_norm(clip);
  if (norm_sq.cols() != 1) throw std::invalid_argument("clip_factors: norms must be a column");
  const int f = fp.frac_bits, F = clip_frac_bits(fp);
  const Eigen::Index rows = norm_sq.rows();
  const std::int64_t one_f = std::int64_t{1} << f, one_F = std::int64_t{1} << F;
  const auto zeros = [&] { return protocol.scale(norm_sq, 0); };

  // u = n·(1 + margin)²/C², the constant rounded up and one ulp added for the truncation
  // (exact up to one in the last place): u is never below the exact value, and never below 0
  // unless a truncation failed (replicated, docs/replicated.md).
  const double c = std::pow(1 + kClipFactorMargin, 2) / (clip * clip);
  const auto c_enc = static_cast<std::int64_t>(std::ceil(std::ldexp(c, F)));
  const Shared u =
      protocol.add_public(protocol.trunc(protocol.scale(norm_sq, c_enc), F), constant(rows, 1, 1));

  // One comparison call on a stack: bit(k) = [u >= 4^k] for k = 0..K-1 (the buckets, only
  // needed inside the range), with [u >= 1]·(u − 1) folded in for max(u, 1); and whether
  // 0 <= u < 4^K, read on u's integer part over 2^8 (Shamir compares only |x| < 2^32, and
  // this keeps every u below 2^40 inside that): [u_c >= 0] − [u_c >= 4^K / 2^8].
  const int K = kClipRangeLog4;
  constexpr int kCoarse = 8;
  const Shared u_c = protocol.trunc(u, f + kCoarse);
  std::vector<Shared> xs, value_blocks;
  for (int k = 0; k < K; ++k) {
    xs.push_back(protocol.add_public(u, constant(rows, 1, -(one_f << (2 * k)))));
    value_blocks.push_back(k == 0 ? xs.back() : zeros());
  }
  xs.push_back(u_c);
  xs.push_back(
      protocol.add_public(u_c, constant(rows, 1, -(std::int64_t{1} << (2 * K - kCoarse)))));
  value_blocks.push_back(zeros());
  value_blocks.push_back(zeros());
  const BitProducts cmp = protocol.gez_times(Shared::vstack(xs), {Shared::vstack(value_blocks)});
  const auto bit = [&](int k) { return cmp.bit.middle_rows(k * rows, rows); };
  const Shared in_range = protocol.sub(bit(K), bit(K + 1));
  const Shared u_max =
      protocol.add_public(cmp.products[0].middle_rows(0, rows), constant(rows, 1, one_f));

  // y0 = 2^-(j+1) for u in [4^j, 4^(j+1)): 1/2 − Σ_{k=1..K-1} [u >= 4^k]·2^-(k+1), at F bits.
  Shared y = protocol.add_public(zeros(), constant(rows, 1, one_F / 2));
  for (int k = 1; k < K; ++k) y = protocol.sub(y, protocol.scale(bit(k), one_F >> (k + 1)));
  // Newton: y ← y(3 − (u·y)·y)/2, u·y first so that no small y² loses its bits.
  const IntMatrix three = constant(rows, 1, 3 * one_F);
  for (int it = clip_newton_iterations(fp); it > 0; --it) {
    const Shared uy = protocol.trunc(protocol.mul(u_max, y), f);  // F bits
    const Shared uy2 = protocol.trunc(protocol.mul(uy, y), F);
    y = protocol.trunc(protocol.mul(y, protocol.add_public(protocol.scale(uy2, -1), three)), F + 1);
  }

  // Keep y only where it is in [0, 1 + 2^-8] (a failed truncation lands far outside).
  const Shared checked_y = zero_outside(protocol, y, one_F + (one_F >> 8));
  // And only where 0 <= u < 4^K (beyond, y0 was wrong; below 0, a truncation failed): an
  // exact 0/1 product.
  return protocol.mul(checked_y, in_range);
}

}  // namespace jointly::ml
