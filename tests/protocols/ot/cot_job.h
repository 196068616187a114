// One correlated-OT job run both ways between two in-process parties, and the check of every
// OT's outputs against the definition (shared by the IKNP and SoftSpokenOT tests).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "protocols/ot/extension/cot_channel.h"

namespace jointly::ot {

inline constexpr OtOptions kIknp{.extension = Extension::kIknp};

// What each party saw of one job, for checking against the definition.
struct JobRecord {
  std::vector<std::uint8_t> choices;
  std::vector<Ring> delta, x0, x1, y;
};

inline JobRecord run_job(net::Network& network, CotJob::Mode mode, std::size_t ots,
                         std::size_t width, std::uint64_t seed, const OtOptions& options) {
  CotChannel channel(network, seed_from_u64(seed + network.self()), options);
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
inline void check(const JobRecord& send, const JobRecord& recv, CotJob::Mode mode, std::size_t ots,
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

// A correlated job of `ots` OTs each way whose outputs nobody looks at (traffic tests).
inline CotJob null_job(std::size_t ots) {
  CotJob job;
  job.mode = CotJob::Mode::kCorrelated;
  job.recv_ots = job.send_ots = ots;
  job.choices = [](std::size_t, std::size_t, std::uint8_t*) {};
  job.correlations = [](std::size_t, std::size_t count, Ring* d) { std::fill_n(d, count, 7); };
  job.received = [](std::size_t, std::size_t, const Ring*) {};
  job.sent = [](std::size_t, std::size_t, const Ring*, const Ring*) {};
  return job;
}

}  // namespace jointly::ot
