// ReLU, sigmoid, exp, reciprocal and softmax against their plaintext definitions: stated error
// bounds and exact round / byte counts (docs/circuits.md).
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
    const auto before = proto.network().traffic();
    Shared derivative;
    const Shared y = circuits::relu(proto, sx, &derivative);
    const auto cost = proto.network().traffic() - before;
    const circuits::Cost want = circuits::relu_cost(proto, x.size());
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
    if (n() == 2) {
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
    const auto before = proto.network().traffic();
    const Shared y = circuits::sigmoid(proto, sx);
    const auto cost = proto.network().traffic() - before;
    const circuits::Cost cmp = circuits::sigmoid_comparison_cost(proto, x.size());
    EXPECT_EQ(cost.rounds, cmp.rounds + trunc_rounds());
    EXPECT_EQ(cost.bytes_sent,
              cmp.bytes_sent + trunc_rounds() * (n() - 1) * x.size() * sizeof(Ring));
    if (n() <= 3) {
      EXPECT_LE(cost.rounds, 10u) << "DESIGN.md budget";
    }
    const RowMajorXd got = kFp.decode(proto.open(y));
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      const double want = 1 / (1 + std::exp(-xi));
      ASSERT_NEAR(got.data()[i], want, circuits::kSigmoidMaxError) << "x = " << xi;
      if (std::fabs(xi) > 8) {  // saturated: exactly 0 or 1 up to the truncation's last place
        ASSERT_NEAR(got.data()[i], xi > 0 ? 1.0 : 0.0, kUlp) << "x = " << xi;
      }
    }
  });
}

TEST_P(ActivationSuite, ExpOfNonPositiveInputsWithinTheStatedError) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 3, cols = 40;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -12, 0);
  const double edges[] = {0.0, -kUlp, -2.0, -256.0, -300.0, -kLargest, 3.0};
  for (std::size_t i = 0; i < std::size(edges); ++i) v.data()[i] = edges[i];
  const IntMatrix x = kFp.encode(v);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const auto before = proto.network().traffic();
    const RowMajorXd got = kFp.decode(proto.open(circuits::exp_nonpositive(proto, sx)));
    const auto cost = proto.network().traffic() - before;
    const circuits::ExpOptions opt;
    // Comparisons, then k squarings, plus one truncation before and after them (n > 2), and
    // the opening.
    EXPECT_EQ(cost.rounds, ltz_cost(n(), 2, 1).rounds + opt.squarings * (1 + trunc_rounds()) +
                               2 * trunc_rounds() + 1);
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      const double want = std::exp(std::min(xi, 0.0));  // positive inputs are clamped to 0
      ASSERT_NEAR(got.data()[i], want, circuits::kExpMaxError) << "x = " << xi;
    }
  });
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
    const auto before = proto.network().traffic();
    const Shared y = circuits::reciprocal(proto, sx, lo, hi);
    const auto cost = proto.network().traffic() - before;
    // The first iteration multiplies by a public constant: 2 truncations, no products.
    EXPECT_EQ(cost.rounds, 2 * trunc_rounds() + (it - 1) * 2 * (1 + trunc_rounds()));
    const RowMajorXd got = kFp.decode(proto.open(y));
    for (Index i = 0; i < x.size(); ++i) {
      const double xi = kFp.decode(x.data()[i]);
      // Stated: about 4 · 2^-f absolute plus e0^(2^it) ≤ 2^-f relative.
      ASSERT_NEAR(got.data()[i], 1 / xi, 4 * kUlp + kUlp / xi) << "x = " << xi;
    }
  });
}

// Softmax has no protocol-specific cost assertion: it runs on Shamir and replicated shares too.
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

INSTANTIATE_TEST_SUITE_P(Additive, ActivationSuite, kAdditiveSetups,
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Additive, SoftmaxSuite, kAdditiveSetups,
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Replicated, SoftmaxSuite, kReplicatedSetups,
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Shamir, SoftmaxSuite, kShamirSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
