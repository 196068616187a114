// DP-SGD for the MLP (ml/mlp/dp_mlp.h, ml/dp/dp_sgd.h): the clipping factors against
// min(1, C/‖g‖) over the whole range and beyond it, on every protocol; one step's update never
// exceeds C and is clipped to about C when the gradient is larger; the noise the step adds has
// the stated variance; without noise the secure training matches the plaintext DP-SGD
// reference.
#include "ml/mlp/dp_mlp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "tests/ml/mlp/secure_run.h"

namespace jointly::ml {
namespace {

using testing::ProtocolSetup;

class DpClipTest : public ::testing::TestWithParam<ProtocolSetup> {};

TEST_P(DpClipTest, FactorsAreMinOfOneAndCOverTheNormAndZeroBeyondTheRange) {
  const ProtocolSetup& setup = GetParam();
  const FixedPoint fp{};
  for (const double clip : {1.0, 0.25, 8.0}) {
    const double top = std::min(3e4, 1.5 * clip * clip * std::pow(4.0, kClipRangeLog4));
    // Squared norms from 1e-3·C² to past the range's end at 4^7·C²/(1 + margin)², log-spaced,
    // the range's bucket edges 4^k (where Newton starts lowest) and both sides of its end.
    std::vector<double> norms;
    const double c2 = clip * clip, m2 = std::pow(1 + kClipFactorMargin, 2);
    for (int i = 0; i <= 60; ++i)
      norms.push_back(c2 * 1e-3 * std::pow(top / (c2 * 1e-3), i / 60.0));
    for (int k = 0; k <= kClipRangeLog4; ++k) norms.push_back(c2 * std::pow(4.0, k) / m2);
    norms.push_back(c2 * std::pow(4.0, kClipRangeLog4) / m2 * 0.999);
    norms.push_back(c2 * std::pow(4.0, kClipRangeLog4) / m2 * 1.001);
    std::erase_if(norms, [](double v) { return v >= 3e4; });  // the fixed-point range
    Eigen::MatrixXd n(static_cast<Index>(norms.size()), 1);
    for (std::size_t i = 0; i < norms.size(); ++i) n(static_cast<Index>(i), 0) = norms[i];
    Eigen::VectorXd s;
    testing::run_protocol(setup, 11, [&](Protocol& protocol) {
      const IntMatrix enc = fp.encode(n);
      const Shared shared = protocol.input(0, protocol.self() == 0 ? &enc : nullptr, n.rows(), 1);
      const IntMatrix opened = protocol.open(clip_factors(protocol, shared, clip, fp));
      if (protocol.self() == 0) {
        s = opened.col(0).cast<double>() * std::ldexp(1.0, -clip_frac_bits(fp));
      }
    });
    const double end = c2 * std::pow(4.0, kClipRangeLog4) / m2;
    for (Index i = 0; i < n.rows(); ++i) {
      // The norm the factor saw: n's fixed-point encoding.
      const double norm = std::sqrt(fp.decode(fp.encode(n(i, 0))));
      const double exact = std::min(1.0, clip / ((1 + kClipFactorMargin) * norm));
      const bool dropped = s(i) == 0;
      if (n(i, 0) > end * 1.02) {
        EXPECT_TRUE(dropped) << setup.name << " C " << clip << " n " << n(i, 0) << " s " << s(i);
      } else if (n(i, 0) < end * 0.98 || !dropped) {
        // Near the range's end (within the coarse check's 2^8 ulps) either answer is right.
        EXPECT_LE(s(i) * norm, clip / (1 + kClipFactorMargin) * (1 + 1.0 / 2048) + 1e-6)
            << setup.name << " C " << clip << " n " << n(i, 0);
        EXPECT_NEAR(s(i), exact, exact / 2048 + 1e-6)
            << setup.name << " C " << clip << " n " << n(i, 0);
      }
    }
  }
}

TEST_P(DpClipTest, RefusesClipNormsOutsideItsRange) {
  const ProtocolSetup& setup = GetParam();
  testing::run_protocol(setup, 12, [&](Protocol& protocol) {
    const IntMatrix one = IntMatrix::Constant(1, 1, 1 << 16);
    const Shared n = protocol.input(0, protocol.self() == 0 ? &one : nullptr, 1, 1);
    EXPECT_THROW(clip_factors(protocol, n, 0.2, FixedPoint{}), std::invalid_argument);
    EXPECT_THROW(clip_factors(protocol, n, 65, FixedPoint{}), std::invalid_argument);
  });
}

INSTANTIATE_TEST_SUITE_P(Protocols, DpClipTest,
                         ::testing::Values(testing::additive_setup(2, Truncation::kPair),
                                           testing::additive_setup(3, Truncation::kPair),
                                           testing::additive_ot_setup(Truncation::kPair),
                                           testing::shamir_setup(3), testing::replicated_setup()),
                         [](const auto& info) { return info.param.name; });

// A small network and one training row per run: with batch 1 and learning rate 1, the update
// of the only step is the clipped gradient plus the noise.
MlpConfig one_step_config(int inputs) {
  MlpConfig config;
  config.layers = {inputs, 12, 3};
  config.sgd.epochs = 1;
  config.sgd.batch = 1;
  config.sgd.learning_rate = 1;
  config.init_seed = 5;
  return config;
}

double update_norm(const MlpPlain& before, const MlpPlain& after) {
  double sq = 0;
  for (std::size_t l = 0; l < before.weights.size(); ++l) {
    sq += (after.weights[l] - before.weights[l]).squaredNorm();
    sq += (after.biases[l] - before.biases[l]).squaredNorm();
  }
  return std::sqrt(sq);
}

class DpMlpTest : public ::testing::TestWithParam<ProtocolSetup> {};

TEST_P(DpMlpTest, OneExamplesUpdateIsClippedToC) {
  const ProtocolSetup& setup = GetParam();
  const MlpConfig config = one_step_config(6);
  const MlpPlain start = mlp_init(config);
  const DpConfig dp{.noise = 0, .clip = 1.0};
  // Rows whose gradient norm is below C, around it, well above it, and beyond the clipping
  // range (128·C), where the example must contribute nothing.
  for (const double scale : {0.05, 0.5, 3.0, 20.0, 100.0}) {
    Eigen::MatrixXd x(1, 6);
    x << 1, -2, 0.5, 3, -1, 2;
    x *= scale;
    const std::vector<int> label{2};
    const MlpPlain secure = testing::run_secure_mlp(setup, x, label, config, 13, {}, &dp).model;
    const double norm = mlp_gradient_norms(mlp_pass(start, x, one_hot(label, 3)))(0);
    const double got = update_norm(start, secure);
    EXPECT_LE(got, dp.clip + 1e-3) << setup.name << " scale " << scale << " ‖g‖ " << norm;
    const double range_end = 128 * dp.clip / (1 + kClipFactorMargin);
    if (norm > 1.02 * range_end) {
      // Dropped: what is left is the rounding of s ∘ dz = 0 (2^-F per entry) times the
      // activations, ≤ 2^-20·‖x‖·√12 here.
      EXPECT_LT(got, 0.005) << setup.name << " scale " << scale << " ‖g‖ " << norm;
    } else if (norm < 0.98 * range_end) {
      // min(‖g‖, C/(1 + margin)), up to fixed point (the secure gradient is not exactly the
      // plaintext one).
      const double expected = std::min(norm, dp.clip / (1 + kClipFactorMargin));
      EXPECT_NEAR(got, expected, 0.01 * expected + 1e-3)
          << setup.name << " scale " << scale << " ‖g‖ " << norm;
    }
  }
}

TEST_P(DpMlpTest, TheStepAddsNoiseOfTheStatedVariance) {
  const ProtocolSetup& setup = GetParam();
  // Two runs that differ only in the parties' noise: the difference of their one-step
  // updates is the difference of two noise draws, variance 2·n/(n − t)·σ²C² per parameter.
  MlpConfig config = one_step_config(16);
  config.layers = {16, 256, 10};
  const DpConfig dp{.noise = 0.5, .clip = 2.0};
  Eigen::MatrixXd x = Eigen::MatrixXd::Constant(1, 16, 0.3);
  const std::vector<int> label{4};
  const MlpPlain a = testing::run_secure_mlp(setup, x, label, config, 14, {}, &dp).model;
  const MlpPlain b = testing::run_secure_mlp(setup, x, label, config, 14, {}, &dp).model;
  std::vector<double> diffs;
  for (std::size_t l = 0; l < a.weights.size(); ++l) {
    const Eigen::MatrixXd dw = a.weights[l] - b.weights[l];
    const Eigen::RowVectorXd db = a.biases[l] - b.biases[l];
    diffs.insert(diffs.end(), dw.data(), dw.data() + dw.size());
    diffs.insert(diffs.end(), db.data(), db.data() + db.size());
  }
  double sq = 0;
  for (const double d : diffs) sq += d * d;
  const double var = sq / static_cast<double>(diffs.size());
  const int n = setup.parties;
  const int t = setup.scheme == testing::Scheme::kAdditive ? n - 1 : (n - 1) / 2;
  const double expected = 2.0 * n / (n - t) * std::pow(dp.noise * dp.clip, 2);
  // 6,922 parameters: relative standard error sqrt(2/6922) = 1.7%; 10% is 6 sigma.
  EXPECT_NEAR(var, expected, 0.1 * expected) << setup.name;
}

struct Digits {
  Eigen::MatrixXd x, x_test;
  std::vector<int> y, y_test;
};

Digits load_digits(Index rows) {
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/digits_train.csv", "label");
  const Table test = load_csv(JOINTLY_SOURCE_DIR "/data/digits_test.csv", "label");
  const Standardizer s = Standardizer::fit(train.features.topRows(rows));
  Digits d{s.apply(train.features.topRows(rows)), s.apply(test.features), {}, {}};
  for (Index i = 0; i < rows; ++i) d.y.push_back(static_cast<int>(train.labels(i)));
  for (Index i = 0; i < test.labels.size(); ++i)
    d.y_test.push_back(static_cast<int>(test.labels(i)));
  return d;
}

TEST_P(DpMlpTest, SecureDpSgdMatchesThePlaintextReference) {
  const ProtocolSetup& setup = GetParam();
  const Digits d = load_digits(300);
  MlpConfig config;
  config.layers = {64, 16, 10};
  config.sgd.epochs = 3;
  config.sgd.batch = 30;
  config.sgd.learning_rate = 0.5;
  config.sgd.shuffle_seed = 4;
  for (const double noise : {0.0, 1.0}) {
    const DpConfig dp{.noise = noise, .clip = 1.0};
    const MlpPlain secure = testing::run_secure_mlp(setup, d.x, d.y, config, 15, {}, &dp).model;
    const MlpPlain plain = train_mlp_dp_plain(d.x, d.y, config, dp, 9);
    const double acc = mlp_accuracy(secure, d.x_test, d.y_test);
    const double acc_plain = mlp_accuracy(plain, d.x_test, d.y_test);
    if (noise == 0) {
      // Same clipping (up to the 1/64 margin), no noise: nearly the same model.
      EXPECT_LT(max_abs_diff(secure, plain), 0.05) << setup.name;
      EXPECT_NEAR(acc, acc_plain, 0.02) << setup.name;
      EXPECT_GT(acc, 0.5) << setup.name;  // 10 classes: chance is 0.1
    } else {
      // Independent noise (the parties' own against a seeded generator): both still learn.
      EXPECT_GT(acc, 0.3) << setup.name;
      EXPECT_GT(acc_plain, 0.3) << setup.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, DpMlpTest,
                         ::testing::Values(testing::additive_setup(2, Truncation::kPair),
                                           testing::additive_setup(3, Truncation::kPair),
                                           testing::shamir_setup(3), testing::replicated_setup()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::ml
