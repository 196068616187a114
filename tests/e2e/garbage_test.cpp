// End to end, issue 4 test 5: strangers connecting to a listening party and sending garbage,
// an oversized length, or nothing at all must neither crash nor hang it; the real run then
// completes normally.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>

#include "consortium_fixture.h"

namespace jointly::e2e {
namespace {

// A raw TCP connection to 127.0.0.1:port; -1 if nobody listens.
int connect_raw(std::uint16_t port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(s);
    return -1;
  }
  return s;
}

void send_all(int s, const std::vector<std::uint8_t>& bytes) {
  // A refused or reset connection is fine: the party may hang up on us at any point.
  (void)::send(s, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

class GarbageTest : public ConsortiumTest, public ::testing::WithParamInterface<bool> {};

TEST_P(GarbageTest, StrangersDoNotCrashOrHangAListeningParty) {
  ConsortiumSpec spec;
  spec.tls = GetParam();
  spec.timeout_s = 5;
  spec.connect_timeout_s = 15;
  make_consortium(spec);
  ASSERT_FALSE(HasFatalFailure());
  children_.push_back(start_party(0));  // a listens for b and c

  int probe = -1;
  const auto start = std::chrono::steady_clock::now();
  while ((probe = connect_raw(ports_[0])) < 0) {
    ASSERT_LT(seconds_since(start), 10) << "hospital-a never listened\n" << logs();
    ASSERT_FALSE(children_[0].poll()) << logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<int> held = {probe};  // connected and silent until the end

  // Garbage, then hang up.
  int s = connect_raw(ports_[0]);
  ASSERT_GE(s, 0);
  std::vector<std::uint8_t> garbage(4096);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::uint8_t>(i * 131 + 7);
  send_all(s, garbage);
  ::close(s);
  // A jointly frame header (magic 0xA7, hello and data kinds) announcing 4 GiB - 1, held open.
  for (std::uint8_t kind : {1, 2}) {
    s = connect_raw(ports_[0]);
    ASSERT_GE(s, 0);
    send_all(s, {0xA7, kind, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF});
    held.push_back(s);
  }
  // A TLS record header announcing a maximal handshake record, then a few bytes, held open.
  s = connect_raw(ports_[0]);
  ASSERT_GE(s, 0);
  send_all(s, {0x16, 0x03, 0x01, 0xFF, 0xFF, 0x01, 0x00, 0xFF, 0xFC});
  held.push_back(s);
  // Half a header, held open.
  s = connect_raw(ports_[0]);
  ASSERT_GE(s, 0);
  send_all(s, {0xA7, 0x01, 0x00});
  held.push_back(s);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_FALSE(children_[0].poll()) << "hospital-a died of garbage\n" << logs();

  // Now the real peers: the run must complete as usual.
  children_.push_back(start_party(1));
  children_.push_back(start_party(2));
  const std::vector<int> codes = wait_all(std::chrono::seconds(30));
  for (int h : held) ::close(h);
  ASSERT_EQ(codes, (std::vector<int>{0, 0, 0})) << logs();
  // The run is undisturbed: graded by the test's own plaintext reference of the same spec.
  expect_matches_reference(result_of(0), spec_);
}

INSTANTIATE_TEST_SUITE_P(Transport, GarbageTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Tls" : "PlainTcp"; });

}  // namespace
}  // namespace jointly::e2e
