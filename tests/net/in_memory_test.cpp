#include "net/in_memory.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace jointly::net {
namespace {

using namespace std::chrono_literals;

TEST(InMemoryTransport, DeliversInOrderPerPair) {
  InMemoryHub hub(3, 1s);
  InMemoryTransport a(hub, 0), b(hub, 1), c(hub, 2);
  a.send(1, Bytes{1});
  a.send(1, Bytes{2, 2});
  c.send(1, Bytes{3});
  a.send(2, Bytes{});
  EXPECT_EQ(b.recv(0), (Bytes{1}));
  EXPECT_EQ(b.recv(2), (Bytes{3}));
  EXPECT_EQ(b.recv(0), (Bytes{2, 2}));
  EXPECT_EQ(c.recv(0), Bytes{});
  EXPECT_EQ(a.self(), 0);
  EXPECT_EQ(a.parties(), 3);
}

TEST(InMemoryTransport, ChannelsKeepTheirOwnOrder) {
  InMemoryHub hub(2, 1s);
  InMemoryTransport a(hub, 0), b(hub, 1);
  const auto a1 = a.open_channel(1), b1 = b.open_channel(1);
  a1->send(1, Bytes{10});
  a.send(1, Bytes{0});
  a1->send(1, Bytes{11});
  EXPECT_EQ(b.recv(0), (Bytes{0}));  // channel 0 does not see channel 1's earlier message
  EXPECT_EQ(b1->recv(0), (Bytes{10}));
  EXPECT_EQ(b1->recv(0), (Bytes{11}));
  EXPECT_THROW(a.open_channel(0), std::invalid_argument);  // channel 0 is the transport
  EXPECT_THROW(a.open_channel(kChannels), std::invalid_argument);
}

TEST(InMemoryTransport, SilentPeerTimesOutNamingIt) {
  InMemoryHub hub(2, 50ms);
  InMemoryTransport a(hub, 0);
  const auto start = std::chrono::steady_clock::now();
  try {
    a.recv(1);
    FAIL() << "recv from a silent peer returned";
  } catch (const PeerError& e) {
    EXPECT_EQ(e.peer(), 1);
    EXPECT_NE(std::string(e.what()).find("party 1"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(InMemoryTransport, AbortWakesBlockedReceiver) {
  InMemoryHub hub(2, 10s);
  InMemoryTransport a(hub, 0);
  std::thread killer([&] {
    std::this_thread::sleep_for(20ms);
    hub.abort(1, "crashed");
  });
  EXPECT_THROW(a.recv(1), PeerError);
  killer.join();
}

}  // namespace
}  // namespace jointly::net
