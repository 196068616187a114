// End to end, issue 8 (vertical partitioning): breast cancer split by columns across 2 and 3
// real jointly-party processes (dealer triples, TLS) trains to the plaintext reference — the
// same reference as the rows split, since the pooled data is the same — and the model file
// predicts; ids that differ across parties (order, set, count) stop every party with exit
// code 1 saying so, without revealing the ids.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "consortium_fixture.h"
#include "ml/data/csv.h"
#include "ml/data/partition.h"
#include "ml/logreg/model.h"

namespace jointly::e2e {
namespace {

class ColumnsTrainingTest : public ConsortiumTest, public ::testing::WithParamInterface<int> {};

TEST_P(ColumnsTrainingTest, MatchesTheSameReferenceAsTheRowsSplit) {
  const int n = GetParam();
  ConsortiumSpec spec;
  spec.parties = n;
  spec.split = "columns";
  spec.epochs = 5;
  spec.shuffle_seed = 7;
  const std::vector<int> codes = run_consortium(spec, std::chrono::seconds(60));
  ASSERT_EQ(codes, std::vector<int>(static_cast<std::size_t>(n), 0)) << logs();

  // The parties' files, side by side in party order, are the training file: the rows split's
  // reference and the columns split's reference are one and the same.
  const ml::Table train = ml::load_csv(kTrainCsv, "label");
  std::vector<ml::Table> parts;
  ml::CsvOptions options;
  options.id = ml::kIdColumn;
  options.require_label = false;
  for (int p = 0; p < n; ++p) {
    parts.push_back(ml::load_csv(csv_of(p), options));
    EXPECT_LT(parts.back().features.cols(), train.features.cols()) << name(p);
  }
  const ml::Table pooled = ml::join_columns(parts);
  ASSERT_EQ(pooled.feature_names, train.feature_names);
  ASSERT_EQ(pooled.features, train.features);
  ASSERT_EQ(pooled.labels, train.labels);
  const PlaintextReference by_rows = plaintext_reference(train, spec);
  const PlaintextReference by_columns = plaintext_reference(pooled, spec);
  EXPECT_EQ(by_columns.weights, by_rows.weights);
  EXPECT_EQ(by_columns.accuracy, by_rows.accuracy);

  const nlohmann::json r = result_of(0);
  ASSERT_TRUE(r.contains("accuracy")) << r.dump();
  expect_matches_reference(r, spec);  // the rows split's reference, by_rows
  EXPECT_EQ(r["rows"].get<int>(), train.rows());
  EXPECT_EQ(r["features"].get<std::size_t>(), train.feature_names.size());
  for (int p = 1; p < n; ++p) {
    const nlohmann::json other = result_of(p);
    EXPECT_FALSE(other.contains("weights")) << name(p);
    EXPECT_EQ(other["rounds"], r["rounds"]) << name(p);
  }

  // The model's features are the joint order, so it scores the (unsplit) test file.
  const ml::LogRegModel model = ml::load_model(model_of(0));
  EXPECT_EQ(model.feature_names, train.feature_names);
  EXPECT_NEAR(predict_accuracy(model_of(0), dir_), r["accuracy"].get<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Parties, ColumnsTrainingTest, ::testing::Values(2, 3),
                         [](const auto& info) { return std::to_string(info.param) + "parties"; });

// How hospital-b's file is made to disagree with the others'.
enum class Mismatch { kOrder, kSet, kCount };

class MismatchedIdsTest : public ConsortiumTest, public ::testing::WithParamInterface<Mismatch> {
 protected:
  static constexpr const char* kForeignId = "987654321";

  // Rewrites hospital-b's CSV (line 0 is the header).
  void break_ids(Mismatch how) {
    std::istringstream in(read_file(csv_of(1)));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_GT(lines.size(), 10u);
    switch (how) {
      case Mismatch::kOrder:  // two whole rows swapped: the same ids, another order
        std::swap(lines[4], lines[5]);
        break;
      case Mismatch::kSet:  // one id replaced
        lines[7] = kForeignId + lines[7].substr(lines[7].find(','));
        break;
      case Mismatch::kCount:  // the last row missing
        lines.pop_back();
        break;
    }
    std::ofstream out(csv_of(1));
    for (const auto& line : lines) out << line << "\n";
  }
};

TEST_P(MismatchedIdsTest, EveryPartyStopsWithCode1SayingTheIdsDiffer) {
  ConsortiumSpec spec;
  spec.split = "columns";
  spec.timeout_s = 5;
  spec.connect_timeout_s = 5;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  break_ids(GetParam());
  ASSERT_FALSE(HasFatalFailure());

  start_all();
  const std::vector<int> codes = wait_all(std::chrono::seconds(spec.connect_timeout_s + 10));
  for (int p = 0; p < spec.parties; ++p) {
    EXPECT_EQ(codes[p], 1) << name(p) << "\n" << logs();
    const std::string err = stderr_of(p);
    EXPECT_NE(err.find("ids differ"), std::string::npos) << name(p) << ":\n" << err;
    EXPECT_NE(err.find("hospital-b"), std::string::npos) << name(p) << ":\n" << err;
    EXPECT_EQ(err.find(kForeignId), std::string::npos) << name(p) << " shows an id:\n" << err;
    EXPECT_TRUE(last_line(out_of(p)).empty()) << name(p) << " reported a result";
    EXPECT_FALSE(fs::exists(model_of(p))) << name(p);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, MismatchedIdsTest,
                         ::testing::Values(Mismatch::kOrder, Mismatch::kSet, Mismatch::kCount),
                         [](const auto& info) {
                           switch (info.param) {
                             case Mismatch::kOrder:
                               return std::string("Order");
                             case Mismatch::kSet:
                               return std::string("Set");
                             case Mismatch::kCount:
                               return std::string("Count");
                           }
                           return std::string("Unknown");
                         });

// jointly-sim splits one file by columns itself; its plaintext reference is the rows split's.
TEST(SimColumnsTest, SameReferenceAsTheRowsSplit) {
  std::string pattern = (fs::temp_directory_path() / "jointly-e2e-simcols-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  nlohmann::json summary[2];
  const char* splits[2] = {"rows", "columns"};
  for (int i = 0; i < 2; ++i) {
    const fs::path out = dir / (std::string(splits[i]) + ".out"),
                   err = dir / (std::string(splits[i]) + ".err");
    ChildProcess sim = ChildProcess::start(
        {JOINTLY_SIM, "--parties", "3", "--triples", "dealer", "--split", splits[i], "--data",
         kTrainCsv, "--test", kTestCsv, "--epochs", "3", "--json", "--keep"},
        out, err);
    ASSERT_EQ(sim.wait_or_kill(std::chrono::seconds(60)), 0) << read_file(err);
    const SimRun run = read_sim_run(out, err);
    summary[i] = run.summary;
    // split_columns keeps the feature order, so both splits train on the training file's table:
    // one reference, the test's own, grades both receivers.
    expect_matches_reference(run.receiver, ConsortiumSpec{});
    if (!HasFailure()) fs::remove_all(run.work);
  }
  EXPECT_EQ(summary[1]["plaintext_accuracy"], summary[0]["plaintext_accuracy"]);
  EXPECT_EQ(summary[1]["rows"], summary[0]["rows"]);
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace jointly::e2e
