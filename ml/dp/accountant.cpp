#include "ml/dp/accountant.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace jointly::ml::dp {
namespace {

using Real = long double;
constexpr Real kNegInf = -std::numeric_limits<Real>::infinity();
constexpr double kInf = std::numeric_limits<double>::infinity();

// log(e^a + e^b) without overflow.
Real log_add(Real a, Real b) {
  if (a < b) std::swap(a, b);
  if (b == kNegInf) return a;
  return a + std::log1p(std::exp(b - a));
}

// log(e^a − e^b), a >= b. The fractional series alternates in sign; its partial sums stay
// positive (each half is an integral of a positive function), so a < b only by rounding: then
// the difference is taken as 0.
Real log_sub(Real a, Real b) {
  if (b == kNegInf) return a;
  if (a <= b) return kNegInf;
  return b + std::log(std::expm1(a - b));
}

// log(erfc(x)), accurate in the far tail where erfc underflows even in long double.
Real log_erfc(Real x) {
  if (x < 50) return std::log(std::erfc(x));
  // erfc(x) = exp(−x²) / (x √π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶) + …)
  const Real u = 1 / (2 * x * x);
  return -x * x - std::log(x) - 0.5L * std::log(static_cast<Real>(M_PI)) +
         std::log1p(-u + 3 * u * u - 15 * u * u * u);
}

void check_sampling(double q, double sigma) {
  if (!(q >= 0 && q <= 1)) {
    throw AccountantError("sampling rate must be in [0, 1], got " + std::to_string(q));
  }
  if (!(sigma >= 0) || std::isinf(sigma)) {
    throw AccountantError("noise multiplier must be a finite number >= 0, got " +
                          std::to_string(sigma));
  }
}

// log A_α for integer α >= 2, 0 < q < 1 (binomial expansion, MTZ19 Section 3.3):
//   A_α = Σ_{i=0}^{α} C(α, i) q^i (1 − q)^{α−i} exp((i² − i) / (2σ²)).
Real log_a_integer(Real q, Real sigma, long alpha) {
  const Real log_q = std::log(q), log_1mq = std::log1p(-q);
  const Real two_var = 2 * sigma * sigma;
  const Real log_gamma_alpha = std::lgamma(static_cast<Real>(alpha) + 1);
  Real log_a = kNegInf;
  for (long i = 0; i <= alpha; ++i) {
    const Real ri = static_cast<Real>(i);
    const Real log_binom =
        log_gamma_alpha - std::lgamma(ri + 1) - std::lgamma(static_cast<Real>(alpha - i) + 1);
    log_a =
        log_add(log_a, log_binom + ri * log_q + (alpha - i) * log_1mq + (ri * ri - ri) / two_var);
  }
  return log_a;
}

// log A_α for fractional α > 1, 0 < q < 1 (MTZ19 Section 3.4): A_α = A0 + A1, the integrals
// over z <= z0 and z > z0 (z0 = σ² log(1/q − 1) + 1/2), each a convergent series in the
// generalised binomial coefficients C(α, i), whose sign alternates once i > α:
//   A0 = Σ_i C(α, i) q^i (1 − q)^{α−i} exp((i² − i)/(2σ²)) · ½ erfc((i − z0) / (√2 σ))
//   A1 = Σ_i C(α, i) q^{α−i} (1 − q)^i exp((j² − j)/(2σ²)) · ½ erfc((z0 − j) / (√2 σ)), j = α − i.
// Summation stops once both terms are below e^−30 of 1 (as in the paper's reference code).
Real log_a_fractional(Real q, Real sigma, Real alpha) {
  const Real log_q = std::log(q), log_1mq = std::log1p(-q);
  const Real two_var = 2 * sigma * sigma;
  const Real z0 = sigma * sigma * std::log(1 / q - 1) + 0.5L;
  const Real sqrt2_sigma = std::sqrt(static_cast<Real>(2)) * sigma;
  const Real log_half = std::log(static_cast<Real>(0.5));
  Real log_a0 = kNegInf, log_a1 = kNegInf;
  Real log_abs_binom = 0;  // log |C(α, 0)|
  bool positive = true;
  constexpr long kMaxTerms = 1'000'000;
  for (long i = 0;; ++i) {
    if (i > 0) {  // C(α, i) = C(α, i − 1) · (α − i + 1) / i
      const Real factor = (alpha - static_cast<Real>(i) + 1) / static_cast<Real>(i);
      if (factor < 0) positive = !positive;
      log_abs_binom += std::log(std::fabs(factor));
    }
    const Real ri = static_cast<Real>(i), j = alpha - ri;
    const Real log_s0 = log_abs_binom + ri * log_q + j * log_1mq + (ri * ri - ri) / two_var +
                        log_half + log_erfc((ri - z0) / sqrt2_sigma);
    const Real log_s1 = log_abs_binom + j * log_q + ri * log_1mq + (j * j - j) / two_var +
                        log_half + log_erfc((z0 - j) / sqrt2_sigma);
    if (positive) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      log_a0 = log_sub(log_a0, log_s0);
      log_a1 = log_sub(log_a1, log_s1);
    }
    if (std::max(log_s0, log_s1) < -30) break;
    if (i > kMaxTerms) {
      throw AccountantError("RDP series at fractional order " + std::to_string(double(alpha)) +
                            " did not converge (noise multiplier too small?)");
    }
  }
  return log_add(log_a0, log_a1);
}

void check_delta(double delta) {
  if (!(delta > 0 && delta < 1)) {
    throw AccountantError("delta must be in (0, 1), got " + std::to_string(delta));
  }
}

std::vector<double> composed_rdp(const std::vector<SgdRun>& runs,
                                 const std::vector<double>& orders) {
  std::vector<double> total(orders.size(), 0.0);
  for (const SgdRun& run : runs) {
    const std::vector<double> r =
        rdp_sampled_gaussian(run.sampling_rate, run.noise, run.steps, orders);
    for (std::size_t k = 0; k < total.size(); ++k) total[k] += r[k];
  }
  return total;
}

}  // namespace

const std::vector<double>& default_orders() {
  static const std::vector<double> orders = [] {
    std::vector<double> o;
    for (int x = 1; x < 100; ++x) o.push_back(1 + x / 10.0);
    for (int a = 11; a < 64; ++a) o.push_back(a);
    for (double a : {128.0, 256.0, 512.0, 1024.0}) o.push_back(a);
    return o;
  }();
  return orders;
}

double rdp_sampled_gaussian(double q, double sigma, double alpha) {
  check_sampling(q, sigma);
  if (!(alpha > 1)) {
    throw AccountantError("Rényi order must be > 1, got " + std::to_string(alpha));
  }
  if (q == 0) return 0;
  if (std::isinf(alpha) || sigma == 0) return kInf;
  if (q == 1) return alpha / (2 * sigma * sigma);
  const Real log_a = alpha == std::floor(alpha) && alpha < 1e7
                         ? log_a_integer(q, sigma, static_cast<long>(alpha))
                         : log_a_fractional(q, sigma, alpha);
  return static_cast<double>(log_a / (static_cast<Real>(alpha) - 1));
}

std::vector<double> rdp_sampled_gaussian(double q, double sigma, std::int64_t steps,
                                         const std::vector<double>& orders) {
  if (steps < 0) throw AccountantError("steps must be >= 0, got " + std::to_string(steps));
  std::vector<double> rdp;
  rdp.reserve(orders.size());
  for (double alpha : orders) {
    rdp.push_back(steps == 0 ? 0.0
                             : rdp_sampled_gaussian(q, sigma, alpha) * static_cast<double>(steps));
  }
  return rdp;
}

Guarantee epsilon_of(const std::vector<double>& orders, const std::vector<double>& rdp,
                     double delta, Conversion conversion) {
  check_delta(delta);
  if (orders.empty() || orders.size() != rdp.size()) {
    throw AccountantError("need one RDP value per order (and at least one order)");
  }
  Guarantee best{kInf, orders.front()};
  for (std::size_t k = 0; k < orders.size(); ++k) {
    const double a = orders[k], r = rdp[k];
    if (!(a > 1)) throw AccountantError("Rényi order must be > 1, got " + std::to_string(a));
    if (!(r >= 0)) throw AccountantError("RDP must be >= 0, got " + std::to_string(r));
    double eps = kInf;
    if (conversion == Conversion::kClassic) {
      eps = r - std::log(delta) / (a - 1);
    } else if (delta * delta + std::expm1(-r) > 0) {
      eps = 0;  // δ >= sqrt(1 − exp(−KL)) bounds the whole privacy loss
    } else if (a > 1.01) {
      eps = r + std::log1p(-1 / a) - std::log(delta * a) / (a - 1);
    }
    if (eps < best.epsilon) best = {eps, a};
  }
  best.epsilon = std::max(0.0, best.epsilon);
  return best;
}

Guarantee dp_sgd_epsilon(const SgdRun& run, double delta, Conversion conversion,
                         const std::vector<double>& orders) {
  return composed_epsilon({run}, delta, conversion, orders);
}

Guarantee composed_epsilon(const std::vector<SgdRun>& runs, double delta, Conversion conversion,
                           const std::vector<double>& orders) {
  check_delta(delta);
  return epsilon_of(orders, composed_rdp(runs, orders), delta, conversion);
}

double noise_for_epsilon(double epsilon, double sampling_rate, std::int64_t steps, double delta,
                         const std::vector<SgdRun>& prior, Conversion conversion,
                         const std::vector<double>& orders) {
  if (!(epsilon > 0) || std::isinf(epsilon)) {
    throw AccountantError("target epsilon must be a finite number > 0, got " +
                          std::to_string(epsilon));
  }
  check_delta(delta);
  check_sampling(sampling_rate, 1.0);
  if (steps <= 0) throw AccountantError("steps must be > 0, got " + std::to_string(steps));
  const std::vector<double> prior_rdp = composed_rdp(prior, orders);
  auto eps_at = [&](double sigma) {
    std::vector<double> r = rdp_sampled_gaussian(sampling_rate, sigma, steps, orders);
    for (std::size_t k = 0; k < r.size(); ++k) r[k] += prior_rdp[k];
    return epsilon_of(orders, r, delta, conversion).epsilon;
  };
  double lo = kMinNoise, hi = kMaxNoise;
  if (eps_at(hi) > epsilon) {
    throw AccountantError("no noise multiplier up to " + std::to_string(kMaxNoise) +
                          " reaches epsilon " + std::to_string(epsilon) + " at delta " +
                          std::to_string(delta) +
                          (prior.empty() ? std::string() : " after the earlier runs"));
  }
  if (eps_at(lo) <= epsilon) return lo;
  // Invariant: eps_at(lo) > epsilon >= eps_at(hi). Bisect in log σ.
  while (hi / lo > 1 + 1e-6) {
    const double mid = std::sqrt(lo * hi);
    (eps_at(mid) > epsilon ? lo : hi) = mid;
  }
  return hi;
}

}  // namespace jointly::ml::dp
