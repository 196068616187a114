// SoftSpokenOT (protocols/ot/extension/softspoken.h): the correlation Q_i = T_i ⊕ r_i·Δ for
// every OT and every k, the same Δ and correlation as IKNP on the same base OTs, the channel
// in every mode and thread count, its cost, and bad options refused.
#include "protocols/ot/extension/softspoken.h"

#include <gtest/gtest.h>

#include "protocols/ot/extension/iknp.h"
#include "tests/protocols/ot/cot_job.h"
#include "tests/protocols/ot/two_party.h"

namespace jointly::ot {
namespace {

// Base OTs made locally: the pairs the chooser holds, the sender's choice bits Δ and the keys
// it chose. (The real ones come from SimplestOt in CotChannel; here only their outputs
// matter.)
struct BaseOts {
  std::vector<BlockPair> pairs;
  Block delta;
  std::vector<Block> chosen;
};

BaseOts base_ots(std::uint64_t seed) {
  Prg prg(seed_from_u64(seed));
  BaseOts b;
  b.pairs.resize(kBaseOts);
  prg.fill({reinterpret_cast<std::uint8_t*>(b.pairs.data()), b.pairs.size() * sizeof(BlockPair)});
  prg.fill({reinterpret_cast<std::uint8_t*>(&b.delta), sizeof b.delta});
  for (std::size_t j = 0; j < kBaseOts; ++j) b.chosen.push_back(b.pairs[j][b.delta.bit(j)]);
  return b;
}

// Extends n OTs (twice: the streams continue) and checks every row.
void expect_correlation(ExtensionReceiver& receiver, ExtensionSender& sender, Block delta,
                        std::size_t n, std::uint64_t seed) {
  Prg prg(seed_from_u64(seed));
  for (int round = 0; round < 2; ++round) {
    std::vector<std::uint8_t> choices(n / 8), u(receiver.u_bytes(n));
    prg.fill(choices);
    std::vector<Block> t(n), q(n);
    receiver.extend(choices.data(), n, u.data(), t.data());
    ASSERT_EQ(sender.u_bytes(n), u.size());
    sender.extend(u.data(), n, q.data());
    ASSERT_EQ(sender.delta(), delta);
    std::size_t ones = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool r = get_bit(choices.data(), i);
      ones += r;
      ASSERT_EQ(q[i], t[i] ^ (r ? delta : Block{})) << "OT " << i << " of round " << round;
    }
    EXPECT_GT(ones, 0u);
    EXPECT_LT(ones, n);
    EXPECT_NE(t[0], t[1]);
  }
}

TEST(SoftSpoken, CorrelationHoldsForEveryOtAndEveryK) {
  for (int k = kMinSoftSpokenK; k <= kMaxSoftSpokenK; ++k) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const BaseOts b = base_ots(100 + k);
    Prg roots(seed_from_u64(200 + k));
    SoftSpokenReceiver receiver(k, b.pairs, roots);
    SoftSpokenSender sender(k, b.delta, b.chosen, receiver.setup_message());
    EXPECT_EQ(receiver.u_bytes(1024), softspoken_blocks(k) * 1024 / 8);
    expect_correlation(receiver, sender, b.delta, 1024, 300 + k);
  }
}

// The reference it is tested against: on the same base OTs IKNP and SoftSpokenOT give the
// sender the same Δ and the chooser rows with the same correlation (T differs: other PRGs).
TEST(SoftSpoken, SameDeltaAndCorrelationAsIknpOnTheSameBaseOts) {
  const BaseOts b = base_ots(7);
  IknpReceiver iknp_r(b.pairs);
  IknpSender iknp_s(b.delta, b.chosen);
  expect_correlation(iknp_r, iknp_s, b.delta, 512, 8);
  Prg roots(seed_from_u64(9));
  SoftSpokenReceiver soft_r(4, b.pairs, roots);
  SoftSpokenSender soft_s(4, b.delta, b.chosen, soft_r.setup_message());
  expect_correlation(soft_r, soft_s, b.delta, 512, 8);
  EXPECT_EQ(iknp_s.delta(), soft_s.delta());
  EXPECT_EQ(iknp_r.u_bytes(512), 4 * soft_r.u_bytes(512));  // 128 bits vs 32 per OT
}

// A wrong set-up message (here: another tree's) breaks the correlation: the test above is not
// vacuous.
TEST(SoftSpoken, AnotherTreeBreaksTheCorrelation) {
  const BaseOts b = base_ots(11);
  Prg roots(seed_from_u64(12)), other_roots(seed_from_u64(13));
  SoftSpokenReceiver receiver(4, b.pairs, roots);
  SoftSpokenReceiver other(4, b.pairs, other_roots);
  SoftSpokenSender sender(4, b.delta, b.chosen, other.setup_message());
  std::vector<std::uint8_t> choices(16, 0), u(receiver.u_bytes(128));
  std::vector<Block> t(128), q(128);
  receiver.extend(choices.data(), 128, u.data(), t.data());
  sender.extend(u.data(), 128, q.data());
  std::size_t equal = 0;
  for (std::size_t i = 0; i < 128; ++i) equal += q[i] == t[i];
  EXPECT_EQ(equal, 0u);
}

using Param = std::tuple<int, int, CotJob::Mode>;  // k, threads, mode
class SoftSpokenChannel : public ::testing::TestWithParam<Param> {};

TEST_P(SoftSpokenChannel, ReceiverGetsTheChosenMessageBothWays) {
  const auto [k, threads, mode] = GetParam();
  const OtOptions options{.extension = Extension::kSoftSpoken, .k = k, .threads = threads};
  // Several chunks (chunk_ots(500) = 128 OTs) and counts that are not multiples of 128.
  for (const auto& [ots, width] : {std::pair<std::size_t, std::size_t>{3001, 1}, {700, 500}}) {
    auto r = testing::run_two<JobRecord>(
        [&](net::Network& network) { return run_job(network, mode, ots, width, 60 + k, options); });
    check(r[0], r[1], mode, ots, width);
    check(r[1], r[0], mode, ots, width);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryK, SoftSpokenChannel,
                         ::testing::Combine(::testing::Range(kMinSoftSpokenK, kMaxSoftSpokenK + 1),
                                            ::testing::Values(1, 2),
                                            ::testing::Values(CotJob::Mode::kRandom,
                                                              CotJob::Mode::kCorrelated,
                                                              CotJob::Mode::kGilboa)));

TEST(SoftSpokenChannel, CountsItsTrafficAndRounds) {
  for (int k : {2, 4, 8}) {
    auto r = testing::run_two<net::Traffic>([&](net::Network& network) {
      CotChannel channel(network, seed_from_u64(network.self()),
                         {.extension = Extension::kSoftSpoken, .k = k});
      const net::Traffic base = channel.traffic();
      EXPECT_EQ(base.rounds, 3u);  // base OTs (2) and the punctured-PRF set-up
      EXPECT_EQ(base.bytes_sent, 34u + 128u * 32u + 2u * 128u * 16u);
      channel.run(null_job(1024));
      EXPECT_EQ(channel.ots(), 2048u);
      return channel.traffic() - base;
    });
    for (const auto& t : r) {
      EXPECT_EQ(t.bytes_sent, 1024u * (128u / k / 8 + 8)) << "k = " << k;  // u and a correction
      EXPECT_EQ(t.rounds, 2u);
    }
  }
}

TEST(OtOptions, BadKAndThreadsAreRefusedWithTheSettingNamed) {
  for (int k : {-1, 0, 1, 9, 128}) {
    const OtOptions o{.extension = Extension::kSoftSpoken, .k = k};
    try {
      o.validate();
      ADD_FAILURE() << "k = " << k << " accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()),
                "SoftSpokenOT: 'ot_k' must be 2 to 8, not " + std::to_string(k));
    }
  }
  EXPECT_NO_THROW((OtOptions{.extension = Extension::kIknp, .k = 0}.validate()));  // k unused
  EXPECT_THROW((OtOptions{.threads = 3}.validate()), std::invalid_argument);
  EXPECT_THROW(parse_extension("ferret"), std::invalid_argument);
  EXPECT_EQ(parse_extension("iknp"), Extension::kIknp);
  EXPECT_EQ(parse_extension("softspoken"), Extension::kSoftSpoken);
  Prg prg(seed_from_u64(1));
  EXPECT_THROW(SoftSpokenReceiver(9, base_ots(1).pairs, prg), std::invalid_argument);
  // The channel refuses before any message is sent.
  testing::run_two<int>([](net::Network& network) {
    EXPECT_THROW(CotChannel(network, seed_from_u64(1), {.k = 1}), std::invalid_argument);
    EXPECT_EQ(network.traffic().bytes_sent, 0u);
    return 0;
  });
}

TEST(OtOptions, PartiesWithDifferentExtensionsStopAtTheFirstRound) {
  auto r = testing::run_two<std::string>([](net::Network& network) {
    const OtOptions mine = network.self() == 0 ? OtOptions{.k = 4} : OtOptions{.k = 8};
    try {
      CotChannel channel(network, seed_from_u64(network.self()), mine);
    } catch (const net::PeerError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  EXPECT_NE(r[0].find("the peer uses SoftSpokenOT k=8, this party SoftSpokenOT k=4"),
            std::string::npos)
      << r[0];
  EXPECT_NE(r[1].find("the peer uses SoftSpokenOT k=4"), std::string::npos) << r[1];
}

}  // namespace
}  // namespace jointly::ot
