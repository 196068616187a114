// End to end, issue 19 (the OT offline phase): two jointly-party processes make their triples
// by OT one epoch at a time, in turn or (--overlap) on network channel 1 while the previous
// epoch trains, and open the plaintext reference's model either way.
#include <gtest/gtest.h>

#include <string>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

class OfflineTest : public ConsortiumTest {
 protected:
  static ConsortiumSpec two_party_ot() {
    ConsortiumSpec spec;
    spec.parties = 2;
    spec.triples = "ot";
    spec.epochs = 3;
    return spec;
  }

  // Runs both parties with or without --overlap; returns their exit codes.
  std::vector<int> run(bool overlap_a, bool overlap_b) {
    children_.clear();
    for (const bool overlap : {overlap_a, overlap_b}) {
      PartyLaunch launch;
      launch.overlap = overlap;
      children_.push_back(start_party(static_cast<int>(children_.size()), launch));
    }
    return wait_all(std::chrono::seconds(60));
  }
};

TEST_F(OfflineTest, EpochByEpochAndOverlappedOfflinePhasesOpenTheReferenceModel) {
  make_consortium(two_party_ot());
  nlohmann::json in_turn, overlapped;
  for (const bool overlap : {false, true}) {
    SCOPED_TRACE(overlap ? "--overlap" : "in turn");
    ASSERT_EQ(run(overlap, overlap), (std::vector<int>{0, 0})) << logs();
    const nlohmann::json r = result_of(0);
    expect_matches_reference(r, two_party_ot());
    EXPECT_EQ(r["overlap"].get<bool>(), overlap);
    // Every epoch's triples were made by OT (3 epochs: 3 units of ~22 MB each with
    // SoftSpokenOT k = 4, docs/ot.md; two would stay under 45 MB), and the online phase sent
    // only Beaver openings: the same online traffic either way.
    EXPECT_GT(r["offline_bytes_sent"].get<std::uint64_t>(), 55'000'000u) << r.dump();
    const std::string err = stderr_of(0);
    EXPECT_NE(err.find("offline, epoch 1:"), std::string::npos) << err;
    EXPECT_NE(err.find("waited"), std::string::npos) << err;
    if (!overlap) {
      // Made in turn, every epoch reports its own OT progress from the party's thread.
      EXPECT_NE(err.find("offline, epoch 3:"), std::string::npos) << err;
    }
    (overlap ? overlapped : in_turn) = r;
  }
  EXPECT_EQ(in_turn["online_bytes_sent"], overlapped["online_bytes_sent"]);
  EXPECT_EQ(in_turn["online_rounds"], overlapped["online_rounds"]);
  // The background OT is counted: total = online + offline.
  for (const auto& r : {in_turn, overlapped}) {
    EXPECT_EQ(
        r["bytes_sent"].get<std::uint64_t>(),
        r["online_bytes_sent"].get<std::uint64_t>() + r["offline_bytes_sent"].get<std::uint64_t>())
        << r.dump();
  }
}

// A party with --overlap and one without would make their triples on different channels and
// wait for each other until the timeout: both refuse at once, naming the other.
// The consortium file's OT extension reaches the --overlap maker on channel 1, which makes
// every epoch's triples (the stack's source only names the protocol). IKNP sends 2.5x
// SoftSpokenOT's bytes, so the offline bytes show which extension made them (with the maker
// on the default options this run sent 66 MB).
TEST_F(OfflineTest, TheFilesOtExtensionMakesEveryEpoch) {
  ConsortiumSpec spec = two_party_ot();
  spec.ot_keys = "ot_extension = \"iknp\"\not_threads = 2\n";
  make_consortium(spec);
  ASSERT_EQ(run(true, true), (std::vector<int>{0, 0})) << logs();
  const nlohmann::json r = result_of(0);
  expect_matches_reference(r, spec);
  EXPECT_NE(r["protocol"].get<std::string>().find("IKNP, 2 threads"), std::string::npos)
      << r.dump();
  // 3 epochs of ~55 MB with IKNP (~22 MB with SoftSpokenOT k = 4).
  EXPECT_GT(r["offline_bytes_sent"].get<std::uint64_t>(), 150'000'000u) << r.dump();
}

TEST_F(OfflineTest, PartiesThatDisagreeOnOverlapStopNamingEachOther) {
  make_consortium(two_party_ot());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run(true, false), (std::vector<int>{1, 1})) << logs();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  EXPECT_NE(stderr_of(0).find("hospital-b runs without --overlap"), std::string::npos) << logs();
  EXPECT_NE(stderr_of(1).find("hospital-a runs with --overlap"), std::string::npos) << logs();
}

}  // namespace
}  // namespace jointly::e2e
