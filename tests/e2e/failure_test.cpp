// End to end, issue 4 test 4 and bad input: a party that dies mid-run, or never starts because
// its data is bad, makes every other party stop with an error naming it instead of hanging.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <thread>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

class FailureTest : public ConsortiumTest {
 protected:
  void start_long_run();
  void expect_others_stop(std::chrono::steady_clock::time_point since);
};

// Starts a long run and returns once training has been under way for about a second.
void FailureTest::start_long_run() {
  ConsortiumSpec spec;
  spec.epochs = 1000;  // far longer than the test: the run is cut short
  spec.timeout_s = 3;
  spec.connect_timeout_s = 10;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  start_all();
  wait_until_logged(0, "epoch 1/", std::chrono::seconds(30));
  ASSERT_FALSE(HasFatalFailure());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int p = 0; p < 3; ++p) ASSERT_FALSE(children_[p].poll()) << name(p) << "\n" << logs();
}

// After hospital-c stopped at `since`: a and b must exit with code 2 within timeout_s + 5 s,
// naming hospital-c.
//
// A party that stops because of hospital-c tells the others why (an abort frame), so a party
// blocked on it rather than on hospital-c still names hospital-c, never the honest party.
void FailureTest::expect_others_stop(std::chrono::steady_clock::time_point since) {
  const auto limit = std::chrono::seconds(spec_.timeout_s + 5);
  int naming_c = 0;
  std::string wrong_culprit;
  for (int p = 0; p < 2; ++p) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        limit - (std::chrono::steady_clock::now() - since));
    const std::optional<int> code =
        children_[p].wait_for(std::max(left, std::chrono::milliseconds(0)));
    ASSERT_TRUE(code.has_value()) << name(p) << " still running " << spec_.timeout_s + 5
                                  << " s after hospital-c stopped\n"
                                  << logs();
    EXPECT_EQ(*code, 2) << name(p) << "\n" << logs();
    const std::string err = stderr_of(p);
    const std::string last = err.substr(
        err.rfind("jointly-party ") == std::string::npos ? 0 : err.rfind("jointly-party "));
    if (last.find("hospital-c") != std::string::npos) {
      ++naming_c;
    } else if (last.find(name(1 - p)) != std::string::npos) {
      wrong_culprit.append(" ").append(name(p)).append(" (").append(last).append(")");
    } else {
      ADD_FAILURE() << name(p) << " does not name the lost party:\n" << err;
    }
  }
  RecordProperty("seconds_to_stop", std::to_string(seconds_since(since)));
  EXPECT_GE(naming_c, 1) << logs();
  EXPECT_TRUE(wrong_culprit.empty())
      << "blamed the other honest party instead of hospital-c:" << wrong_culprit;
}

TEST_F(FailureTest, KillingAPartyMidRunStopsTheOthersWithCode2) {
  start_long_run();
  ASSERT_FALSE(HasFatalFailure());
  children_[2].signal(SIGKILL);
  expect_others_stop(std::chrono::steady_clock::now());
  EXPECT_EQ(children_[2].wait_or_kill(std::chrono::seconds(5)), 128 + SIGKILL);
}

// A frozen party keeps its connections open but says nothing: only timeout_s can catch it.
TEST_F(FailureTest, SilentPartyMidRunTimesOutTheOthersWithCode2) {
  start_long_run();
  ASSERT_FALSE(HasFatalFailure());
  children_[2].signal(SIGSTOP);
  const auto stopped = std::chrono::steady_clock::now();
  expect_others_stop(stopped);
  // Not before the timeout: the others really waited timeout_s for it.
  EXPECT_GE(seconds_since(stopped), spec_.timeout_s - 0.5);
}

TEST_F(FailureTest, BadInputOnOnePartyStopsEveryone) {
  ConsortiumSpec spec;
  spec.timeout_s = 3;
  spec.connect_timeout_s = 3;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  // Line 10 of b's file (header = line 1), column mean_texture: not a number.
  std::string csv = read_file(csv_of(1));
  std::size_t at = 0;
  for (int line = 1; line < 10; ++line) at = csv.find('\n', at) + 1;
  const std::size_t comma = csv.find(',', at);
  const std::size_t next = csv.find(',', comma + 1);
  csv.replace(comma + 1, next - comma - 1, "n/a");
  std::ofstream(csv_of(1)) << csv;

  const auto start = std::chrono::steady_clock::now();
  start_all();
  const std::vector<int> codes = wait_all(std::chrono::seconds(spec.connect_timeout_s + 10));
  const double seconds = seconds_since(start);

  EXPECT_EQ(codes[1], 1) << logs();
  const std::string b = stderr_of(1);
  EXPECT_NE(b.find(csv_of(1).string()), std::string::npos) << b;
  EXPECT_NE(b.find("line 10"), std::string::npos) << b;
  EXPECT_NE(b.find("mean_texture"), std::string::npos) << b;
  for (int p : {0, 2}) {
    EXPECT_NE(codes[p], 0) << name(p) << "\n" << logs();
    EXPECT_LT(codes[p], 128) << name(p) << " was killed: it hung\n" << logs();
    EXPECT_NE(stderr_of(p).find("hospital-b"), std::string::npos)
        << name(p) << " does not name the missing party:\n"
        << stderr_of(p);
  }
  EXPECT_LT(seconds, spec.connect_timeout_s + 5) << logs();
}

}  // namespace
}  // namespace jointly::e2e
