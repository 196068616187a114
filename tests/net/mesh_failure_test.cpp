// Failures after or around start-up: strangers speaking garbage, silent peers, missing peers.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/frame.h"
#include "tests/net/mesh_harness.h"

namespace jointly::net {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;
using testing::make_consortium;
using testing::run_parties;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A raw TCP client: connects (retrying until the party listens) and writes `bytes`.
class RawClient {
 public:
  RawClient(std::uint16_t port, const Bytes& bytes) : socket_(io_) {
    const tcp::endpoint target(boost::asio::ip::make_address(testing::kLoopback), port);
    const auto give_up = std::chrono::steady_clock::now() + testing::kTestDeadline;
    boost::system::error_code ec;
    do {
      socket_.close(ec);
      socket_.connect(target, ec);
      if (ec) std::this_thread::sleep_for(10ms);
    } while (ec && std::chrono::steady_clock::now() < give_up);
    if (ec) throw std::runtime_error("raw client cannot connect: " + ec.message());
    boost::asio::write(socket_, boost::asio::buffer(bytes));
  }
  tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context io_;
  tcp::socket socket_;
};

Bytes header_bytes(const HeaderBytes& h) { return Bytes(h.begin(), h.end()); }

Bytes huge_length_header() {
  HeaderBytes h = encode_header(FrameKind::kData, 0);
  h[4] = h[5] = h[6] = h[7] = 0xFF;
  return header_bytes(h);
}

class GarbageAtStartUp : public ::testing::TestWithParam<bool> {};

TEST_P(GarbageAtStartUp, ListenerDropsStrangersAndStillConnectsTheRealPeer) {
  auto c = make_consortium(2, /*tls=*/GetParam());
  const std::uint16_t port = c.options[0].parties[0].port;
  std::vector<testing::PartyBody> bodies{[](MeshTransport& t) {
                                           t.send(1, Bytes(1000, 1));
                                           EXPECT_EQ(t.recv(1), Bytes(2000, 2));
                                         },
                                         [](MeshTransport& t) {
                                           t.send(0, Bytes(2000, 2));
                                           EXPECT_EQ(t.recv(0), Bytes(1000, 1));
                                         }};
  // The real peer (party 1) starts only after the strangers have hit party 0's port.
  std::promise<void> strangers_done;
  auto strangers = std::async(std::launch::async, [&] {
    const std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    RawClient junk(port, Bytes(http.begin(), http.end()));
    RawClient huge(port, huge_length_header());
    Hello lie;
    lie.party = 1;
    lie.agreement.fill(0x42);
    Bytes bogus_hello = header_bytes(encode_header(FrameKind::kHello, kHelloBytes));
    const HelloBytes hello = encode_hello(lie);
    bogus_hello.insert(bogus_hello.end(), hello.begin(), hello.end());
    bogus_hello.resize(bogus_hello.size() - 5);  // truncated, then silence
    RawClient truncated(port, bogus_hello);
    RawClient silent(port, Bytes{});  // connects and says nothing
    strangers_done.set_value();
    std::this_thread::sleep_for(500ms);  // keep them open while the real peer connects
  });
  auto party0 =
      std::async(std::launch::async, [&] { return run_parties({c.options[0]}, {bodies[0]}); });
  strangers_done.get_future().wait();
  auto party1 = run_parties({c.options[1]}, {bodies[1]});
  const auto out0 = party0.get();
  EXPECT_EQ(out0[0].error, "");
  EXPECT_EQ(party1[0].error, "");
  strangers.get();
}

INSTANTIATE_TEST_SUITE_P(TlsAndPlain, GarbageAtStartUp, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Tls" : "PlainTcp"; });

TEST(MeshFailure, MalformedFrameFromAConnectedPeerEndsItsSession) {
  // Plain TCP so that the test can speak the protocol by hand as party 1.
  auto c = make_consortium(2, /*tls=*/false);
  auto party0 = std::async(std::launch::async, [&] {
    return run_parties({c.options[0]}, {[](MeshTransport& t) {
                         EXPECT_EQ(t.recv(1), (Bytes{5, 5}));  // the good frame first
                         try {
                           t.recv(1);
                           ADD_FAILURE() << "garbage was delivered";
                         } catch (const PeerError& e) {
                           EXPECT_EQ(e.peer(), 1);
                           EXPECT_TRUE(contains(e.what(), "hospital-b sent a malformed frame"))
                               << e.what();
                         }
                       }});
  });
  Hello hello;
  hello.party = 1;
  hello.agreement = c.options[1].agreement;
  Bytes wire = header_bytes(encode_header(FrameKind::kHello, kHelloBytes));
  const HelloBytes h = encode_hello(hello);
  wire.insert(wire.end(), h.begin(), h.end());
  const Bytes good = header_bytes(encode_header(FrameKind::kData, 2));
  wire.insert(wire.end(), good.begin(), good.end());
  wire.insert(wire.end(), {5, 5});
  const Bytes huge = huge_length_header();
  wire.insert(wire.end(), huge.begin(), huge.end());
  RawClient fake_party1(c.options[0].parties[0].port, wire);
  HelloBytes their_hello{};
  HeaderBytes their_header{};
  boost::asio::read(fake_party1.socket(), boost::asio::buffer(their_header));
  boost::asio::read(fake_party1.socket(), boost::asio::buffer(their_hello));
  EXPECT_EQ(decode_hello(their_hello).party, 0);
  EXPECT_EQ(party0.get()[0].error, "");
}

TEST(MeshFailure, SilentPeerRaisesPeerErrorNamingItWithinTheTimeout) {
  constexpr auto kTimeout = 500ms;
  constexpr auto kSlack = 1000ms;
  auto c = make_consortium(2);
  for (auto& o : c.options) o.timeout = kTimeout;
  std::promise<void> checked;
  auto checked_future = checked.get_future().share();
  std::vector<testing::PartyBody> bodies{
      [&](MeshTransport& t) {
        const auto start = std::chrono::steady_clock::now();
        try {
          t.recv(1);
          ADD_FAILURE() << "recv from a silent peer returned";
        } catch (const PeerError& e) {
          const auto waited = std::chrono::steady_clock::now() - start;
          EXPECT_EQ(e.peer(), 1);
          EXPECT_TRUE(contains(e.what(), "hospital-b sent nothing")) << e.what();
          EXPECT_GE(waited, kTimeout);
          EXPECT_LT(waited, kTimeout + kAbortGrace + kSlack);  // grace: see link.h
        }
        checked.set_value();
      },
      [&](MeshTransport&) { checked_future.wait(); }};  // connected, but says nothing
  for (const auto& o : run_parties(c.options, bodies)) EXPECT_EQ(o.error, "");
}

// A party that stops because of somebody else says why, so its peers do not blame it.
TEST(MeshFailure, AnAbortingPeerPassesOnTheRealCause) {
  auto c = make_consortium(3);
  std::vector<testing::PartyBody> bodies{
      [&](MeshTransport& t) {
        try {
          t.recv(1);
          ADD_FAILURE() << "recv from an aborting peer returned";
        } catch (const PeerError& e) {
          EXPECT_EQ(e.peer(), 1);
          EXPECT_TRUE(contains(e.what(), "hospital-b stopped: hospital-c sent nothing"))
              << e.what();
        }
      },
      [&](MeshTransport& t) { t.abort_session("hospital-c sent nothing for 3000 ms"); },
      [&](MeshTransport&) {}};
  for (const auto& o : run_parties(c.options, bodies)) EXPECT_EQ(o.error, "");
}

// hospital-c goes silent. hospital-b starts waiting on it 1.5 s after hospital-a started
// waiting on hospital-b: without keep-alives, a's timeout (2 s) plus the abort grace (1 s) ends
// before b's own timeout on c (1.5 + 2 + 1 s), and a would blame the honest b. b's keep-alives
// while it waits keep a waiting until b's abort names c.
TEST(MeshFailure, AWaitingPeerIsNotBlamedForAThirdPartysSilence) {
  constexpr auto kTimeout = 2000ms;
  auto c = make_consortium(3);
  for (auto& o : c.options) o.timeout = kTimeout;
  std::promise<void> done;
  auto done_future = done.get_future().share();
  std::vector<testing::PartyBody> bodies{
      [&](MeshTransport& t) {
        try {
          t.recv(1);
          ADD_FAILURE() << "recv from an aborting peer returned";
        } catch (const PeerError& e) {
          EXPECT_EQ(e.peer(), 1);
          EXPECT_TRUE(contains(e.what(), "hospital-b stopped: hospital-c sent nothing"))
              << e.what();
        }
        done.set_value();
      },
      [&](MeshTransport& t) {
        std::this_thread::sleep_for(1500ms);  // computing: a's wait on us has begun
        try {
          t.recv(2);
          ADD_FAILURE() << "recv from a silent peer returned";
        } catch (const PeerError& e) {
          t.abort_session(e.what());
        }
        done_future.wait();
      },
      [&](MeshTransport&) { done_future.wait(); }};  // connected, but says nothing
  for (const auto& o : run_parties(c.options, bodies)) EXPECT_EQ(o.error, "");
}

TEST(MeshFailure, AbortFrameReasonIsBounded) {
  HeaderBytes h = encode_header(FrameKind::kAbort, kMaxAbortReasonBytes);
  EXPECT_EQ(decode_header(h).kind, FrameKind::kAbort);
  h = encode_header(FrameKind::kAbort, kMaxAbortReasonBytes + 1);
  EXPECT_THROW(decode_header(h), FrameError);
}

TEST(MeshFailure, DeadlineErrorNamesThePartiesNeverReached) {
  constexpr auto kDeadline = 1000ms;
  auto c = make_consortium(3);
  for (auto& o : c.options) o.connect_deadline = kDeadline;
  // hospital-c (party 2) never starts. Party 0 waits for it to dial; party 1 too.
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_parties({c.options[0], c.options[1]}, {nullptr, nullptr});
  const auto waited = std::chrono::steady_clock::now() - start;
  for (const auto& o : out) {
    EXPECT_FALSE(o.connected);
    EXPECT_TRUE(contains(o.error, "not reached:")) << o.error;
    EXPECT_TRUE(contains(o.error, "hospital-c (party 2) never connected")) << o.error;
    EXPECT_FALSE(contains(o.error, "hospital-a (party 0)") &&
                 contains(o.error, "hospital-b (party 1)"))
        << o.error;
  }
  EXPECT_GE(waited, kDeadline);
  EXPECT_LT(waited, kDeadline + 2s);
}

TEST(MeshFailure, DeadlineErrorOfADialerSaysWhyTheDialFailed) {
  auto c = make_consortium(2);
  c.options[1].connect_deadline = 600ms;
  const auto out = run_parties({c.options[1]}, {nullptr});  // hospital-a is not running
  EXPECT_TRUE(contains(out[0].error, "hospital-a (party 0), dialed at 127.0.0.1:")) << out[0].error;
  EXPECT_TRUE(contains(out[0].error, "refused")) << out[0].error;
}

TEST(MeshFailure, PortAlreadyInUseIsAClearError) {
  auto c = make_consortium(2);
  boost::asio::io_context io;
  tcp::acceptor squatter(
      io, {boost::asio::ip::make_address(testing::kLoopback), c.options[0].parties[0].port});
  try {
    connect_mesh(c.options[0]);
    FAIL() << "listened on a port in use";
  } catch (const ListenError& e) {  // jointly-party: exit code 1, not a peer's failure
    EXPECT_TRUE(contains(e.what(), "hospital-a cannot listen on 127.0.0.1:")) << e.what();
  }
}

}  // namespace
}  // namespace jointly::net
