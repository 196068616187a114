#include "net/network.h"

#include <gtest/gtest.h>

#include <thread>

#include "net/in_memory.h"

namespace jointly::net {
namespace {

TEST(Network, CountsRoundsBytesAndMessages) {
  constexpr int kParties = 3;
  InMemoryHub hub(kParties);
  std::vector<Traffic> traffic(kParties);
  std::vector<std::thread> threads;
  for (PartyId p = 0; p < kParties; ++p) {
    threads.emplace_back([&, p] {
      InMemoryTransport transport(hub, p);
      Network net(transport);
      std::vector<Bytes> out(kParties, Bytes(10, static_cast<std::uint8_t>(p)));
      const auto in = net.exchange(std::move(out));  // round 1: 2 x 10 bytes each way
      for (PartyId q = 0; q < kParties; ++q) {
        if (q != p) {
          EXPECT_EQ(in[q], Bytes(10, static_cast<std::uint8_t>(q)));
        }
      }
      net.broadcast(Bytes(5));                  // round 2: 2 x 5 bytes
      if (p == 0) net.send_round(1, Bytes(7));  // round 3 for party 0 only
      if (p == 1) {
        EXPECT_EQ(net.recv(0).size(), 7u);
      }
      traffic[p] = net.traffic();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(traffic[0].rounds, 3u);
  EXPECT_EQ(traffic[0].bytes_sent, 2 * 10 + 2 * 5 + 7u);
  EXPECT_EQ(traffic[0].messages_sent, 5u);
  EXPECT_EQ(traffic[1].rounds, 2u);
  EXPECT_EQ(traffic[1].bytes_received, 2 * 10 + 2 * 5 + 7u);
  EXPECT_EQ(traffic[1].messages_received, 5u);
  const Traffic delta = traffic[0] - traffic[2];
  EXPECT_EQ(delta.rounds, 1u);
}

TEST(Network, RejectsSelfAndOutOfRangePeers) {
  InMemoryHub hub(2);
  InMemoryTransport transport(hub, 0);
  Network net(transport);
  EXPECT_THROW(net.send(0, Bytes{}), std::logic_error);
  EXPECT_THROW(net.send(2, Bytes{}), std::logic_error);
  EXPECT_THROW(net.exchange(std::vector<Bytes>(3)), std::logic_error);
}

}  // namespace
}  // namespace jointly::net
