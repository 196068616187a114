// ml/logreg/logreg: the public batch schedule, and secure training split between parties
// against the plaintext reference on the pooled rows.
#include "ml/logreg/logreg.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "tests/protocols/harness.h"

namespace jointly::ml {
namespace {

using jointly::testing::ProtocolSetup;
using jointly::testing::run_protocol;

SgdConfig schedule_config(int epochs, int batch, std::uint64_t seed) {
  SgdConfig c;
  c.epochs = epochs;
  c.batch = batch;
  c.shuffle_seed = seed;
  return c;
}

TEST(BatchScheduleTest, EveryRowOncePerEpochAndLastBatchShorter) {
  const Eigen::Index rows = 103;
  const int batch = 10, epochs = 3;
  const auto batches = batch_schedule(rows, schedule_config(epochs, batch, 5));
  const std::size_t per_epoch = 11;  // ceil(103 / 10)
  ASSERT_EQ(batches.size(), per_epoch * epochs);
  for (int e = 0; e < epochs; ++e) {
    std::vector<int> seen(static_cast<std::size_t>(rows), 0);
    for (std::size_t b = 0; b < per_epoch; ++b) {
      const auto& rows_of_batch = batches[e * per_epoch + b];
      EXPECT_EQ(rows_of_batch.size(), b + 1 == per_epoch ? 3u : 10u)
          << "epoch " << e << " batch " << b;
      for (Eigen::Index r : rows_of_batch) {
        ASSERT_GE(r, 0);
        ASSERT_LT(r, rows);
        ++seen[static_cast<std::size_t>(r)];
      }
    }
    for (Eigen::Index r = 0; r < rows; ++r)
      EXPECT_EQ(seen[static_cast<std::size_t>(r)], 1) << "epoch " << e << " row " << r;
  }
}

TEST(BatchScheduleTest, ExactMultipleHasNoShortBatch) {
  const auto batches = batch_schedule(40, schedule_config(2, 8, 1));
  ASSERT_EQ(batches.size(), 10u);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 8u);
}

TEST(BatchScheduleTest, DeterministicForASeedAndDifferentForAnother) {
  const auto a = batch_schedule(200, schedule_config(2, 16, 42));
  EXPECT_EQ(a, batch_schedule(200, schedule_config(2, 16, 42)));
  EXPECT_NE(a, batch_schedule(200, schedule_config(2, 16, 43)));
  // Each epoch draws a fresh permutation, and the order is actually shuffled.
  std::vector<Eigen::Index> first, second, identity(200);
  for (std::size_t b = 0; b < 13; ++b) first.insert(first.end(), a[b].begin(), a[b].end());
  for (std::size_t b = 13; b < 26; ++b) second.insert(second.end(), a[b].begin(), a[b].end());
  for (Eigen::Index i = 0; i < 200; ++i) identity[static_cast<std::size_t>(i)] = i;
  EXPECT_NE(first, second);
  EXPECT_NE(first, identity);
}

TEST(BatchScheduleTest, RejectsNonPositiveSizes) {
  EXPECT_THROW(batch_schedule(0, schedule_config(1, 8, 1)), std::invalid_argument);
  EXPECT_THROW(batch_schedule(10, schedule_config(1, 0, 1)), std::invalid_argument);
  EXPECT_THROW(batch_schedule(10, schedule_config(0, 8, 1)), std::invalid_argument);
}

// The documented figure (README, docs/cost.md): the plaintext reference of the documented run —
// 10 epochs, batch 32, lr 0.1, shuffle_seed 1, the defaults — reaches 99.12% on the 114 test
// rows, i.e. 113 of them.
TEST(LogRegPlainTest, LearnsTheBundledDataSetToTheDocumentedAccuracy) {
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const Table test = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_test.csv", "label");
  const Standardizer s = Standardizer::fit(train.features);
  const SgdConfig sgd;
  ASSERT_EQ(sgd.epochs, 10);
  ASSERT_EQ(sgd.batch, 32);
  ASSERT_EQ(sgd.learning_rate, 0.1);
  ASSERT_EQ(sgd.shuffle_seed, 1u);
  const Eigen::VectorXd w =
      train_logreg_plain(with_bias(s.apply(train.features)), train.labels, sgd);
  EXPECT_EQ(w.size(), 31);
  ASSERT_EQ(test.rows(), 114);
  EXPECT_NEAR(accuracy(with_bias(s.apply(test.features)), test.labels, w), 113.0 / 114, 1e-12);
}

// The secure training run the way jointly-party runs it: joint standardisation, each party
// inputs its own rows, the stacked shares are trained on and the weights opened.
class SecureLogRegTest : public ::testing::TestWithParam<ProtocolSetup> {};

TEST_P(SecureLogRegTest, MatchesPlaintextReferenceOnPooledRows) {
  const ProtocolSetup& setup = GetParam();
  const int n = setup.parties;
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const Table test = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_test.csv", "label");
  std::vector<Table> parts;
  for (int p = 0; p < n; ++p) {
    const Eigen::Index first = train.rows() * p / n, last = train.rows() * (p + 1) / n;
    parts.push_back(slice_rows(train, first, last - first));
  }
  SgdConfig sgd;
  // OT triples are made on demand inside the run: 2 epochs keep it a few seconds.
  sgd.epochs = setup.ot() ? 2 : 10;
  sgd.batch = 32;
  sgd.learning_rate = 0.1;
  sgd.shuffle_seed = 11;

  std::vector<Eigen::VectorXd> weights(static_cast<std::size_t>(n));
  std::vector<Standardizer> standardizers(static_cast<std::size_t>(n));
  const auto start = std::chrono::steady_clock::now();
  run_protocol(setup, 3, [&](Protocol& protocol) {
    const auto self = static_cast<std::size_t>(protocol.self());
    const Table& mine = parts[self];
    const Standardizer s = joint_standardizer(protocol, mine.features, train.rows());
    const IntMatrix x_mine = sgd.fp.encode(with_bias(s.apply(mine.features)));
    const IntMatrix y_mine = sgd.fp.encode(Eigen::MatrixXd(mine.labels));
    std::vector<Shared> xs, ys;
    for (int p = 0; p < n; ++p) {
      const bool is_me = p == protocol.self();
      const Index rows = parts[static_cast<std::size_t>(p)].rows();
      xs.push_back(protocol.input(p, is_me ? &x_mine : nullptr, rows, x_mine.cols()));
      ys.push_back(protocol.input(p, is_me ? &y_mine : nullptr, rows, 1));
    }
    const Shared w = train_logreg(protocol, Shared::vstack(xs), Shared::vstack(ys), sgd);
    weights[self] = sgd.fp.decode(protocol.open(w));
    standardizers[self] = s;
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("seconds", std::to_string(seconds));

  const Standardizer s = Standardizer::fit(train.features);
  const Eigen::VectorXd w_plain =
      train_logreg_plain(with_bias(s.apply(train.features)), train.labels, sgd);
  const double plain_accuracy = accuracy(with_bias(s.apply(test.features)), test.labels, w_plain);
  for (int p = 0; p < n; ++p) {
    const Eigen::VectorXd& w = weights[static_cast<std::size_t>(p)];
    ASSERT_EQ(w.size(), w_plain.size());
    EXPECT_LT((w - w_plain).cwiseAbs().maxCoeff(), 0.02) << "party " << p;
    const double secure_accuracy = accuracy(
        with_bias(standardizers[static_cast<std::size_t>(p)].apply(test.features)), test.labels, w);
    EXPECT_NEAR(secure_accuracy, plain_accuracy, 0.01) << "party " << p;
  }
  EXPECT_GT(plain_accuracy, 0.9);
}

// Every protocol: additive with dealer triples and pair truncation (2 and 3 parties) and with
// OT triples (2), dealer-free Shamir and replicated (3).
INSTANTIATE_TEST_SUITE_P(Protocols, SecureLogRegTest,
                         ::testing::Values(testing::additive_setup(2, Truncation::kPair),
                                           testing::additive_setup(3, Truncation::kPair),
                                           testing::additive_ot_setup(Truncation::kPair),
                                           testing::shamir_setup(3), testing::replicated_setup()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::ml
