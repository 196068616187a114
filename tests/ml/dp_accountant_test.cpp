// ml/dp/accountant: RDP of the sampled Gaussian mechanism and its (ε, δ) conversion against
// published figures. Sources (read with the search tool, github.com/tensorflow/privacy and
// google/differential-privacy):
//   [R] tensorflow/privacy tutorials/README.md, "Selecting parameters" table and "Expected
//       Output" of mnist_dpsgd_tutorial.py: MNIST N = 60000, batch 256, δ = 1e-5,
//       σ = 1.1 / 60 epochs: ε = 3.01; σ = 1.3 / 15 epochs: ε = 1.19; σ = 0.7 / 45 epochs:
//       ε = 7.10 — computed by the tutorial's compute_epsilon with the orders
//       1.1 … 10.9, 12 … 63, steps = epochs · (60000 // 256), and the classic conversion.
//   [T] tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py,
//       test_compute_dp_sgd_privacy (dp_accounting's RdpAccountant: improved conversion,
//       orders 1.25 … 4.5, 5 … 63, 128, 256, 512; steps = ceil(epochs · N / batch)).
//   [D] dp_accounting rdp_privacy_accountant_test.py: test_compute_rdp_poisson_sampled_gaussian
//       (rtol 1e-4), test_compute_epsilon_delta_pure_dp, test_compute_epsilon_delta_gaussian.
#include "ml/dp/accountant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace jointly::ml::dp {
namespace {

std::vector<double> tutorial_orders() {  // [R]
  std::vector<double> o;
  for (int x = 1; x < 100; ++x) o.push_back(1 + x / 10.0);
  for (int a = 12; a < 64; ++a) o.push_back(a);
  return o;
}

std::vector<double> dp_sgd_privacy_orders() {  // [T]
  std::vector<double> o{1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5};
  for (int a = 5; a < 64; ++a) o.push_back(a);
  for (double a : {128.0, 256.0, 512.0}) o.push_back(a);
  return o;
}

TEST(Accountant, RdpOfSampledGaussianMatchesDpAccounting) {  // [D]
  const std::vector<double> orders{1.5, 2.5, 5, 50, 100, std::numeric_limits<double>::infinity()};
  const std::vector<double> expected{6.5007e-04, 1.0854e-03, 2.1808e-03, 2.3846e-02, 1.6742e+02};
  const std::vector<double> rdp = rdp_sampled_gaussian(0.01, 2.5, 50, orders);
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(rdp[k], expected[k], 1e-4 * expected[k]) << "order " << orders[k];
  }
  EXPECT_TRUE(std::isinf(rdp.back()));
}

TEST(Accountant, TensorFlowPrivacyMnistTutorialWithinOnePercent) {  // [R]
  struct Row {
    double sigma;
    int epochs;
    double published;
  };
  for (const Row& row : {Row{1.1, 60, 3.01}, Row{1.3, 15, 1.19}, Row{0.7, 45, 7.10}}) {
    const SgdRun run{row.sigma, 256.0 / 60000,
                     static_cast<std::int64_t>(row.epochs) * (60000 / 256)};
    const Guarantee g = dp_sgd_epsilon(run, 1e-5, Conversion::kClassic, tutorial_orders());
    EXPECT_NEAR(g.epsilon, row.published, 0.01 * row.published) << "sigma " << row.sigma;
    // The improved conversion is never worse.
    EXPECT_LE(dp_sgd_epsilon(run, 1e-5, Conversion::kImproved, tutorial_orders()).epsilon,
              g.epsilon);
  }
}

TEST(Accountant, ComputeDpSgdPrivacyTestValues) {  // [T]
  struct Case {
    double n, batch, sigma, epochs, delta, eps, order;
  };
  for (const Case& c : {Case{60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0},
                        Case{100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13.0},
                        Case{1e8, 1024, 0.1, 10, 1e-7, 5907982.3113984, 1.25}}) {
    const SgdRun run{c.sigma, c.batch / c.n,
                     static_cast<std::int64_t>(std::ceil(c.epochs * c.n / c.batch))};
    const Guarantee g =
        dp_sgd_epsilon(run, c.delta, Conversion::kImproved, dp_sgd_privacy_orders());
    EXPECT_NEAR(g.epsilon, c.eps, 1e-6 * c.eps) << "n " << c.n;
    EXPECT_EQ(g.order, c.order) << "n " << c.n;
  }
}

TEST(Accountant, ConversionOfPureDpRdp) {  // [D]
  std::vector<double> orders, rdp;
  for (int a = 2; a < 33; ++a) {
    orders.push_back(a);
    rdp.push_back(1.1);
  }
  const Guarantee g = epsilon_of(orders, rdp, 1e-5);
  EXPECT_NEAR(g.epsilon, 1.32783806176, 1e-9);
  EXPECT_EQ(g.order, 32);
  // Classic: 1.1 − log(1e-5) / 31.
  EXPECT_NEAR(epsilon_of(orders, rdp, 1e-5, Conversion::kClassic).epsilon,
              1.1 - std::log(1e-5) / 31, 1e-12);
}

TEST(Accountant, PlainGaussianIsExactAndReachesTheOptimalBound) {
  for (double sigma : {0.5, 1.0, 4.0})
    for (double alpha : {1.5, 2.0, 7.25, 64.0})
      EXPECT_DOUBLE_EQ(rdp_sampled_gaussian(1.0, sigma, alpha), alpha / (2 * sigma * sigma));
  // [D]: σ = 4.530877117 is exactly (1, 1e-6)-DP (Balle–Wang analytic Gaussian); dense orders
  // reach it through the improved conversion.
  std::vector<double> orders;
  for (int i = 1000; i < 100000; ++i) orders.push_back(0.001 * i);
  orders.erase(orders.begin());  // order 1 is not an RDP order here
  const std::vector<double> rdp = rdp_sampled_gaussian(1.0, 4.530877117, 1, orders);
  EXPECT_NEAR(epsilon_of(orders, rdp, 1e-6).epsilon, 1.0, 1e-6);
}

TEST(Accountant, FractionalSeriesMeetsTheIntegerExpansion) {
  // RDP is continuous in α: the series at α ± 1e-6 brackets the binomial sum at α.
  for (double q : {0.001, 0.01, 0.3})
    for (double sigma : {0.7, 1.1, 4.0})
      for (double alpha : {2.0, 5.0, 19.0, 40.0}) {
        const double at = rdp_sampled_gaussian(q, sigma, alpha);
        const double below = rdp_sampled_gaussian(q, sigma, alpha - 1e-6);
        const double above = rdp_sampled_gaussian(q, sigma, alpha + 1e-6);
        EXPECT_NEAR(below, at, 1e-4 * at) << q << " " << sigma << " " << alpha;
        EXPECT_NEAR(above, at, 1e-4 * at) << q << " " << sigma << " " << alpha;
        EXPECT_LE(below, above) << q << " " << sigma << " " << alpha;
      }
}

TEST(Accountant, NoiseForEpsilonInvertsEpsilon) {
  const double q = 256.0 / 60000;
  const std::int64_t steps = 60 * (60000 / 256);
  const double eps = dp_sgd_epsilon({1.1, q, steps}, 1e-5).epsilon;
  const double sigma = noise_for_epsilon(eps, q, steps, 1e-5);
  EXPECT_NEAR(sigma, 1.1, 1e-5);
  EXPECT_LE(dp_sgd_epsilon({sigma, q, steps}, 1e-5).epsilon, eps);
  // Smaller ε needs more noise.
  EXPECT_GT(noise_for_epsilon(eps / 2, q, steps, 1e-5), sigma);
}

TEST(Accountant, RunsComposeThroughRdpNotBySummingEpsilon) {
  const double q = 32.0 / 455;
  const SgdRun run{1.0, q, 150};
  const double one = dp_sgd_epsilon(run, 1e-5).epsilon;
  const double two = composed_epsilon({run, run}, 1e-5).epsilon;
  EXPECT_DOUBLE_EQ(two, dp_sgd_epsilon({1.0, q, 300}, 1e-5).epsilon);
  EXPECT_GT(two, one);
  EXPECT_LT(two, 2 * one);
  // A second run under a total: the noise it needs grows with what was spent before.
  EXPECT_GT(noise_for_epsilon(2 * one, q, 150, 1e-5, {run}),
            noise_for_epsilon(2 * one, q, 150, 1e-5));
  EXPECT_THROW(noise_for_epsilon(one / 2, q, 150, 1e-5, {run}), AccountantError);
}

TEST(Accountant, BadArgumentsAreErrors) {
  EXPECT_THROW(rdp_sampled_gaussian(1.5, 1.0, 2.0), AccountantError);
  EXPECT_THROW(rdp_sampled_gaussian(0.1, -1.0, 2.0), AccountantError);
  EXPECT_THROW(rdp_sampled_gaussian(0.1, 1.0, 1.0), AccountantError);
  EXPECT_THROW(dp_sgd_epsilon({1.0, 0.1, 10}, 0.0), AccountantError);
  EXPECT_THROW(dp_sgd_epsilon({1.0, 0.1, 10}, 1.0), AccountantError);
  EXPECT_THROW(dp_sgd_epsilon({1.0, 0.1, -1}, 1e-5), AccountantError);
  EXPECT_THROW(noise_for_epsilon(0.0, 0.1, 10, 1e-5), AccountantError);
  EXPECT_EQ(rdp_sampled_gaussian(0.0, 1.0, 2.0), 0.0);
  EXPECT_TRUE(std::isinf(rdp_sampled_gaussian(0.1, 0.0, 2.0)));
}

}  // namespace
}  // namespace jointly::ml::dp
