// jointly-privacy, the real binary: ε of a run, σ for a target ε (round trip through --json),
// the published MNIST tutorial figure, and clear errors for bad values.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.h"

namespace jointly::e2e {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

Result run_privacy(std::vector<std::string> args) {
  const fs::path dir =
      fs::temp_directory_path() / ("jointly-privacy-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  args.insert(args.begin(), JOINTLY_PRIVACY);
  ChildProcess p = ChildProcess::start(args, dir / "out", dir / "err");
  const int code = p.wait_or_kill(std::chrono::seconds(30));
  Result r{code, read_file(dir / "out"), read_file(dir / "err")};
  fs::remove_all(dir);
  return r;
}

nlohmann::json last_json(const std::string& out) {
  const auto end = out.find_last_not_of('\n');
  const auto start = out.rfind('\n', end);
  return nlohmann::json::parse(out.substr(start == std::string::npos ? 0 : start + 1));
}

TEST(PrivacyTool, MnistTutorialEpsilonAndNoiseRoundTrip) {
  // tensorflow/privacy tutorials/README.md: σ = 1.1, batch 256 of 60000, 60 epochs, δ = 1e-5:
  // ε = 3.01 (classic conversion).
  const std::string q = std::to_string(256.0 / 60000);
  Result r = run_privacy({"--noise", "1.1", "--sampling-rate", q, "--steps", "14040", "--delta",
                          "1e-5", "--classic", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = last_json(r.out);
  EXPECT_NEAR(j.at("epsilon").get<double>(), 3.01, 0.0301);
  EXPECT_EQ(j.at("steps").get<long>(), 14040);
  EXPECT_DOUBLE_EQ(j.at("noise").get<double>(), 1.1);
  EXPECT_GT(j.at("order").get<double>(), 1.0);

  r = run_privacy(
      {"--epsilon", "1", "--sampling-rate", "0.07", "--steps", "150", "--delta", "1e-5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  j = last_json(r.out);
  const double sigma = j.at("noise").get<double>();
  EXPECT_LE(j.at("epsilon").get<double>(), 1.0);
  EXPECT_GT(j.at("epsilon").get<double>(), 0.999);
  // Feeding σ back gives the same ε.
  r = run_privacy({"--noise", std::to_string(sigma), "--sampling-rate", "0.07", "--steps", "150",
                   "--delta", "1e-5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NEAR(last_json(r.out).at("epsilon").get<double>(), 1.0, 1e-3);
}

TEST(PrivacyTool, BadValuesAreClearErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases{
      {{"--noise", "1", "--sampling-rate", "1.5", "--steps", "10", "--delta", "1e-5"},
       "--sampling-rate must be in (0, 1]"},
      {{"--noise", "1", "--sampling-rate", "0.1", "--steps", "0", "--delta", "1e-5"},
       "--steps must be > 0"},
      {{"--noise", "1", "--sampling-rate", "0.1", "--steps", "10", "--delta", "2"},
       "delta must be in (0, 1)"},
      {{"--noise", "-1", "--sampling-rate", "0.1", "--steps", "10", "--delta", "1e-5"},
       "--noise must be > 0"},
      {{"--sampling-rate", "0.1", "--steps", "10", "--delta", "1e-5"}, "give --noise or --epsilon"},
      {{"--epsilon", "1e-9", "--sampling-rate", "1", "--steps", "10", "--delta", "1e-5"},
       "no noise multiplier up to"},
  };
  for (const Case& c : cases) {
    const Result r = run_privacy(c.args);
    EXPECT_NE(r.code, 0) << c.says;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace jointly::e2e
