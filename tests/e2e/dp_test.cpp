// DP-SGD end to end (docs/dp.md): jointly-sim writes [dp] into the consortium file, every
// party derives the same noise multiplier from the budget, trains, and writes (ε, δ, σ, C, q,
// steps) into the model file and its audit log; a noise too small for the budget refuses to
// start. Replicated (3 parties) and additive (2 parties, dealer).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "consortium_fixture.h"
#include "process.h"

namespace jointly::e2e {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "jointly-dp-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

void expect_dp_run(const std::vector<std::string>& protocol_args, int parties) {
  const fs::path dir = temp_dir();
  std::vector<std::string> argv{JOINTLY_SIM,
                                "--parties",
                                std::to_string(parties),
                                "--data",
                                kTrainCsv,
                                "--test",
                                kTestCsv,
                                "--dp-epsilon",
                                "2",
                                "--dp-clip",
                                "1",
                                "--json",
                                "--keep"};
  argv.insert(argv.end(), protocol_args.begin(), protocol_args.end());
  ChildProcess sim = ChildProcess::start(argv, dir / "out", dir / "err");
  ASSERT_EQ(sim.wait_or_kill(std::chrono::seconds(80)), 0) << read_file(dir / "err");
  const SimRun run = read_sim_run(dir / "out", dir / "err");
  const nlohmann::json& dp = run.summary.at("dp");
  EXPECT_LE(dp.at("epsilon").get<double>(), 2.0);
  EXPECT_GT(dp.at("epsilon").get<double>(), 1.99);
  EXPECT_EQ(dp.at("steps").get<long>(), 10 * 15);  // 10 epochs of ceil(455 / 32) batches
  EXPECT_NEAR(dp.at("sampling_rate").get<double>(), 32.0 / 455, 1e-12);
  EXPECT_GT(dp.at("noise").get<double>(), 1.0);
  // Accuracy with DP at ε = 2 on W4 (noise independent of the reference's).
  EXPECT_GT(run.summary.at("accuracy").get<double>(), 0.9);
  // The model file carries the guarantee; each party's audit log records the run.
  std::ifstream model(run.receiver.at("model").get<std::string>());
  const nlohmann::json m = nlohmann::json::parse(model);
  EXPECT_EQ(m.at("differential_privacy").at("noise"), dp.at("noise"));
  EXPECT_EQ(m.at("differential_privacy").at("clip").get<double>(), 1.0);
  for (int p = 0; p < parties; ++p) {
    const std::string audit = read_file(
        run.work / (std::string("hospital-") + static_cast<char>('a' + p) + ".audit.log"));
    EXPECT_NE(audit.find("DP-SGD run"), std::string::npos) << audit;
    EXPECT_NE(audit.find("\\\"epsilon\\\""), std::string::npos) << audit;
  }
  if (!::testing::Test::HasFailure()) {
    fs::remove_all(run.work);
    fs::remove_all(dir);
  }
}

TEST(DpSgd, ReplicatedThreeParties) { expect_dp_run({"--protocol", "replicated"}, 3); }

TEST(DpSgd, AdditiveTwoPartiesDealer) {
  expect_dp_run({"--protocol", "additive", "--triples", "dealer"}, 2);
}

// The MLP on digits (3 parties, replicated): the guarantee in the summary and the model file,
// which also says that replicated truncation makes the guarantee conditional; accuracy well
// above chance at ε = 4.
TEST(DpSgd, MlpOnDigits) {
  const fs::path dir = temp_dir();
  ChildProcess sim = ChildProcess::start({JOINTLY_SIM,
                                          "--parties",
                                          "3",
                                          "--protocol",
                                          "replicated",
                                          "--model",
                                          "mlp",
                                          "--hidden",
                                          "32",
                                          "--data",
                                          JOINTLY_SOURCE_DIR "/data/digits_train.csv",
                                          "--test",
                                          JOINTLY_SOURCE_DIR "/data/digits_test.csv",
                                          "--epochs",
                                          "2",
                                          "--lr",
                                          "0.5",
                                          "--dp-epsilon",
                                          "4",
                                          "--json",
                                          "--keep"},
                                         dir / "out", dir / "err");
  ASSERT_EQ(sim.wait_or_kill(std::chrono::seconds(120)), 0) << read_file(dir / "err");
  const SimRun run = read_sim_run(dir / "out", dir / "err");
  const nlohmann::json& dp = run.summary.at("dp");
  EXPECT_LE(dp.at("epsilon").get<double>(), 4.0);
  EXPECT_EQ(dp.at("steps").get<long>(), 2 * 45);             // ceil(1438 / 32) batches per epoch
  EXPECT_GT(run.summary.at("accuracy").get<double>(), 0.6);  // 10 classes
  std::ifstream model(run.receiver.at("model").get<std::string>());
  const nlohmann::json m = nlohmann::json::parse(model);
  EXPECT_EQ(m.at("format"), "jointly-mlp-1");
  EXPECT_EQ(m.at("differential_privacy").at("noise"), dp.at("noise"));
  EXPECT_NE(m.at("differential_privacy").at("truncation").get<std::string>().find("probabilistic"),
            std::string::npos);
  if (!::testing::Test::HasFailure()) {
    fs::remove_all(run.work);
    fs::remove_all(dir);
  }
}

TEST(DpSgd, NoiseBelowTheBudgetRefusesToStart) {
  const fs::path dir = temp_dir();
  ChildProcess sim =
      ChildProcess::start({JOINTLY_SIM, "--parties", "3", "--protocol", "replicated", "--data",
                           kTrainCsv, "--dp-epsilon", "1", "--dp-noise", "0.5"},
                          dir / "out", dir / "err");
  EXPECT_NE(sim.wait_or_kill(std::chrono::seconds(60)), 0);
  const std::string err = read_file(dir / "err");
  EXPECT_NE(err.find("refusing to train"), std::string::npos) << err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jointly::e2e

namespace jointly::e2e {
namespace {

// The privacy ledger: runs on the same data compose through the accountant in each party's
// audit log; the run that would exceed total_epsilon refuses to start and says what is left;
// jointly-privacy --report prints the spent and remaining budget.
class DpLedgerTest : public ConsortiumTest {};

TEST_F(DpLedgerTest, RunsSpendOneBudgetAndTheLastRefuses) {
  ConsortiumSpec spec;
  spec.protocol = "replicated";
  spec.triples = "prss";
  make_consortium(spec);
  std::ofstream(dir_ / "consortium.toml")
      << config_text() << "\n[dp]\nepsilon = 1\ndelta = 1e-5\nclip = 1\ntotal_epsilon = 1.6\n";
  std::vector<double> spent;
  for (int run = 0; run < 2; ++run) {
    const std::vector<int> codes = run_all(false);
    ASSERT_EQ(codes, std::vector<int>(3, 0)) << logs();
    spent.push_back(result_of(0).at("dp").at("epsilon").get<double>());
  }
  // Third run: two runs of ε = 1 composed are ~1.4 (< 2, the naive sum); a third would pass 1.6.
  const std::vector<int> codes = run_all(false);
  for (int p = 0; p < 3; ++p) EXPECT_NE(codes[static_cast<std::size_t>(p)], 0) << logs();
  EXPECT_NE(stderr_of(0).find("total_epsilon 1.6 would be exceeded"), std::string::npos)
      << stderr_of(0);
  EXPECT_NE(stderr_of(0).find("left: refusing to train"), std::string::npos) << stderr_of(0);

  const fs::path out = dir_ / "report.out", err = dir_ / "report.err";
  ChildProcess report =
      ChildProcess::start({JOINTLY_PRIVACY, "--report", audit_of(1).string(), "--json"}, out, err);
  ASSERT_EQ(report.wait_or_kill(std::chrono::seconds(30)), 0) << read_file(err);
  const nlohmann::json j = nlohmann::json::parse(last_line(out));
  ASSERT_EQ(j.at("data_sets").size(), 1u);
  const nlohmann::json& d = j.at("data_sets")[0];
  EXPECT_EQ(d.at("runs").get<int>(), 2);
  const double total_spent = d.at("spent_epsilon").get<double>();
  EXPECT_GT(total_spent, 1.0);
  EXPECT_LT(total_spent, 1.6);
  EXPECT_NEAR(d.at("remaining_epsilon").get<double>(), 1.6 - total_spent, 1e-12);
}

}  // namespace
}  // namespace jointly::e2e
