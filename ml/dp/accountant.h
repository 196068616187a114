// The privacy accountant of DP-SGD (docs/dp.md): Rényi differential privacy of the
// Poisson-sampled Gaussian mechanism, composed over steps (and over runs), converted to (ε, δ).
//
// One step: every record is in the batch with probability q, the batch's summed, clipped
// gradient gets Gaussian noise of standard deviation σ·C (σ the noise multiplier, C the clip
// norm). Its RDP at order α is log(A_α) / (α − 1) with
//   A_α = E_{z ~ μ0} [ ((1 − q) + q·μ1(z)/μ0(z))^α ],  μ0 = N(0, σ²), μ1 = N(1, σ²)
// (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
// Mechanism", arXiv:1908.10530): for integer α by the binomial expansion (Section 3.3), for
// fractional α by the two convergent series split at z0 = σ²·log(1/q − 1) + 1/2 (Section 3.4).
// Both are summed in log space in long double, so no term overflows. q = 1 is the plain
// Gaussian mechanism, RDP α / (2σ²) exactly. RDP adds up over steps and over runs on the same
// data (adaptive composition), and the sum is converted to (ε, δ) at the best order.
//
// Conversions to (ε, δ):
//   kClassic  ε = rdp − log δ / (α − 1)           (Mironov 2017, Proposition 3)
//   kImproved ε = rdp + log(1 − 1/α) − (log δ + log α) / (α − 1)   (Balle, Barthe, Gaboardi,
//             Hsu, Sato 2020, "Hypothesis testing interpretations and Rényi DP", Theorem 21;
//             the bound TensorFlow Privacy / dp_accounting use today), only for α > 1.01, and
//             ε = 0 when δ² ≥ 1 − exp(−rdp) (Pinsker-type bound through the KL divergence).
// jointly uses kImproved everywhere unless a caller asks for kClassic (the tests check both
// against published figures).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace jointly::ml::dp {

class AccountantError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class Conversion { kClassic, kImproved };

// The orders searched by default: 1.1, 1.2, ..., 10.9, 11, 12, ..., 63, 128, 256, 512, 1024
// (the default order list of Google's dp_accounting RdpAccountant).
const std::vector<double>& default_orders();

// RDP of one step of the Poisson-sampled Gaussian mechanism at order alpha > 1 (may be +inf).
// q in [0, 1], sigma >= 0 (sigma = 0 with q > 0 is +inf). AccountantError on bad arguments.
double rdp_sampled_gaussian(double q, double sigma, double alpha);

// rdp_sampled_gaussian at every order, times steps.
std::vector<double> rdp_sampled_gaussian(double q, double sigma, std::int64_t steps,
                                         const std::vector<double>& orders);

struct Guarantee {
  double epsilon = 0;
  double order = 0;  // the order that gave it
};

// The smallest ε over the orders at which the composed RDP `rdp` (one value per order) is
// (ε, δ)-DP; delta in (0, 1).
Guarantee epsilon_of(const std::vector<double>& orders, const std::vector<double>& rdp,
                     double delta, Conversion conversion = Conversion::kImproved);

// One DP-SGD run: noise multiplier σ, sampling rate q, number of steps.
struct SgdRun {
  double noise = 0;
  double sampling_rate = 0;
  std::int64_t steps = 0;
};

// ε of one run at δ.
Guarantee dp_sgd_epsilon(const SgdRun& run, double delta,
                         Conversion conversion = Conversion::kImproved,
                         const std::vector<double>& orders = default_orders());

// ε of several runs on the same data composed by the accountant (their RDP added order by
// order, then converted once): tighter than adding the runs' ε.
Guarantee composed_epsilon(const std::vector<SgdRun>& runs, double delta,
                           Conversion conversion = Conversion::kImproved,
                           const std::vector<double>& orders = default_orders());

// Smallest noise multiplier (to a relative 1e-6, rounded up) at which a run of `steps` steps at
// sampling rate q is (epsilon, delta)-DP, found by bisection on [kMinNoise, kMaxNoise] (ε falls
// as σ grows). `prior` runs on the same data are composed in. AccountantError when even
// kMaxNoise is not enough (e.g. the prior runs alone exceed ε).
inline constexpr double kMinNoise = 0.05;
inline constexpr double kMaxNoise = 1000.0;
double noise_for_epsilon(double epsilon, double sampling_rate, std::int64_t steps, double delta,
                         const std::vector<SgdRun>& prior = {},
                         Conversion conversion = Conversion::kImproved,
                         const std::vector<double>& orders = default_orders());

}  // namespace jointly::ml::dp
