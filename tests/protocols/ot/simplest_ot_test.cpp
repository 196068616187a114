#include "protocols/ot/base/simplest_ot.h"

#include <gtest/gtest.h>

#include "tests/protocols/ot/two_party.h"

namespace jointly::ot {
namespace {

struct BaseOut {
  std::vector<BlockPair> pairs;  // sender (party 0)
  std::vector<Block> keys;       // receiver (party 1)
};

constexpr std::size_t kCount = 128;

BaseOut run_base_ots(const std::array<std::uint8_t, kCount / 8>& choices, std::uint64_t seed) {
  auto out = testing::run_two<BaseOut>([&](net::Network& network) {
    Prg prg(seed_from_u64(seed + network.self()));
    BaseOut o;
    if (network.self() == 0) {
      SimplestOtSender sender(prg);
      network.send_round(1, sender.first_message());
      o.pairs = sender.keys(network.gather()[1], kCount, 1);
    } else {
      SimplestOtReceiver receiver(prg, choices, kCount);
      network.send_round(0, receiver.reply(network.gather()[0], 0));
      o.keys = receiver.keys();
    }
    return o;
  });
  return {out[0].pairs, out[1].keys};
}

TEST(SimplestOt, ReceiverGetsTheChosenKeyOnly) {
  std::array<std::uint8_t, kCount / 8> choices;
  Prg(seed_from_u64(1)).fill(choices);
  const BaseOut o = run_base_ots(choices, 10);
  ASSERT_EQ(o.pairs.size(), kCount);
  ASSERT_EQ(o.keys.size(), kCount);
  int ones = 0;
  for (std::size_t i = 0; i < kCount; ++i) {
    const int c = get_bit(choices.data(), i);
    ones += c;
    EXPECT_EQ(o.keys[i], o.pairs[i][c]) << "OT " << i;
    EXPECT_NE(o.keys[i], o.pairs[i][1 - c]) << "OT " << i;
    EXPECT_NE(o.pairs[i][0], o.pairs[i][1]);
  }
  EXPECT_GT(ones, 32);
  EXPECT_LT(ones, 96);
}

TEST(SimplestOt, RejectsAMalformedReply) {
  EXPECT_THROW(testing::run_two<int>([](net::Network& network) {
                 Prg prg(seed_from_u64(network.self()));
                 if (network.self() == 0) {
                   SimplestOtSender sender(prg);
                   net::Bytes bogus(kCount * 32, 0xff);  // not a canonical ristretto255 encoding
                   sender.keys(bogus, kCount, 1);
                 }
                 return 0;
               }),
               net::PeerError);
}

}  // namespace
}  // namespace jointly::ot
