#include <gtest/gtest.h>

#include <mutex>

#include "protocols/ot/extension/cot_channel.h"
#include "protocols/ot/extension/transpose.h"
#include "tests/protocols/ot/cot_job.h"
#include "tests/protocols/ot/two_party.h"

namespace jointly::ot {
namespace {

TEST(Transpose, MovesEveryBit) {
  const std::size_t n = 384;
  std::vector<std::uint8_t> in(kBaseOts * n / 8);
  Prg(seed_from_u64(3)).fill(in);
  std::vector<Block> out(n);
  transpose_128xn(in.data(), n, out.data());
  for (std::size_t j = 0; j < kBaseOts; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[i].bit(j), get_bit(in.data() + j * n / 8, i)) << "row " << j << " col " << i;
    }
  }
}

class CotChannelTest
    : public ::testing::TestWithParam<std::tuple<CotJob::Mode, std::size_t, std::size_t>> {};

TEST_P(CotChannelTest, ReceiverGetsTheChosenMessageBothWays) {
  const auto [mode, ots, width] = GetParam();
  auto r = testing::run_two<JobRecord>(
      [&](net::Network& network) { return run_job(network, mode, ots, width, 40, kIknp); });
  check(r[0], r[1], mode, ots, width);
  check(r[1], r[0], mode, ots, width);
}

// Widths that make several chunks (chunk = 2^20 / width OTs) and counts that are not
// multiples of 128.
INSTANTIATE_TEST_SUITE_P(
    Modes, CotChannelTest,
    ::testing::Values(std::tuple{CotJob::Mode::kRandom, std::size_t{5000}, std::size_t{1}},
                      std::tuple{CotJob::Mode::kCorrelated, std::size_t{3001}, std::size_t{1}},
                      std::tuple{CotJob::Mode::kCorrelated, std::size_t{2500}, std::size_t{700}},
                      std::tuple{CotJob::Mode::kGilboa, std::size_t{4160}, std::size_t{1}},
                      std::tuple{CotJob::Mode::kGilboa, std::size_t{3000}, std::size_t{500}}));

TEST(CotChannel, CountsItsTrafficAndRounds) {
  auto r = testing::run_two<net::Traffic>([](net::Network& network) {
    CotChannel channel(network, seed_from_u64(network.self()), kIknp);
    const net::Traffic base = channel.traffic();
    EXPECT_EQ(base.rounds, 2u);
    EXPECT_EQ(base.bytes_sent, 34u + 128u * 32u);  // A and the options; 128 points
    channel.run(null_job(1024));
    EXPECT_EQ(channel.traffic().bytes_sent, network.traffic().bytes_sent);
    return channel.traffic() - base;
  });
  for (const auto& t : r) {
    EXPECT_EQ(t.bytes_sent, 1024u * (16 + 8));  // a row of u and a correction per OT
    EXPECT_EQ(t.rounds, 2u);                    // one chunk: u, then the corrections
  }
}

}  // namespace
}  // namespace jointly::ot
