// End to end, issue 10 (checkpoints): three jointly-party processes (dealer triples) train 5
// epochs; in a second run hospital-c is killed once epoch 2 is complete, and all three are
// restarted with --resume. The resumed run starts at epoch 3 and opens exactly the model of the
// uninterrupted run. Also: the parties take the minimum of their latest epochs, and a missing,
// truncated or foreign checkpoint, or a party started without --resume, stops every party with
// a message naming the file or the party.
#include <gtest/gtest.h>

#include <signal.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

class CheckpointTest : public ConsortiumTest {
 protected:
  static constexpr int kEpochs = 5;
  static constexpr int kKillAfter = 2;

  // Three parties with dealer triples, 5 epochs.
  void make_dealer_consortium() {
    ConsortiumSpec spec;
    spec.epochs = kEpochs;
    spec.batch = 2;  // about half a second per epoch: the kill lands well inside epoch 3
    spec.shuffle_seed = 7;
    spec.timeout_s = 5;
    make_consortium(spec);
  }

  // A fresh run in which the last party is killed as soon as it reports epoch `after` (its
  // checkpoint of that epoch is written before the line). The others then stop with code 2.
  void run_and_kill_last_after(int after) {
    const int victim = spec_.parties - 1;
    children_.clear();
    for (int p = 0; p < spec_.parties; ++p) children_.push_back(start_party(p));
    const auto start = std::chrono::steady_clock::now();
    const std::string line = fmt::format("epoch {}/{}", after, spec_.epochs);
    while (stderr_of(victim).find(line) == std::string::npos) {
      ASSERT_LT(seconds_since(start), 80) << name(victim) << " never reported " << line << "\n"
                                          << logs();
      ASSERT_FALSE(children_[victim].poll()) << name(victim) << " ended early\n" << logs();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    children_[victim].signal(SIGKILL);
    killed_seconds_ = seconds_since(start);
    EXPECT_EQ(children_[victim].wait_or_kill(std::chrono::seconds(10)), 128 + SIGKILL);
    for (int p = 0; p < victim; ++p)
      EXPECT_EQ(children_[p].wait_or_kill(std::chrono::seconds(spec_.timeout_s + 10)), 2)
          << name(p) << "\n"
          << logs();
    // The victim got no further: its files are those of epochs after - 1 and after only.
    for (int e = 1; e <= spec_.epochs; ++e) {
      EXPECT_EQ(fs::exists(checkpoint_file(victim, e)), e <= after && e >= after - 1)
          << checkpoint_file(victim, e);
    }
  }

  fs::path checkpoint_file(int p, int epoch) const {
    return checkpoint_dir() / fmt::format("{}.epoch-{}.ckpt", name(p), epoch);
  }

  // The opened model's weights and bias, exactly as written in the receiver's model file.
  nlohmann::json model_weights() const {
    const nlohmann::json model = nlohmann::json::parse(read_file(model_of(0)));
    return {{"weights", model.at("weights")}, {"bias", model.at("bias")}};
  }

  // Checks that party p's run resumed after `epoch`: the log says so, and its first epoch line
  // is the next epoch.
  void expect_resumed_after(int p, int epoch) {
    const std::string err = stderr_of(p);
    EXPECT_NE(err.find(fmt::format("resuming after epoch {}/{}", epoch, spec_.epochs)),
              std::string::npos)
        << name(p) << ":\n"
        << err;
    const auto first = err.find("] epoch ");
    ASSERT_NE(first, std::string::npos) << name(p) << ":\n" << err;
    const std::string expected = fmt::format("epoch {}/{} ", epoch + 1, spec_.epochs);
    EXPECT_EQ(err.substr(first + 2, expected.size()), expected) << name(p) << ":\n" << err;
    for (int e = 1; e <= epoch; ++e) {
      EXPECT_EQ(err.find(fmt::format("] epoch {}/{} ", e, spec_.epochs)), std::string::npos)
          << name(p) << " trained epoch " << e << " again:\n"
          << err;
    }
    EXPECT_EQ(result_of(p)["resumed_from_epoch"], epoch) << name(p);
  }

  // Copies of the checkpoint folder, to replay a resume from the same state.
  void save_checkpoints(const std::string& as) {
    fs::copy(checkpoint_dir(), dir_ / as, fs::copy_options::recursive);
  }
  void restore_checkpoints(const std::string& from) {
    fs::remove_all(checkpoint_dir());
    fs::copy(dir_ / from, checkpoint_dir(), fs::copy_options::recursive);
  }

  // Trains `spec` uninterrupted, then again with the last party killed after epoch
  // `kill_after` and every party resumed; checks the resume and returns the largest difference
  // between the two opened models (the check that it is within the fixed-point error is the
  // caller's). `label` names the run in the log line.
  double resumed_model_drift(const ConsortiumSpec& spec, int kill_after, const char* label) {
    make_consortium(spec);
    if (HasFatalFailure()) return 1e9;
    const std::vector<int> ok(static_cast<std::size_t>(spec.parties), 0);
    EXPECT_EQ(run_all(false), ok) << logs();
    const auto reference = result_of(0)["weights"].get<std::vector<double>>();
    for (int p = 0; p < spec.parties; ++p)
      EXPECT_TRUE(fs::exists(checkpoint_file(p, spec.epochs))) << checkpoint_file(p, spec.epochs);

    run_and_kill_last_after(kill_after);
    if (HasFatalFailure()) return 1e9;
    EXPECT_EQ(run_all(true), ok) << logs();
    for (int p = 0; p < spec.parties; ++p) expect_resumed_after(p, kill_after);
    const auto resumed = result_of(0)["weights"].get<std::vector<double>>();
    EXPECT_EQ(resumed.size(), reference.size());
    if (resumed.size() != reference.size() || reference.empty()) return 1e9;
    double largest = 0;
    for (std::size_t i = 0; i < resumed.size(); ++i)
      largest = std::max(largest, std::fabs(resumed[i] - reference[i]));
    RecordProperty("largest_weight_difference", std::to_string(largest));
    std::cerr << fmt::format("checkpoint e2e ({}): largest weight difference {:.2e}\n", label,
                             largest);
    return largest;
  }

  double killed_seconds_ = 0;
};

TEST_F(CheckpointTest, KilledAfterEpoch2ResumesAtEpoch3WithTheSameModel) {
  make_dealer_consortium();
  ASSERT_FALSE(HasFatalFailure());
  auto t = std::chrono::steady_clock::now();
  ASSERT_EQ(run_all(false), (std::vector<int>{0, 0, 0})) << logs();
  const double uninterrupted_seconds = seconds_since(t);
  const nlohmann::json reference = model_weights();
  ASSERT_EQ(reference["weights"].size(), 30u);
  // Each party keeps the last two epochs, mode 0600.
  for (int p = 0; p < 3; ++p) {
    for (int e = 1; e <= kEpochs; ++e)
      EXPECT_EQ(fs::exists(checkpoint_file(p, e)), e >= kEpochs - 1) << checkpoint_file(p, e);
    EXPECT_EQ(fs::status(checkpoint_file(p, kEpochs)).permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
  }
  fs::remove(model_of(0));

  // The same consortium again; the stale files of the first run are replaced as it goes.
  run_and_kill_last_after(kKillAfter);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_FALSE(fs::exists(model_of(0)));
  save_checkpoints("after-kill");

  t = std::chrono::steady_clock::now();
  ASSERT_EQ(run_all(true), (std::vector<int>{0, 0, 0})) << logs();
  const double resumed_seconds = seconds_since(t);
  for (int p = 0; p < 3; ++p) expect_resumed_after(p, kKillAfter);
  EXPECT_EQ(model_weights(), reference) << "the resumed run opened another model";
  // The summary's weights are the model's weights followed by the bias.
  nlohmann::json summary_weights = reference["weights"];
  summary_weights.push_back(reference["bias"]);
  EXPECT_EQ(result_of(0)["weights"], summary_weights);

  // Had hospital-a lost its newest checkpoint (killed before writing it), the parties resume
  // from the latest epoch all of them hold — and still open the same model.
  restore_checkpoints("after-kill");
  fs::remove(checkpoint_file(0, kKillAfter));
  fs::remove(model_of(0));
  ASSERT_EQ(run_all(true), (std::vector<int>{0, 0, 0})) << logs();
  for (int p = 0; p < 3; ++p) expect_resumed_after(p, kKillAfter - 1);
  EXPECT_EQ(model_weights(), reference) << "resuming from epoch 1 opened another model";

  std::cerr << fmt::format(
      "checkpoint e2e: uninterrupted run {:.2f} s; hospital-c killed {:.2f} s into the second "
      "run; resumed run (epochs 3-5) {:.2f} s; models bit-identical: {}\n",
      uninterrupted_seconds, killed_seconds_, resumed_seconds, model_weights() == reference);
  RecordProperty("seconds_uninterrupted", std::to_string(uninterrupted_seconds));
  RecordProperty("seconds_resumed", std::to_string(resumed_seconds));
}

TEST_F(CheckpointTest, AMissingOrBadCheckpointStopsEveryPartyNamingIt) {
  make_dealer_consortium();
  ASSERT_FALSE(HasFatalFailure());
  run_and_kill_last_after(kKillAfter);
  ASSERT_FALSE(HasFatalFailure());
  save_checkpoints("after-kill");

  // hospital-b lost all its checkpoints: it names its folder, the others name hospital-b.
  for (int e = 1; e <= kEpochs; ++e) fs::remove(checkpoint_file(1, e));
  EXPECT_EQ(run_all(true), (std::vector<int>{1, 1, 1})) << logs();
  EXPECT_NE(stderr_of(1).find(checkpoint_dir().string() + ": no checkpoint to resume from"),
            std::string::npos)
      << stderr_of(1);
  for (int p : {0, 2}) {
    EXPECT_NE(stderr_of(p).find("cannot resume: hospital-b has no checkpoint"), std::string::npos)
        << stderr_of(p);
  }

  // hospital-a holds epoch 1 only, hospital-b epoch 2 only: the minimum of the latest epochs
  // is 1, which hospital-b lacks. Every party says so.
  restore_checkpoints("after-kill");
  fs::remove(checkpoint_file(0, 2));
  fs::remove(checkpoint_file(1, 1));
  EXPECT_EQ(run_all(true), (std::vector<int>{1, 1, 1})) << logs();
  EXPECT_NE(stderr_of(1).find(checkpoint_file(1, 1).string() + ": missing; the parties' last "
                                                               "common epoch is 1"),
            std::string::npos)
      << stderr_of(1);
  EXPECT_NE(stderr_of(0).find("hospital-b holds only epochs 2"), std::string::npos) << stderr_of(0);

  // hospital-c's newest checkpoint is truncated: it exits 1 naming the file; the others are
  // told why it stopped and exit 2 naming it.
  restore_checkpoints("after-kill");
  const std::string bytes = read_file(checkpoint_file(2, 2));
  std::ofstream(checkpoint_file(2, 2), std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(run_all(true), (std::vector<int>{2, 2, 1})) << logs();
  EXPECT_NE(stderr_of(2).find(checkpoint_file(2, 2).string() + ": truncated or corrupted"),
            std::string::npos)
      << stderr_of(2);
  for (int p : {0, 1}) {
    EXPECT_NE(stderr_of(p).find("hospital-c stopped: " + checkpoint_file(2, 2).string()),
              std::string::npos)
        << stderr_of(p);
  }

  // hospital-c is restarted without --resume: the others refuse its answer, naming it.
  restore_checkpoints("after-kill");
  children_.clear();
  for (int p = 0; p < 3; ++p) {
    PartyLaunch launch;
    launch.resume = p != 2;
    children_.push_back(start_party(p, launch));
  }
  EXPECT_EQ(wait_all(std::chrono::seconds(60)), (std::vector<int>{2, 2, 2})) << logs();
  for (int p : {0, 1}) {
    EXPECT_NE(stderr_of(p).find("hospital-c did not answer with its checkpoints: every party "
                                "must be started with --resume"),
              std::string::npos)
        << stderr_of(p);
  }

  // A checkpoint of another consortium file (one more epoch) is refused by its digest, the
  // message naming the file.
  restore_checkpoints("after-kill");
  std::string other = config_text();
  other.replace(other.find("epochs = 5"), 10, "epochs = 6");
  std::ofstream(dir_ / "consortium.toml") << other;
  EXPECT_EQ(run_all(true), (std::vector<int>{1, 1, 1})) << logs();
  for (int p = 0; p < 3; ++p) {
    const std::string err = stderr_of(p);
    const auto at = err.find((checkpoint_dir() / name(p)).string() + ".epoch-");
    ASSERT_NE(at, std::string::npos) << err;
    EXPECT_NE(err.find(".ckpt: checkpoint of another consortium", at), std::string::npos) << err;
  }
}

// OT triples come from fresh randomness that is not stored, so a resumed two-party run gets
// other triples: the model is not bit-identical, but equal within the fixed-point error. Each
// truncation may round the other way (2^-16); a few hundred steps stay far below 0.005.
TEST_F(CheckpointTest, OtTriplesResumeToTheSameModelWithinFixedPointError) {
  ConsortiumSpec spec;
  spec.parties = 2;
  spec.triples = "ot";
  spec.epochs = 3;
  spec.batch = 8;
  spec.shuffle_seed = 7;
  spec.timeout_s = 10;
  EXPECT_LT(resumed_model_drift(spec, 1, "OT"), 0.005) << "the resumed OT run drifted";
}

// Replicated sharing keeps its pairwise PRG keys and their positions in the checkpoint, and
// each party its two shares of the model: the resumed run continues the killed run's streams.
// The uninterrupted reference run drew other keys, so its truncations may round the other way:
// equal within the fixed-point error, as for OT triples.
TEST_F(CheckpointTest, ReplicatedResumesToTheSameModelWithinFixedPointError) {
  ConsortiumSpec spec;
  spec.protocol = "replicated";
  spec.triples = "prss";
  spec.epochs = 4;
  spec.batch = 1;  // hundreds of steps per epoch: the kill lands inside epoch 3
  spec.shuffle_seed = 7;
  spec.timeout_s = 10;
  EXPECT_LT(resumed_model_drift(spec, 2, "replicated"), 0.005)
      << "the resumed replicated run drifted";
}

// Shamir's randomness is one private stream per party: the checkpoint keeps its seed and
// position, so the resumed run replays the killed run's randomness. Prepared double sharings
// that the kill interrupted are made anew (the same for every party), so the model is compared
// with the uninterrupted run within the fixed-point error.
TEST_F(CheckpointTest, ShamirResumesToTheSameModelWithinFixedPointError) {
  ConsortiumSpec spec;
  spec.protocol = "shamir";
  spec.triples = "dn07";
  spec.epochs = 4;
  spec.batch = 8;
  spec.shuffle_seed = 7;
  spec.timeout_s = 10;
  EXPECT_LT(resumed_model_drift(spec, 2, "shamir"), 0.005) << "the resumed Shamir run drifted";
}

}  // namespace
}  // namespace jointly::e2e
