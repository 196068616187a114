// ReLU, sigmoid, exp, reciprocal and softmax against their plaintext definitions: stated error
// bounds and exact round / byte counts (docs/circuits.md), over every protocol and source of
// correlated randomness (comparisons at Protocol::gez_cost, products and truncations at
// tests/protocols/costs.h).
#include <cmath>

#include "circuits/activations/relu.h"
#include "circuits/activations/sigmoid.h"
#include "circuits/activations/softmax.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

const FixedPoint kFp;
const double kUlp = 1.0 / kFp.scale();
// Largest magnitude the default FixedPoint encodes (just under 2^15).
const double kLargest = kFp.limit() - kUlp;

// Row-major like IntMatrix, so that data()[i] of an input and of a decoded result agree.
using RowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using ActivationSuite = CircuitSuite;

TEST_P(ActivationSuite, ReluAndDerivativeAreExactAndCostOneComparison) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 6, cols = 25;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -100, 100);
  const double edges[] = {0.0, kUlp, -kUlp, kLargest, -kLargest, -0.0};
  for (std::size_t i = 0; i < std::size(edges); ++i) v.data()[i] = edges[i];
  const IntMatrix x = kFp.encode(v);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    Shared derivative;
    const Shared y = circuits::relu(proto, sx, &derivative);
    const auto cost = online_traffic(proto) - before;
    const circuits::Cost want = circuits::relu_cost(proto, x.size());
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
    if (setup().binary() && n() == 2) {
      EXPECT_LE(cost.rounds, 8u) << "DESIGN.md budget";
    }
    const IntMatrix got = proto.open(y), d = proto.open(derivative);
    const IntMatrix d_alone = proto.open(circuits::relu_derivative(proto, sx));
    for (Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(got.data()[i], std::max<std::int64_t>(x.data()[i], 0)) << "x = " << x.data()[i];
      ASSERT_EQ(d.data()[i], x.data()[i] >= 0 ? 1 : 0);
      ASSERT_EQ(d_alone.data()[i], d.data()[i]);
    }
  });
}

TEST(SigmoidApproximation, StatedErrorHoldsOnAFineGridAndItSaturates) {
  double worst = 0;
  for (double x = -8; x <= 8; x += 1.0 / 1024) {
    worst = std::max(worst, std::fabs(circuits::sigmoid_approx(x) - 1 / (1 + std::exp(-x))));
  }
  // The approximation alone leaves room for fixed-point rounding under the stated bound.
  EXPECT_LT(worst + 4 * kUlp, circuits::kSigmoidMaxError) << "worst " << worst;
  EXPECT_EQ(circuits::sigmoid_approx(-8.001), 0.0);
  EXPECT_EQ(circuits::sigmoid_approx(8.0), 1.0);
  EXPECT_EQ(circuits::sigmoid_approx(-1e9), 0.0);
  EXPECT_EQ(circuits::sigmoid_approx(1e9), 1.0);
}

TEST_P(ActivationSuite, SigmoidWithinTheStatedErrorAndRoundBudget) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 4, cols = 64;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -9, 9);
  const double edges[] = {0.0, -8.0, 8.0, -kUlp, kUlp, kLargest, -kLargest, 20, -20, -1.3};
  for (std::size_t i = 0; i < std::size(edges); ++i) v.data()[i] = edges[i];
  const IntMatrix x = kFp.encode(v);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(1, proto.self() == 1 ? &x : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    const Shared y = circuits::sigmoid(proto, sx);
    const auto cost = online_traffic(proto) - before;
    const circuits::Cost cmp = circuits::sigmoid_comparison_cost(proto, x.size());
    const Cost trunc = trunc_cost_of(proto, x.size());
    EXPECT_EQ(cost.rounds, cmp.rounds + trunc.rounds);
    EXPECT_EQ(cost.bytes_sent, cmp.bytes_sent + trunc.bytes);
    if (setup().binary() && n() <= 3) {
      EXPECT_LE(cost.rounds, 10u) << "DESIGN.md budget";
    }
    const RowMajorXd got = kFp.decode(proto.open(y));
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      const double want = 1 / (1 + std::exp(-xi));
      ASSERT_NEAR(got.data()[i], want, circuits::kSigmoidMaxError) << "x = " << xi;
      if (std::fabs(xi) > 8) {  // saturated: exactly 0 or 1 up to the truncation's error
        ASSERT_NEAR(got.data()[i], xi > 0 ? 1.0 : 0.0, trunc_ulps() * kUlp) << "x = " << xi;
      }
    }
  });
}

// exp_nonpositive against e^x at the stated bound kExpMaxError, and its rounds.
void check_exp(const ProtocolSetup& setup, std::uint64_t seed) {
  Prg data(seed_from_u64(seed));
  const Index rows = 3, cols = 40;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -12, 0);
  const double edges[] = {0.0, -kUlp, -2.0, -256.0, -300.0, -kLargest, 3.0};
  for (std::size_t i = 0; i < std::size(edges); ++i) v.data()[i] = edges[i];
  const IntMatrix x = kFp.encode(v);
  run_protocol(setup, seed, [&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    const RowMajorXd got = kFp.decode(proto.open(circuits::exp_nonpositive(proto, sx)));
    const auto cost = online_traffic(proto) - before;
    const circuits::ExpOptions opt;
    // The clamp's two comparisons with one product, then k squarings each truncated, one
    // truncation before and after them, and the opening.
    const std::uint64_t trunc = trunc_cost(setup, proto.self(), x.size()).rounds;
    EXPECT_EQ(cost.rounds, proto.gez_cost(x.size(), 1, 2).rounds +
                               opt.squarings * (mul_cost(setup, x.size()).rounds + trunc) +
                               2 * trunc + 1);
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      const double want = std::exp(std::min(xi, 0.0));  // positive inputs are clamped to 0
      ASSERT_NEAR(got.data()[i], want, circuits::kExpMaxError) << "x = " << xi;
    }
  });
}

TEST_P(ActivationSuite, ExpOfNonPositiveInputsWithinTheStatedError) {
  if (setup().shamir() && n() > 3) {
    GTEST_SKIP() << "known bug: ActivationKnownBug.DISABLED_ExpOnShamirFiveWithinTheStatedError";
  }
  check_exp(setup(), seed());
}

// BUG (circuits/activations/softmax.h, docs/circuits.md): kExpMaxError = 3e-3 does not hold on
// Shamir shares with 5 parties: exp_nonpositive(0) opens 1.00545 (error 5.4e-3). The stated
// analysis counts the rounding of the 8 truncated squarings as one unit amplified up to 2^k
// (2^(k-f-2) = 9.8e-4), but Shamir's statistical truncation is off by up to n units, always
// upwards (docs/shamir.md), so with n = 5 the rounding term alone reaches about 4.9e-3. The
// bound has to depend on the backend's truncation error, or exp has to compensate for it.
// Replays the seed of the suite's shamir5 instance.
TEST(ActivationKnownBug, DISABLED_ExpOnShamirFiveWithinTheStatedError) {
  check_exp(shamir_setup(5),
            std::hash<std::string>{}(
                "ExpOfNonPositiveInputsWithinTheStatedError/shamir5All/ActivationSuite"));
}

TEST_P(ActivationSuite, ReciprocalOnItsRange) {
  Prg data(seed_from_u64(seed()));
  const double lo = 1, hi = 16;
  const Index rows = 2, cols = 30;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, lo, hi);
  v(0, 0) = lo;
  v(0, 1) = hi;
  const IntMatrix x = kFp.encode(v);
  const int it = circuits::reciprocal_iterations(lo, hi);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    const Shared y = circuits::reciprocal(proto, sx, lo, hi);
    const auto cost = online_traffic(proto) - before;
    // The first iteration multiplies by a public constant: 2 truncations, no products; every
    // later one 2 products, each truncated.
    const std::uint64_t trunc = trunc_cost_of(proto, x.size()).rounds;
    EXPECT_EQ(cost.rounds, 2 * trunc + (it - 1) * 2 * (mul_cost_of(x.size()).rounds + trunc));
    const RowMajorXd got = kFp.decode(proto.open(y));
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      // Stated: about 4 · 2^-f absolute plus e0^(2^it) ≤ 2^-f relative.
      ASSERT_NEAR(got.data()[i], 1 / xi, 4 * kUlp + kUlp / xi) << "x = " << xi;
    }
  });
}

// Softmax has no cost assertion of its own: its parts' costs are asserted above.
using SoftmaxSuite = CircuitSuite;

TEST_P(SoftmaxSuite, RowsAreSafeAndWithinTheStatedError) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 6, cols = 10;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -6, 6);
  v.row(0).setConstant(3.25);  // uniform row
  v.row(1).setConstant(-20);
  v(1, 4) = 20;                    // one dominant entry
  v.row(2).setConstant(kLargest);  // would overflow a naive e^x
  v(2, 0) = -kLargest;
  const IntMatrix x = kFp.encode(v);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const RowMajorXd got = kFp.decode(proto.open(circuits::softmax_rows(proto, sx)));
    for (Index r = 0; r < rows; ++r) {
      const Eigen::RowVectorXd e = (v.row(r).array() - v.row(r).maxCoeff()).exp().matrix();
      const Eigen::RowVectorXd want = e / e.sum();
      for (Index c = 0; c < cols; ++c) {
        ASSERT_NEAR(got(r, c), want(c), circuits::kSoftmaxMaxError) << "row " << r << " col " << c;
      }
    }
  });
}

INSTANTIATE_TEST_SUITE_P(All, ActivationSuite, kEverySetup,
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(All, SoftmaxSuite, kEverySetup,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
