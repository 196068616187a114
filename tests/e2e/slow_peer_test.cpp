// End to end, issue 10 "Failing peers": a slow peer (here frozen with SIGSTOP for 2 s after
// its first epoch, well within timeout_s) slows the run but does not break it: every party
// finishes with exit code 0 and the receiver opens the very model an unpaused run opens (dealer
// triples, same seeds).
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include <fmt/format.h>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

constexpr int kEpochs = 20;
constexpr auto kPause = std::chrono::seconds(2);

class SlowPeerTest : public ConsortiumTest {
 protected:
  // Progress lines hospital-a has printed so far.
  std::size_t epochs_seen_by_a() const {
    const std::string err = stderr_of(0);
    std::size_t count = 0;
    for (std::size_t at = err.find("] epoch "); at != std::string::npos;
         at = err.find("] epoch ", at + 1))
      ++count;
    return count;
  }
};

TEST_F(SlowPeerTest, APausedPartySlowsTheRunButOpensTheSameModel) {
  ConsortiumSpec spec;
  spec.epochs = kEpochs;
  spec.timeout_s = 10;  // far longer than the pause: a slow peer, not a failed one
  spec.connect_timeout_s = 10;
  const std::vector<int> unpaused_codes = run_consortium(spec, std::chrono::seconds(60));
  ASSERT_EQ(unpaused_codes, (std::vector<int>{0, 0, 0})) << logs();
  const nlohmann::json unpaused = result_of(0);
  ASSERT_TRUE(unpaused.contains("accuracy")) << unpaused.dump();
  children_.clear();

  // The same run again; hospital-c is frozen once it has finished its first epoch.
  start_all();
  wait_until_logged(2, "[hospital-c] epoch 1/", std::chrono::seconds(30));
  ASSERT_FALSE(HasFatalFailure());
  children_[2].signal(SIGSTOP);
  const std::string last_epoch = fmt::format("epoch {}/{}", kEpochs, kEpochs);
  ASSERT_EQ(stderr_of(2).find(last_epoch), std::string::npos) << "paused too late\n" << logs();

  // While hospital-c is frozen the others wait for it: they stay up and make no progress.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::size_t seen = epochs_seen_by_a();
  std::this_thread::sleep_for(kPause - std::chrono::milliseconds(500));
  EXPECT_EQ(epochs_seen_by_a(), seen) << "hospital-a went on without hospital-c\n" << logs();
  for (int p = 0; p < 2; ++p) EXPECT_FALSE(children_[p].poll()) << name(p) << "\n" << logs();
  children_[2].signal(SIGCONT);

  const std::vector<int> codes = wait_all(std::chrono::seconds(60));
  ASSERT_EQ(codes, (std::vector<int>{0, 0, 0})) << logs();
  const nlohmann::json paused = result_of(0);
  ASSERT_TRUE(paused.contains("accuracy")) << paused.dump();
  EXPECT_EQ(paused["accuracy"].get<double>(), unpaused["accuracy"].get<double>());
  EXPECT_EQ(paused["weights"], unpaused["weights"]);  // bit for bit: the same model
  EXPECT_GT(paused["seconds_training"].get<double>(),
            std::chrono::duration<double>(kPause).count());

  std::cerr << fmt::format(
      "slow peer e2e: unpaused training {:.2f} s, with hospital-c frozen {} s after its first "
      "epoch {:.2f} s; accuracy {} both times\n",
      unpaused["seconds_training"].get<double>(), kPause.count(),
      paused["seconds_training"].get<double>(), paused["accuracy"].get<double>());
  RecordProperty("seconds_training_unpaused",
                 std::to_string(unpaused["seconds_training"].get<double>()));
  RecordProperty("seconds_training_paused",
                 std::to_string(paused["seconds_training"].get<double>()));
}

}  // namespace
}  // namespace jointly::e2e
