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
