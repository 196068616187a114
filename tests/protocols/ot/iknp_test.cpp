#include <gtest/gtest.h>

#include <mutex>

#include "protocols/ot/extension/cot_channel.h"
#include "protocols/ot/extension/transpose.h"
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

// What each party saw of one job, for checking against the definition.
struct JobRecord {
  std::vector<std::uint8_t> choices;
  std::vector<Ring> delta, x0, x1, y;
};

JobRecord run_job(net::Network& network, CotJob::Mode mode, std::size_t ots, std::size_t width,
                  std::uint64_t seed) {
  CotChannel channel(network, seed_from_u64(seed + network.self()));
  Prg prg(seed_from_u64(seed + 10 + network.self()));
  JobRecord r;
  r.choices.resize((ots + 7) / 8);
  prg.fill(r.choices);
  r.delta.resize(ots * width);
  prg.fill({reinterpret_cast<std::uint8_t*>(r.delta.data()), r.delta.size() * sizeof(Ring)});
  r.x0.resize(ots * width);
  r.x1.resize(ots * width);
  r.y.resize(ots * width);
  CotJob job;
  job.mode = mode;
  job.width = width;
  job.recv_ots = job.send_ots = ots;
  job.choices = [&](std::size_t first, std::size_t count, std::uint8_t* bits) {
    for (std::size_t t = 0; t < count; ++t) {
      bits[t / 8] |= static_cast<std::uint8_t>(get_bit(r.choices.data(), first + t) << (t % 8));
    }
  };
  job.correlations = [&](std::size_t first, std::size_t count, Ring* delta) {
    std::copy_n(r.delta.begin() + first * width, count * width, delta);
  };
  job.received = [&](std::size_t first, std::size_t count, const Ring* y) {
    std::copy_n(y, count * width, r.y.begin() + first * width);
  };
  job.sent = [&](std::size_t first, std::size_t count, const Ring* x0, const Ring* x1) {
    std::copy_n(x0, count * width, r.x0.begin() + first * width);
    if (x1 != nullptr) std::copy_n(x1, count * width, r.x1.begin() + first * width);
  };
  std::uint64_t last = 0;
  channel.run(job, [&](std::uint64_t done, std::uint64_t total) {
    EXPECT_GE(done, last);
    EXPECT_LE(done, total);
    last = done;
  });
  EXPECT_EQ(last, 2 * ots);
  return r;
}

// Checks party `recv`'s outputs against party `send`'s for every OT.
void check(const JobRecord& send, const JobRecord& recv, CotJob::Mode mode, std::size_t ots,
           std::size_t width) {
  for (std::size_t i = 0; i < ots; ++i) {
    const bool c = get_bit(recv.choices.data(), i);
    const unsigned keep = mode == CotJob::Mode::kGilboa ? 64 - i % 64 : 64;
    const Ring mask = keep == 64 ? ~Ring{0} : (Ring{1} << keep) - 1;
    for (std::size_t l = 0; l < width; ++l) {
      const std::size_t e = i * width + l;
      if (mode == CotJob::Mode::kRandom) {
        ASSERT_EQ(recv.y[e], c ? send.x1[e] : send.x0[e]) << "OT " << i;
        ASSERT_NE(send.x0[e], send.x1[e]);
      } else {
        ASSERT_EQ((recv.y[e] - send.x0[e]) & mask, (c ? send.delta[e] : 0) & mask)
            << "OT " << i << " element " << l;
      }
    }
  }
}

class CotChannelTest
    : public ::testing::TestWithParam<std::tuple<CotJob::Mode, std::size_t, std::size_t>> {};

TEST_P(CotChannelTest, ReceiverGetsTheChosenMessageBothWays) {
  const auto [mode, ots, width] = GetParam();
  auto r = testing::run_two<JobRecord>(
      [&](net::Network& network) { return run_job(network, mode, ots, width, 40); });
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
    CotChannel channel(network, seed_from_u64(network.self()));
    const net::Traffic base = channel.traffic();
    EXPECT_EQ(base.rounds, 2u);
    EXPECT_EQ(base.bytes_sent, 32u + 128u * 32u);
    CotJob job;
    job.mode = CotJob::Mode::kCorrelated;
    job.recv_ots = job.send_ots = 1024;
    job.choices = [](std::size_t, std::size_t, std::uint8_t*) {};
    job.correlations = [](std::size_t, std::size_t count, Ring* d) { std::fill_n(d, count, 7); };
    job.received = [](std::size_t, std::size_t, const Ring*) {};
    job.sent = [](std::size_t, std::size_t, const Ring*, const Ring*) {};
    channel.run(job);
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
