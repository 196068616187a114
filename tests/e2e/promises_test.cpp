// What docs/security.md and docs/config.md promise, checked on real jointly-party processes:
// only the receivers get the model's shares (the bytes each party received and its audit log,
// not merely which files it wrote), and the dealer and `tls = false` warnings reach every party.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

// Additive shares are elements of Z_2^64.
constexpr std::uint64_t kElementBytes = 8;

// The audit log's "model weights" entries: to whom, how many elements.
std::vector<std::pair<std::string, std::uint64_t>> model_openings(const fs::path& audit) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::ifstream in(audit);
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json entry = nlohmann::json::parse(line);
    if (entry["opened"] == "model weights")
      out.emplace_back(entry["to"].get<std::string>(), entry["elements"].get<std::uint64_t>());
  }
  return out;
}

class PromisesTest : public ConsortiumTest {
 protected:
  struct Seen {
    nlohmann::json summary;
    std::vector<std::pair<std::string, std::uint64_t>> model_openings;
    std::string err;
    bool wrote_model = false;
  };

  // Runs a whole consortium in its own subfolder of the test's folder and returns what each
  // party left behind, so that two runs can be compared.
  std::vector<Seen> run_in(const std::string& folder, const ConsortiumSpec& spec) {
    const fs::path root = dir_;
    struct Restore {
      fs::path& dir;
      fs::path root;
      ~Restore() { dir = root; }
    } restore{dir_, root};
    dir_ = root / folder;
    fs::create_directories(dir_);
    const std::vector<int> codes = run_consortium(spec, std::chrono::seconds(60));
    EXPECT_EQ(codes, std::vector<int>(static_cast<std::size_t>(spec.parties), 0)) << logs();
    std::vector<Seen> seen;
    for (int p = 0; p < spec.parties; ++p) {
      seen.push_back(
          {result_of(p), model_openings(audit_of(p)), stderr_of(p), fs::exists(model_of(p))});
    }
    children_.clear();
    return seen;
  }
};

// The same consortium twice: hospital-a the only receiver, then hospital-a and hospital-b.
// Everything else — data, seeds, shapes — is the same, so the byte counters differ by the
// opening to hospital-b alone: it receives the other n − 1 parties' shares of the weights
// (n − 1)·|w|·8 bytes, and only in the second run; hospital-a and hospital-c receive exactly the
// same bytes in both runs. A build that sent every party the weights and let non-receivers
// drop them would show no difference for hospital-b. Every party's audit log records the
// opening to the receivers, and only to them.
TEST_F(PromisesTest, OnlyTheReceiversGetTheModelsShares) {
  ConsortiumSpec spec;
  spec.epochs = 1;
  const std::vector<Seen> one = run_in("one-receiver", spec);
  ASSERT_FALSE(HasFailure());
  spec.receivers = {0, 1};
  const std::vector<Seen> two = run_in("two-receivers", spec);
  ASSERT_FALSE(HasFailure());

  ASSERT_TRUE(one[0].summary.contains("weights")) << one[0].summary.dump();
  const std::uint64_t weights = one[0].summary["weights"].size();
  ASSERT_EQ(weights, 31u);  // 30 features and the bias
  const std::uint64_t opening = (spec.parties - 1) * weights * kElementBytes;
  const auto received = [](const Seen& s) {
    return s.summary["bytes_received"].get<std::uint64_t>();
  };
  const auto sent = [](const Seen& s) { return s.summary["bytes_sent"].get<std::uint64_t>(); };
  EXPECT_EQ(received(two[1]) - received(one[1]), opening)
      << "hospital-b as a receiver gets the other parties' shares, and nothing of them otherwise";
  EXPECT_EQ(received(two[0]), received(one[0])) << "hospital-a";
  EXPECT_EQ(received(two[2]), received(one[2])) << "hospital-c gets nothing of either opening";
  EXPECT_EQ(sent(two[0]) - sent(one[0]), weights * kElementBytes);
  EXPECT_EQ(sent(two[2]) - sent(one[2]), weights * kElementBytes);
  EXPECT_EQ(sent(two[1]), sent(one[1]));

  using Openings = std::vector<std::pair<std::string, std::uint64_t>>;
  for (int p = 0; p < spec.parties; ++p) {
    EXPECT_EQ(one[static_cast<std::size_t>(p)].model_openings, (Openings{{name(0), weights}}))
        << name(p);
    EXPECT_EQ(two[static_cast<std::size_t>(p)].model_openings,
              (Openings{{name(0), weights}, {name(1), weights}}))
        << name(p);
  }
  // Only receivers hold weights, in their summary and their model file.
  for (int p = 0; p < spec.parties; ++p) {
    EXPECT_EQ(one[static_cast<std::size_t>(p)].summary.contains("weights"), p == 0) << name(p);
    EXPECT_EQ(one[static_cast<std::size_t>(p)].wrote_model, p == 0) << name(p);
    EXPECT_EQ(two[static_cast<std::size_t>(p)].summary.contains("weights"), p <= 1) << name(p);
    EXPECT_EQ(two[static_cast<std::size_t>(p)].wrote_model, p <= 1) << name(p);
    EXPECT_EQ(one[static_cast<std::size_t>(p)].err.find("tls = false"), std::string::npos)
        << "TLS is on: no warning";
  }
  EXPECT_EQ(two[1].summary["weights"], one[0].summary["weights"]) << "the same model";
}

// docs/security.md: "`tls = false` ... every party prints a warning when it is used"; the
// dealer "Every output that uses it says SIMULATION ONLY" — docs/config.md lists them: every
// party's stderr, its JSON summary's `protocol` and `triples`, and the model file's
// `trained_with`.
TEST_F(PromisesTest, DealerAndPlainTcpWarningsReachEveryParty) {
  ConsortiumSpec spec;
  spec.epochs = 1;
  spec.tls = false;
  const std::vector<Seen> seen = run_in("plain", spec);
  ASSERT_FALSE(HasFailure());
  for (int p = 0; p < spec.parties; ++p) {
    const Seen& s = seen[static_cast<std::size_t>(p)];
    EXPECT_NE(s.err.find("WARNING: tls = false"), std::string::npos) << name(p) << ": " << s.err;
    EXPECT_NE(s.err.find("WARNING: triples = \"dealer\""), std::string::npos) << s.err;
    EXPECT_NE(s.err.find("SIMULATION ONLY"), std::string::npos) << name(p) << ": " << s.err;
    for (const char* key : {"protocol", "triples"}) {
      ASSERT_TRUE(s.summary.contains(key)) << name(p) << " " << key << ": " << s.summary.dump();
      EXPECT_NE(s.summary[key].get<std::string>().find("SIMULATION ONLY"), std::string::npos)
          << name(p) << " " << key;
    }
  }
  const nlohmann::json model =
      nlohmann::json::parse(read_file(dir_ / "plain" / (name(0) + ".model.json")));
  ASSERT_TRUE(model.contains("trained_with")) << model.dump();
  EXPECT_NE(model["trained_with"].get<std::string>().find("SIMULATION ONLY"), std::string::npos)
      << model["trained_with"];
}

}  // namespace
}  // namespace jointly::e2e
