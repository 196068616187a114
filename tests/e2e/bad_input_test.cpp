// End to end, issue 10 "Bad input": each bad input a user can hand jointly-party — a malformed
// CSV, a value the fixed-point encoding cannot hold, a non-binary label, a broken consortium
// file, an unusable key, a port in use — stops the party within seconds with exit code 1 and a
// message naming the file, line and column (or key), before any share is sent; the other
// parties stop too (exit 2, naming it). docs/reliability.md lists them all.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

// How long the bad party may take to say what is wrong (it never needs its peers for that).
constexpr double kOwnErrorSeconds = 5;

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, by)) parts.push_back(part);
  if (!text.empty() && text.back() == by && by != '\n') parts.emplace_back();
  return parts;
}

std::string join(const std::vector<std::string>& parts, const std::string& with) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? with : "") + parts[i];
  return out;
}

class BadInputTest : public ConsortiumTest {
 protected:
  void SetUp() override {
    ConsortiumTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    ConsortiumSpec spec;
    spec.timeout_s = 3;
    spec.connect_timeout_s = 3;
    make_consortium(spec);
  }

  // The lines of hospital-b's CSV (header = line 1) and writing them back.
  std::vector<std::string> b_lines() const { return split(read_file(csv_of(1)), '\n'); }
  void write_b(const std::vector<std::string>& lines) const {
    std::ofstream(csv_of(1)) << join(lines, "\n") << "\n";
  }
  // Sets the cell of `column` on `line` of hospital-b's CSV.
  void set_b_cell(int line, const std::string& column, const std::string& value) const {
    std::vector<std::string> lines = b_lines();
    const std::vector<std::string> header = split(lines[0], ',');
    const auto at = std::find(header.begin(), header.end(), column);
    ASSERT_NE(at, header.end()) << column;
    ASSERT_LE(static_cast<std::size_t>(line), lines.size());
    std::vector<std::string> cells = split(lines[static_cast<std::size_t>(line - 1)], ',');
    cells[static_cast<std::size_t>(at - header.begin())] = value;
    lines[static_cast<std::size_t>(line - 1)] = join(cells, ",");
    write_b(lines);
  }

  // Starts every party, hospital-b as `b`. hospital-b must exit 1 within kOwnErrorSeconds, its
  // stderr holding every one of `says`; hospital-a and hospital-c must stop with exit code 2
  // within connect_timeout_s + 5 s, naming hospital-b as the party they could not reach. Nobody
  // reports a result or opens anything: the mesh never came up, so no share left any party.
  void expect_b_stops_everyone(const std::vector<std::string>& says, const PartyLaunch& b = {}) {
    const auto start = std::chrono::steady_clock::now();
    children_.push_back(start_party(0));
    children_.push_back(start_party(1, b));
    children_.push_back(start_party(2));
    const std::optional<int> b_code = children_[1].wait_for(std::chrono::seconds(20));
    const double b_seconds = seconds_since(start);
    const std::vector<int> codes = wait_all(std::chrono::seconds(spec_.connect_timeout_s + 5));
    const double seconds = seconds_since(start);

    ASSERT_TRUE(b_code.has_value()) << "hospital-b did not stop\n" << logs();
    EXPECT_EQ(*b_code, 1) << logs();
    EXPECT_LT(b_seconds, kOwnErrorSeconds) << logs();
    const std::string err = stderr_of(1);
    for (const auto& s : says) EXPECT_NE(err.find(s), std::string::npos) << s << "\n" << err;
    for (int p : {0, 2}) {
      EXPECT_EQ(codes[p], 2) << name(p) << " (" << 128 + SIGKILL << ": killed, it hung)\n"
                             << logs();
      EXPECT_NE(stderr_of(p).find("could not connect to every party"), std::string::npos)
          << name(p) << "\n"
          << stderr_of(p);
      EXPECT_NE(stderr_of(p).find("hospital-b (party 1)"), std::string::npos)
          << name(p) << " does not name hospital-b:\n"
          << stderr_of(p);
    }
    EXPECT_LT(seconds, spec_.connect_timeout_s + 5) << logs();
    expect_nothing_shared();
    RecordProperty("seconds_bad_party", std::to_string(b_seconds));
    RecordProperty("seconds_all", std::to_string(seconds));
  }

  // The consortium file (every party's copy) is `text`: every party exits 1 within
  // kOwnErrorSeconds, naming the file and holding every one of `says`.
  void expect_every_party_refuses_config(const std::string& text,
                                         const std::vector<std::string>& says) {
    std::ofstream(dir_ / "consortium.toml") << text;
    const auto start = std::chrono::steady_clock::now();
    start_all();
    const std::vector<int> codes = wait_all(std::chrono::seconds(20));
    const double seconds = seconds_since(start);
    EXPECT_EQ(codes, (std::vector<int>{1, 1, 1})) << logs();
    EXPECT_LT(seconds, kOwnErrorSeconds) << logs();
    for (int p = 0; p < 3; ++p) {
      const std::string err = stderr_of(p);
      EXPECT_NE(err.find((dir_ / "consortium.toml").string() + ": "), std::string::npos) << err;
      for (const auto& s : says) EXPECT_NE(err.find(s), std::string::npos) << s << "\n" << err;
    }
    expect_nothing_shared();
  }

  void expect_nothing_shared() const {
    for (int p = 0; p < 3; ++p) {
      EXPECT_TRUE(last_line(out_of(p)).empty()) << name(p) << " reported a result";
      EXPECT_TRUE(!fs::exists(audit_of(p)) || read_file(audit_of(p)).empty())
          << name(p) << " opened something:\n"
          << read_file(audit_of(p));
    }
  }

  // hospital-b's CSV as named in its messages, followed by " line <line>".
  std::string b_at(int line) const { return csv_of(1).string() + " line " + std::to_string(line); }
};

// (A non-numeric cell: FailureTest.BadInputOnOnePartyStopsEveryone.)

TEST_F(BadInputTest, MissingValueNamesFileLineAndColumn) {
  set_b_cell(7, "mean_perimeter", "");
  expect_b_stops_everyone({b_at(7) + ": column 'mean_perimeter' is empty (missing value)"});
}

TEST_F(BadInputTest, RaggedRowNamesFileAndLine) {
  std::vector<std::string> lines = b_lines();
  const std::size_t cells = split(lines[0], ',').size();
  lines[11] += ",1.5";  // line 12: one cell too many
  write_b(lines);
  expect_b_stops_everyone({b_at(12) + ": has " + std::to_string(cells + 1) +
                           " cells, the header has " + std::to_string(cells)});
}

TEST_F(BadInputTest, NanNamesFileLineAndColumn) {
  set_b_cell(20, "worst_area", "NaN");
  expect_b_stops_everyone(
      {b_at(20) + ": column 'worst_area' holds 'NaN' (NaN and infinities are refused)"});
}

// 40000 is a number, but not below 2^15, the largest magnitude the fixed-point encoding holds.
TEST_F(BadInputTest, ValueTooLargeForTheEncodingNamesFileLineAndColumn) {
  set_b_cell(30, "mean_area", "40000");
  expect_b_stops_everyone(
      {b_at(30) + " column 'mean_area': value 40000 is outside the fixed-point range"});
}

TEST_F(BadInputTest, EmptyFileNamesTheFile) {
  std::ofstream(csv_of(1), std::ios::trunc).flush();
  expect_b_stops_everyone({csv_of(1).string() + ": the file is empty (no header row)"});
}

TEST_F(BadInputTest, MissingLabelColumnNamesFileAndColumn) {
  std::vector<std::string> lines = b_lines();
  std::vector<std::string> header = split(lines[0], ',');
  ASSERT_EQ(header.back(), "label");
  header.back() = "diagnosis";
  lines[0] = join(header, ",");
  write_b(lines);
  expect_b_stops_everyone({b_at(1) + ": no label column 'label' in the header"});
}

TEST_F(BadInputTest, NonBinaryLabelNamesFileLineAndColumn) {
  set_b_cell(9, "label", "2");
  expect_b_stops_everyone({b_at(9) + " column 'label': label 2 is not 0 or 1"});
}

TEST_F(BadInputTest, UnknownConfigKeyStopsEveryPartyNamingTheKey) {
  expect_every_party_refuses_config("epoch = 3\n" + config_text(), {"unknown key 'epoch'"});
}

TEST_F(BadInputTest, DuplicatePartyStopsEveryPartyNamingIt) {
  std::string text = config_text();
  const std::string c = "name = \"hospital-c\"";
  ASSERT_NE(text.find(c), std::string::npos);
  text.replace(text.find(c), c.size(), "name = \"hospital-a\"");
  expect_every_party_refuses_config(text, {"'hospital-a'", "twice"});
}

// Something else already listens on hospital-b's port.
TEST_F(BadInputTest, PortInUseNamesThePort) {
  const int squatter = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(squatter, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ports_[1]);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(squatter, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(squatter, 16), 0);
  expect_b_stops_everyone(
      {"hospital-b cannot listen on 127.0.0.1:" + std::to_string(ports_[1]), "in use"});
  ::close(squatter);
}

TEST_F(BadInputTest, MissingKeyFileNamesIt) {
  PartyLaunch b;
  b.key = dir_ / "keys" / "absent.key";
  expect_b_stops_everyone({"--key", b.key->string()}, b);
}

TEST_F(BadInputTest, KeyFileOthersCanReadIsRefused) {
  PartyLaunch b;
  b.key = dir_ / "open.key";
  fs::copy_file(key_of(1), *b.key);
  fs::permissions(*b.key, fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  expect_b_stops_everyone({"key file " + b.key->string() + " is accessible by other users",
                           "chmod 600 " + b.key->string()},
                          b);
}

TEST_F(BadInputTest, KeyFileThatIsNotAKeyNamesIt) {
  PartyLaunch b;
  b.key = dir_ / "junk.key";
  std::ofstream(*b.key) << "this is not a PEM private key\n";
  fs::permissions(*b.key, fs::perms::owner_read | fs::perms::owner_write);
  expect_b_stops_everyone(
      {b.key->string() + ": hospital-b's private key is not an unencrypted PEM private key"}, b);
}

// A device where a file is expected: refused at once, naming it and what it is, never read
// without end, and the key never blamed on /dev/zero's 0666 mode.
TEST_F(BadInputTest, KeyThatIsDevZeroIsNamedNotBlamedOnItsMode) {
  PartyLaunch b;
  b.key = "/dev/zero";
  expect_b_stops_everyone({"cannot read key file /dev/zero: is not a regular file (a PEM "
                           "private key file is expected)"},
                          b);
  EXPECT_EQ(stderr_of(1).find("chmod"), std::string::npos) << stderr_of(1);
}

TEST_F(BadInputTest, AuditLogThatIsDevZeroIsRefusedAtOnce) {
  PartyLaunch b;
  b.audit = "/dev/zero";
  expect_b_stops_everyone({"/dev/zero: is not a regular file (an audit log is expected)"}, b);
}

TEST_F(BadInputTest, KeyOfAnotherPartyDoesNotMatchTheCertificate) {
  PartyLaunch b;
  b.key = key_of(2);
  expect_b_stops_everyone(
      {b.key->string() + ": hospital-b's private key does not belong to hospital-b's certificate"},
      b);
}

}  // namespace
}  // namespace jointly::e2e
