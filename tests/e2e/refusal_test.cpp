// End to end, issue 4 tests 2 and 3: a party whose certificate is not pinned is refused
// before any data moves; a config or data-schema mismatch is reported by every party, saying
// what differs (issue 20: the consortium file, or the header and its first differing column).
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

class RefusalTest : public ConsortiumTest {
 protected:
  // True if the audit log records no opening (it may not even exist).
  bool audit_empty(int p) const {
    return !fs::exists(audit_of(p)) || read_file(audit_of(p)).empty();
  }
  // What party p must print about its disagreeing peer q.
  using Says = std::function<std::string(int p, int q)>;

  // Starts hospital-a and hospital-c as usual and hospital-b as `b`, then checks what
  // expect_everyone_reports_mismatch() checks, within connect_timeout_s + 5 s.
  void run_with_odd_b(const PartyLaunch& b, const Says& says) {
    const auto start = std::chrono::steady_clock::now();
    children_.push_back(start_party(0));
    children_.push_back(start_party(1, b));
    children_.push_back(start_party(2));
    const std::vector<int> codes = wait_all(std::chrono::seconds(spec_.connect_timeout_s + 10));
    EXPECT_LT(seconds_since(start), spec_.connect_timeout_s + 5);
    expect_everyone_reports_mismatch(codes, says);
  }

  // Every party exits with code 2 (a peer refused us: docs/reliability.md), in time, saying
  // what differs from whom, and none reports a result or opens anything. Party b is the odd
  // one: a and c name it; b disagrees with both and names the first it met. No party may
  // only hit the connect deadline instead: the mesh exchanges hellos with every peer before
  // it ends start-up, so every party meets the odd one.
  void expect_everyone_reports_mismatch(const std::vector<int>& codes, const Says& says) {
    for (int p = 0; p < 3; ++p) {
      EXPECT_EQ(codes[p], 2) << name(p) << "\n" << logs();
      EXPECT_TRUE(last_line(out_of(p)).empty()) << name(p);
      EXPECT_TRUE(audit_empty(p)) << name(p) << " opened something:\n" << read_file(audit_of(p));
      const std::string err = stderr_of(p);
      const std::string first = says(p, p == 1 ? 0 : 1);
      const std::string second = p == 1 ? says(p, 2) : first;
      EXPECT_TRUE(contains(err, first) || contains(err, second))
          << name(p) << " should say\n  " << first << (p == 1 ? "\nor\n  " + second : "")
          << "\nbut says\n"
          << err;
    }
  }

  fs::path data_of(int p, const PartyLaunch& b) const {
    return p == 1 && b.data ? *b.data : csv_of(p);
  }
  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
  // What a party running `config` says of peer `q` when the consortium files differ.
  static std::string consortium_differs(const fs::path& config, int q) {
    return config.string() + ": the consortium file differs from " + name(q) + "'s (SHA-256 ";
  }
  // What a party with data file `csv` says of peer `q` when their headers differ.
  static std::string header_differs(const fs::path& csv, int q, const std::string& detail) {
    return csv.string() + "'s header differs from " + name(q) + "'s" + detail;
  }
  // b's data file: party b's own CSV with its header line replaced by `header`.
  fs::path b_csv_with_header(const std::string& file, const std::string& header) {
    std::string csv = read_file(csv_of(1));
    csv.replace(0, csv.find('\n'), header);
    const fs::path path = dir_ / file;
    std::ofstream(path) << csv;
    return path;
  }
};

// Party c runs with a key it just made and a site folder whose consortium.toml is byte-for-
// byte the original but whose keys/hospital-c.crt is its own new certificate; a and b pin the
// original certificate.
TEST_F(RefusalTest, UnpinnedCertificateIsRefused) {
  ConsortiumSpec spec;
  spec.connect_timeout_s = 4;
  spec.timeout_s = 4;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  const fs::path site = copy_site("impostor");
  fs::remove(site / "keys" / "hospital-c.crt");
  keygen("hospital-c", site / "keys");
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_NE(read_file(site / "keys/hospital-c.crt"), read_file(dir_ / "keys/hospital-c.crt"));

  const auto start = std::chrono::steady_clock::now();
  children_.push_back(start_party(0));
  children_.push_back(start_party(1));
  PartyLaunch impostor;
  impostor.config = site / "consortium.toml";
  impostor.key = site / "keys" / "hospital-c.key";
  children_.push_back(start_party(2, impostor));
  const std::vector<int> codes = wait_all(std::chrono::seconds(spec.connect_timeout_s + 10));
  const double seconds = seconds_since(start);

  for (int p = 0; p < 3; ++p) {
    EXPECT_NE(codes[p], 0) << name(p) << "\n" << logs();
    EXPECT_LT(codes[p], 128) << name(p) << " was killed: it hung\n" << logs();
    EXPECT_TRUE(last_line(out_of(p)).empty()) << name(p) << " reported a result";
    EXPECT_TRUE(audit_empty(p)) << name(p) << " opened something:\n" << read_file(audit_of(p));
  }
  // The honest parties name the impostor; the one it reached first (it gives up at the first
  // refusal) says it refused its certificate, and the impostor was told it was refused.
  int saw_refusal = 0;
  for (int p = 0; p < 2; ++p) {
    EXPECT_NE(stderr_of(p).find("hospital-c"), std::string::npos) << name(p) << ":\n"
                                                                  << stderr_of(p);
    saw_refusal += stderr_of(p).find("refused") != std::string::npos;
  }
  EXPECT_GE(saw_refusal, 1) << logs();
  EXPECT_NE(stderr_of(2).find("refused"), std::string::npos) << stderr_of(2);
  EXPECT_LT(seconds, spec.connect_timeout_s + 5);
}

TEST_F(RefusalTest, ConfigMismatchIsNamedByEveryParty) {
  ConsortiumSpec spec;
  spec.connect_timeout_s = 3;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  std::string text = config_text();
  const std::string from = "learning_rate = 0.1\n";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "learning_rate = 0.2\n");
  const fs::path site = copy_site("site-b", text);

  PartyLaunch b;
  b.config = site / "consortium.toml";
  run_with_odd_b(b, [&](int p, int q) {
    return consortium_differs(p == 1 ? *b.config : dir_ / "consortium.toml", q);
  });
}

// b's export renames one column ('mean_perimeter', the third, capitalised): every party says
// its header differs, with the column's number and both spellings.
TEST_F(RefusalTest, HeaderDifferingInOneColumnIsNamedByEveryParty) {
  ConsortiumSpec spec;
  spec.connect_timeout_s = 3;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  std::string header = read_file(csv_of(1));
  header.resize(header.find('\n'));
  const std::string from = "mean_texture,mean_perimeter,";
  ASSERT_EQ(header.find(from), std::string("mean_radius,").size()) << header;
  header.replace(header.find(from), from.size(), "mean_texture,Mean_perimeter,");

  PartyLaunch b;
  b.data = b_csv_with_header("hospital-b-renamed.csv", header);
  run_with_odd_b(b, [&](int p, int q) {
    return header_differs(data_of(p, b), q,
                          p == 1 ? " at column 3: 'Mean_perimeter' here, 'mean_perimeter' there"
                                 : " at column 3: 'mean_perimeter' here, 'Mean_perimeter' there");
  });
}

// One column fewer in b's export (its last feature dropped): the headers differ in length.
TEST_F(RefusalTest, HeaderWithAColumnFewerIsNamedByEveryParty) {
  ConsortiumSpec spec;
  spec.connect_timeout_s = 3;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  std::istringstream in(read_file(csv_of(1)));
  std::ostringstream out;
  for (std::string line; std::getline(in, line);) {
    const std::size_t label = line.rfind(',');
    const std::size_t last_feature = line.rfind(',', label - 1);
    ASSERT_NE(last_feature, std::string::npos) << line;
    out << line.substr(0, last_feature) << line.substr(label) << "\n";
  }
  const fs::path narrower = dir_ / "hospital-b-narrower.csv";
  std::ofstream(narrower) << out.str();
  ASSERT_EQ(ml::load_csv(narrower, "label").features.cols() + 1,
            ml::load_csv(csv_of(1), "label").features.cols());

  PartyLaunch b;
  b.data = narrower;
  run_with_odd_b(b, [&](int p, int q) {
    return header_differs(data_of(p, b), q,
                          p == 1 ? ": 29 feature columns here, 30 there (label aside); " + name(q) +
                                       "'s has 'worst_fractal_dimension' where ours ends"
                                 : ": 30 feature columns here, 29 there (label aside); column 30 "
                                   "'worst_fractal_dimension' is not in hospital-b's");
  });
}

}  // namespace
}  // namespace jointly::e2e
