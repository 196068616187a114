// ml/data/standardize: the plaintext rule against a hand computation, and the joint rule on
// secret shares against the plaintext rule on the pooled rows.
#include "ml/data/standardize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>
#include <vector>

#include "ml/data/csv.h"
#include "tests/protocols/harness.h"

namespace jointly::ml {
namespace {

using jointly::testing::ProtocolSetup;
using jointly::testing::run_protocol;

TEST(StandardizerTest, FitMatchesHandComputation) {
  Eigen::MatrixXd x(4, 3);
  x << 1, 10, 7,  //
      2, 20, 7,   //
      3, 30, 7,   //
      6, 40, 7;
  const Standardizer s = Standardizer::fit(x);
  // Column 0: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
  // Column 1: mean 25, variance (225 + 25 + 25 + 225) / 4 = 125.
  // Column 2: constant: standard deviation 1, so it only shifts to zero.
  ASSERT_EQ(s.mean.size(), 3);
  EXPECT_DOUBLE_EQ(s.mean(0), 3);
  EXPECT_DOUBLE_EQ(s.mean(1), 25);
  EXPECT_DOUBLE_EQ(s.mean(2), 7);
  EXPECT_NEAR(s.stddev(0), std::sqrt(3.5), 1e-12);
  EXPECT_NEAR(s.stddev(1), std::sqrt(125.0), 1e-12);
  EXPECT_EQ(s.stddev(2), 1);

  const Eigen::MatrixXd z = s.apply(x);
  EXPECT_NEAR(z(0, 0), -2 / std::sqrt(3.5), 1e-12);
  EXPECT_NEAR(z(3, 1), 15 / std::sqrt(125.0), 1e-12);
  for (Eigen::Index r = 0; r < 4; ++r) EXPECT_EQ(z(r, 2), 0);
  // Standardised columns have mean 0 and (population) variance 1.
  EXPECT_NEAR(z.col(0).mean(), 0, 1e-12);
  EXPECT_NEAR(z.col(1).array().square().mean(), 1, 1e-12);
}

class JointStandardizerTest : public ::testing::TestWithParam<int> {};

TEST_P(JointStandardizerTest, EqualsFitOnPooledRows) {
  const int n = GetParam();
  const Table all = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  // Uneven shares of the rows, so a party's own mean differs from the global one.
  std::vector<Eigen::MatrixXd> parts;
  Eigen::Index first = 0;
  for (int p = 0; p < n; ++p) {
    const Eigen::Index count = p + 1 == n ? all.rows() - first : all.rows() / (2 * n) + 40 * p;
    parts.push_back(all.features.middleRows(first, count));
    first += count;
  }
  const Standardizer expected = Standardizer::fit(all.features);

  ProtocolSetup setup;
  setup.name = "additive" + std::to_string(n);
  setup.parties = n;
  setup.truncation = Truncation::kPair;
  setup.triples = "dealer";
  std::vector<Standardizer> got(static_cast<std::size_t>(n));
  run_protocol(setup, 7, [&](Protocol& protocol) {
    got[static_cast<std::size_t>(protocol.self())] =
        joint_standardizer(protocol, parts[static_cast<std::size_t>(protocol.self())], all.rows());
  });
  for (int p = 0; p < n; ++p) {
    const Standardizer& s = got[static_cast<std::size_t>(p)];
    ASSERT_EQ(s.mean.size(), expected.mean.size());
    for (Eigen::Index c = 0; c < s.mean.size(); ++c) {
      EXPECT_NEAR(s.mean(c), expected.mean(c), 1e-3) << "party " << p << " column " << c;
      EXPECT_NEAR(s.stddev(c), expected.stddev(c), 1e-3) << "party " << p << " column " << c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, JointStandardizerTest, ::testing::Values(2, 3),
                         [](const auto& info) { return std::to_string(info.param) + "parties"; });

}  // namespace
}  // namespace jointly::ml
