// ml/logreg/dp_logreg: DP-SGD on shares. The parties' noise adds up to the stated variance
// (statistical test: fails with probability ~1e-6 per protocol when correct) and no party's
// shares hold it in the clear; the clip thresholds keep every clipped gradient within C; with
// no noise the secure run matches the plaintext DP-SGD reference (same clipping); with noise
// both reach comparable accuracy on W4. Every protocol, 2 and 3 parties.
#include "ml/logreg/dp_logreg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "ml/logreg/logreg.h"
#include "tests/protocols/harness.h"

namespace jointly::ml {
namespace {

using testing::ProtocolSetup;

class DpLogRegTest : public ::testing::TestWithParam<ProtocolSetup> {};

// The decoded value of this party's share(s): one ring element for additive, the first of the
// pair for replicated, the field element's low 64 bits for Shamir.
double share_value(const Shared& s, Index i, const FixedPoint& fp) {
  if (s.is_pair()) return fp.decode(static_cast<std::int64_t>(s.pair().mine(i, 0)));
  if (s.is_ring()) return fp.decode(static_cast<std::int64_t>(s.ring()(i, 0)));
  return fp.decode(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.field()(i, 0).value())));
}

TEST_P(DpLogRegTest, NoiseHasTheStatedVarianceAndNoShareHoldsIt) {
  const ProtocolSetup& setup = GetParam();
  const FixedPoint fp{};
  constexpr Index kSamples = 20000;
  constexpr double kStddev = 1.7;  // per party
  std::vector<Eigen::VectorXd> opened(static_cast<std::size_t>(setup.parties));
  std::vector<double> near_share(static_cast<std::size_t>(setup.parties));
  testing::run_protocol(setup, 5, [&](Protocol& protocol) {
    const Shared noise = party_gaussian_noise(protocol, kSamples, 1, kStddev, fp);
    const Eigen::VectorXd z = fp.decode(protocol.open(noise)).col(0);
    Index close = 0;
    for (Index i = 0; i < kSamples; ++i)
      close += std::fabs(share_value(noise, i, fp) - z(i)) < 1e-3;
    opened[static_cast<std::size_t>(protocol.self())] = z;
    near_share[static_cast<std::size_t>(protocol.self())] = double(close) / kSamples;
  });
  const Eigen::VectorXd& z = opened[0];
  const double mean = z.mean();
  const double var = (z.array() - mean).square().sum() / double(kSamples - 1);
  const double expected = setup.parties * kStddev * kStddev;
  // Sample variance of N normals: relative standard error sqrt(2 / N) = 1%; 5% is 5 sigma.
  EXPECT_NEAR(var, expected, 0.05 * expected);
  EXPECT_NEAR(mean, 0.0, 5 * std::sqrt(expected / kSamples));
  for (int p = 0; p < setup.parties; ++p) {
    EXPECT_EQ(opened[static_cast<std::size_t>(p)], z);
    // A share is uniformly random: it equals the noise it shares for (almost) no entry.
    EXPECT_LT(near_share[static_cast<std::size_t>(p)], 0.001) << "party " << p;
  }
}

TEST_P(DpLogRegTest, ClipThresholdsKeepEveryGradientWithinC) {
  const ProtocolSetup& setup = GetParam();
  const FixedPoint fp{};
  // Rows with ‖x‖² from 1 to 1000 (the range ends are the hard cases), and one beyond the
  // bound, which must get t = 0.
  Eigen::MatrixXd x(41, 4);
  for (Index i = 0; i < 40; ++i) {
    const double norm_sq = std::pow(1000.0, double(i) / 39);
    x.row(i) << std::sqrt(norm_sq - 1) * 0.6, std::sqrt(norm_sq - 1) * 0.8, 0, 1;
  }
  x.row(40) << 40, 0, 0, 1;
  const DpConfig dp{.noise = 1, .clip = 0.7};
  Eigen::VectorXd t;
  testing::run_protocol(setup, 6, [&](Protocol& protocol) {
    const IntMatrix enc = fp.encode(x);
    const Shared xs = protocol.input(0, protocol.self() == 0 ? &enc : nullptr, x.rows(), x.cols());
    const Eigen::VectorXd mine =
        fp.decode(protocol.open(clip_thresholds(protocol, xs, dp, fp))).col(0);
    if (protocol.self() == 0) t = mine;
  });
  for (Index i = 0; i < 40; ++i) {
    const double clipped = t(i) * x.row(i).norm();  // the largest clipped norm (|e| >= t)
    EXPECT_LE(clipped, dp.clip) << "row " << i;
    EXPECT_GE(clipped, dp.clip * (1 - 2 * kClipMargin)) << "row " << i;
  }
  EXPECT_EQ(t(40), 0.0);
}

struct W4 {
  Eigen::MatrixXd x, x_test;
  Eigen::VectorXd y, y_test;
};
W4 load_w4() {
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const Table test = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_test.csv", "label");
  const Standardizer s = Standardizer::fit(train.features);
  return {with_bias(s.apply(train.features)), with_bias(s.apply(test.features)), train.labels,
          test.labels};
}

TEST_P(DpLogRegTest, SecureDpSgdMatchesThePlaintextReference) {
  const ProtocolSetup& setup = GetParam();
  const W4 w4 = load_w4();
  SgdConfig sgd;
  sgd.epochs = setup.ot() ? 1 : 4;
  sgd.shuffle_seed = 3;
  for (const double noise : {0.0, 1.0}) {
    const DpConfig dp{.noise = noise, .clip = 1.0};
    Eigen::VectorXd w;
    testing::run_protocol(setup, 7, [&](Protocol& protocol) {
      const IntMatrix xe = sgd.fp.encode(w4.x), ye = sgd.fp.encode(Eigen::MatrixXd(w4.y));
      const bool me = protocol.self() == 0;
      const Shared x = protocol.input(0, me ? &xe : nullptr, xe.rows(), xe.cols());
      const Shared y = protocol.input(0, me ? &ye : nullptr, ye.rows(), 1);
      const Eigen::VectorXd mine =
          sgd.fp.decode(protocol.open(train_logreg_dp(protocol, x, y, sgd, dp))).col(0);
      if (me) w = mine;
    });
    const Eigen::VectorXd w_plain = train_logreg_dp_plain(w4.x, w4.y, sgd, dp, 9);
    const double acc = accuracy(w4.x_test, w4.y_test, w);
    const double acc_plain = accuracy(w4.x_test, w4.y_test, w_plain);
    if (noise == 0) {
      // Same clipping, no noise: the same model up to fixed point and the clip margin.
      EXPECT_LT((w - w_plain).cwiseAbs().maxCoeff(), 0.03) << setup.name;
      EXPECT_NEAR(acc, acc_plain, 0.02) << setup.name;
    } else {
      // Independent noise (the parties' own against a seeded generator): both still learn.
      EXPECT_GT(acc, 0.85) << setup.name;
      EXPECT_GT(acc_plain, 0.85) << setup.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, DpLogRegTest,
                         ::testing::Values(testing::additive_setup(2, Truncation::kPair),
                                           testing::additive_setup(3, Truncation::kPair),
                                           testing::additive_ot_setup(Truncation::kPair),
                                           testing::shamir_setup(3), testing::replicated_setup()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::ml
