// The mesh doing its job: every pair connected, messages of every size delivered intact.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "net/network.h"
#include "tests/net/mesh_harness.h"

namespace jointly::net {
namespace {

using namespace std::chrono_literals;
using testing::make_consortium;
using testing::run_parties;

constexpr std::size_t kLargeMessageBytes = std::size_t{64} << 20;

// Content depends on position, sender and receiver, so a reordered, truncated or misrouted
// byte shows up.
std::uint8_t pattern(std::size_t i, PartyId from, PartyId to) {
  return static_cast<std::uint8_t>(i * 131 + static_cast<std::size_t>(from) * 7 +
                                   static_cast<std::size_t>(to));
}

Bytes make_message(std::size_t size, PartyId from, PartyId to) {
  Bytes data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = pattern(i, from, to);
  return data;
}

bool is_message(const Bytes& data, std::size_t size, PartyId from, PartyId to) {
  if (data.size() != size) return false;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] != pattern(i, from, to)) return false;
  }
  return true;
}

class MeshExchange : public ::testing::TestWithParam<bool> {};

TEST_P(MeshExchange, ThreePartiesExchangeLargeAndEmptyMessages) {
  const bool tls = GetParam();
  constexpr int kParties = 3;
  auto consortium = make_consortium(kParties, tls);
  std::vector<testing::PartyBody> bodies;
  for (PartyId p = 0; p < kParties; ++p) {
    bodies.push_back([p, tls](MeshTransport& t) {
      EXPECT_EQ(t.self(), p);
      EXPECT_EQ(t.encrypted(), tls);
      // Everyone sends before anyone receives: the send must not wait for the peer to read.
      for (PartyId q = 0; q < kParties; ++q) {
        if (q == p) continue;
        t.send(q, make_message(kLargeMessageBytes, p, q));
        t.send(q, Bytes{});
        t.send(q, make_message(3, p, q));
      }
      for (PartyId q = 0; q < kParties; ++q) {
        if (q == p) continue;
        EXPECT_TRUE(is_message(t.recv(q), kLargeMessageBytes, q, p)) << "from " << q;
        EXPECT_TRUE(t.recv(q).empty());
        EXPECT_TRUE(is_message(t.recv(q), 3, q, p));
        const WireCounters wire = t.wire(q);
        EXPECT_GE(wire.bytes_received, kLargeMessageBytes + 3 + 3 * kFrameHeaderBytes);
      }
    });
  }
  const auto outcomes = run_parties(consortium.options, bodies);
  for (PartyId p = 0; p < kParties; ++p) {
    EXPECT_TRUE(outcomes[p].connected) << p << ": " << outcomes[p].error;
    EXPECT_EQ(outcomes[p].error, "") << p;
  }
}

INSTANTIATE_TEST_SUITE_P(TlsAndPlain, MeshExchange, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Tls" : "PlainTcp"; });

TEST(Mesh, NetworkRoundsOverTls) {
  constexpr int kParties = 3;
  constexpr int kRounds = 20;
  auto consortium = make_consortium(kParties);
  std::vector<testing::PartyBody> bodies;
  for (PartyId p = 0; p < kParties; ++p) {
    bodies.push_back([p](MeshTransport& t) {
      Network net(t);
      for (int r = 0; r < kRounds; ++r) {
        const auto in =
            net.broadcast(Bytes(static_cast<std::size_t>(r), static_cast<std::uint8_t>(p)));
        for (PartyId q = 0; q < kParties; ++q) {
          if (q != p) {
            EXPECT_EQ(in[q], Bytes(static_cast<std::size_t>(r), static_cast<std::uint8_t>(q)));
          }
        }
      }
      EXPECT_EQ(net.traffic().rounds, static_cast<std::uint64_t>(kRounds));
      EXPECT_EQ(t.peer_name((p + 1) % kParties),
                "hospital-" + std::string(1, static_cast<char>('a' + (p + 1) % kParties)));
    });
  }
  for (const auto& o : run_parties(consortium.options, bodies)) EXPECT_EQ(o.error, "");
}

// Two threads of each party talk at once, one on channel 0 and one on channel 1, with
// messages of different sizes: each stream arrives whole and in order, as if alone.
TEST(Mesh, ChannelsCarryIndependentStreamsFromTwoThreads) {
  constexpr int kParties = 2;
  constexpr int kRounds = 50;
  auto consortium = make_consortium(kParties);
  std::vector<testing::PartyBody> bodies;
  for (PartyId p = 0; p < kParties; ++p) {
    bodies.push_back([p](MeshTransport& t) {
      const PartyId peer = 1 - p;
      const auto talk = [&](Transport& channel, std::size_t scale) {
        Network net(channel);
        for (int r = 0; r < kRounds; ++r) {
          const std::size_t size = scale * static_cast<std::size_t>(r + 1);
          std::vector<Bytes> out(kParties);
          out[peer] = make_message(size, p, peer);
          const auto in = net.exchange(std::move(out));
          EXPECT_TRUE(is_message(in[peer], size, peer, p)) << "round " << r << " size " << size;
        }
      };
      const auto background = t.open_channel(1);
      std::thread other([&] { talk(*background, 4099); });
      talk(t, 7);
      other.join();
    });
  }
  for (const auto& o : run_parties(consortium.options, bodies)) EXPECT_EQ(o.error, "");
}

TEST(Mesh, DialerRetriesUntilTheListenerStarts) {
  auto consortium = make_consortium(2);
  std::vector<testing::PartyBody> bodies{[](MeshTransport& t) { EXPECT_EQ(t.recv(1), (Bytes{7})); },
                                         [](MeshTransport& t) { t.send(0, Bytes{7}); }};
  // Party 0 listens; it starts late, so party 1's first dials are refused and retried.
  const auto outcomes = run_parties(consortium.options, bodies, {700ms, 0ms});
  for (const auto& o : outcomes) EXPECT_EQ(o.error, "");
}

constexpr auto kLatency = 40ms;
constexpr int kPingPongs = 3;

TEST(Mesh, LatencyEmulationDelaysEveryRound) {
  auto consortium = make_consortium(2);
  for (auto& o : consortium.options) o.latency = kLatency;
  std::vector<testing::PartyBody> bodies{[](MeshTransport& t) {
                                           const auto start = std::chrono::steady_clock::now();
                                           for (int i = 0; i < kPingPongs; ++i) {
                                             t.send(1, Bytes{1});
                                             t.recv(1);
                                           }
                                           EXPECT_GE(std::chrono::steady_clock::now() - start,
                                                     2 * kPingPongs * kLatency);
                                         },
                                         [](MeshTransport& t) {
                                           for (int i = 0; i < kPingPongs; ++i)
                                             t.send(0, t.recv(0));
                                         }};
  for (const auto& o : run_parties(consortium.options, bodies)) EXPECT_EQ(o.error, "");
}

TEST(Mesh, PeerThatClosedItsSessionIsReportedByName) {
  auto consortium = make_consortium(2);
  std::vector<testing::PartyBody> bodies{
      [](MeshTransport& t) {
        EXPECT_EQ(t.recv(1), (Bytes{9}));  // sent before the goodbye: still delivered
        try {
          t.recv(1);
          ADD_FAILURE() << "recv after the peer closed returned";
        } catch (const PeerError& e) {
          EXPECT_EQ(e.peer(), 1);
          EXPECT_NE(std::string(e.what()).find("hospital-b"), std::string::npos) << e.what();
        }
      },
      [](MeshTransport& t) { t.send(0, Bytes{9}); }};  // then destroyed: goodbye
  for (const auto& o : run_parties(consortium.options, bodies)) EXPECT_EQ(o.error, "");
}

}  // namespace
}  // namespace jointly::net
