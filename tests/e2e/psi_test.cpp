// jointly-psi as users run it: both parties as processes over TLS on loopback (each one the
// real one-party mode with its own key and the consortium file), checked against a plaintext
// join; and its bad-input messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/e2e/process.h"

namespace jointly::e2e {
namespace {

namespace fs = std::filesystem;

struct Dir {
  fs::path path;
  Dir() {
    char pattern[] = "/tmp/jointly-psi-e2e-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~Dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_ids(const fs::path& p, const std::vector<std::string>& ids) {
  std::ofstream out(p);
  out << "age,id\n";
  for (std::size_t i = 0; i < ids.size(); ++i) out << i % 90 << ",\"" << ids[i] << "\"\n";
}

std::vector<std::size_t> read_rows(const fs::path& p) {
  std::vector<std::size_t> rows;
  std::ifstream in(p);
  for (std::size_t r; in >> r;) rows.push_back(r);
  return rows;
}

int run(const Dir& d, const std::vector<std::string>& args, std::string* err = nullptr) {
  std::vector<std::string> argv = {JOINTLY_PSI};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::start(argv, d.path / "stdout", d.path / "stderr");
  const int code = child.wait_or_kill(std::chrono::seconds(80));
  if (err) *err = slurp(d.path / "stderr");
  return code;
}

// Both parties on a.csv and b.csv of `d`, default protocol.
int run_files(const Dir& d, std::string* err) {
  return run(d,
             {"--data", (d.path / "a.csv").string() + "," + (d.path / "b.csv").string(), "--out",
              (d.path / "out").string()},
             err);
}

class PsiBinary : public ::testing::TestWithParam<std::string> {};

TEST_P(PsiBinary, BothPartiesOverTlsMatchThePlaintextJoin) {
  Dir d;
  std::mt19937_64 rng(11);
  std::vector<std::string> a, b;
  std::set<std::string> common;
  for (int i = 0; i < 3000; ++i) {
    const std::string id = "customer " + std::to_string(rng());
    if (i < 1000) {
      a.push_back(id), b.push_back(id), common.insert(id);
    } else if (i < 2000) {
      a.push_back(id);
    } else {
      b.push_back(id);
    }
  }
  for (int i = 0; i < 1500; ++i) b.push_back("other " + std::to_string(i));
  std::shuffle(a.begin(), a.end(), rng);
  std::shuffle(b.begin(), b.end(), rng);
  write_ids(d.path / "a.csv", a);
  write_ids(d.path / "b.csv", b);
  std::string err;
  ASSERT_EQ(run(d,
                {"--data", (d.path / "a.csv").string() + "," + (d.path / "b.csv").string(), "--out",
                 (d.path / "out").string(), "--protocol", GetParam(), "--json"},
                &err),
            0)
      << err;
  const auto ra = read_rows(d.path / "out" / "party-a.csv");
  const auto rb = read_rows(d.path / "out" / "party-b.csv");
  ASSERT_EQ(ra.size(), common.size());
  ASSERT_EQ(rb.size(), common.size());
  std::set<std::string> got;
  for (std::size_t k = 0; k < ra.size(); ++k) {
    ASSERT_EQ(a.at(ra[k]), b.at(rb[k])) << "line " << k + 1;
    got.insert(a[ra[k]]);
  }
  EXPECT_EQ(got, common);
  const auto summary = nlohmann::json::parse(slurp(d.path / "stdout"));
  ASSERT_EQ(summary["parties"].size(), 2u);
  for (const auto& p : summary["parties"]) {
    EXPECT_EQ(p["intersection"], common.size());
    EXPECT_TRUE(p["tls"].get<bool>());
    EXPECT_GT(p["bytes_sent"].get<std::uint64_t>(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, PsiBinary, ::testing::Values("oprf", "ecdh"));

TEST(PsiBinaryInput, DuplicateIdIsBadInputNamingFileAndLines) {
  Dir d;
  write_ids(d.path / "a.csv", {"x", "y", "z", "y"});
  write_ids(d.path / "b.csv", {"x", "q"});
  std::string err;
  EXPECT_EQ(run_files(d, &err), 1);
  EXPECT_NE(err.find("a.csv"), std::string::npos) << err;
  EXPECT_NE(err.find("line 5"), std::string::npos) << err;
  EXPECT_NE(err.find("line 3"), std::string::npos) << err;
}

TEST(PsiBinaryInput, EmptyIntersectionStopsWithAClearMessage) {
  Dir d;
  write_ids(d.path / "a.csv", {"x", "y"});
  write_ids(d.path / "b.csv", {"p", "q", "r"});
  std::string err;
  EXPECT_EQ(run_files(d, &err), 1);
  EXPECT_NE(err.find("intersection is empty"), std::string::npos) << err;
}

}  // namespace
}  // namespace jointly::e2e
