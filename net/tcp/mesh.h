// The real network: one TCP connection per pair of parties, TLS 1.3 with mutual
// authentication against the consortium's pinned certificates, framed messages.
//
//   auto transport = net::connect_mesh(options);   // blocks until every pair is ready
//   net::Network network(*transport);
//
// Start-up (docs/net.md has the details):
//   1. Party i listens for parties j > i and dials parties j < i, retrying with back-off until
//      `connect_deadline`: exactly one connection per pair, whoever starts first.
//   2. TLS 1.3 handshake, both sides present their certificate; each side refuses a peer
//      whose certificate is not byte-identical to the one pinned for that party (unknown,
//      expired, or belonging to another party) before sending it any application byte.
//   3. Hello: both sides send (wire version, party id, agreement digest) before checking the
//      other's, so a config or schema mismatch is reported by both parties. On a mismatch both
//      also send their agreement detail, so that each can say what differs.
//
// Thread safety: send() and recv() may be called from one party thread (the protocol's);
// different peers may be served from different threads. An internal io thread does the I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/frame.h"
#include "net/tcp/secret.h"
#include "net/transport.h"

namespace jointly::net {

inline constexpr std::chrono::milliseconds kDefaultConnectDeadline{30000};
inline constexpr std::chrono::milliseconds kDefaultPeerTimeout{30000};

struct PeerEndpoint {
  std::string name;  // used in every error message ("hospital-b")
  std::string host;  // name or address this party is reached at
  std::uint16_t port = 0;
  std::string cert_pem;  // pinned certificate (PEM); required when tls is on
};

struct MeshOptions {
  PartyId self = 0;
  std::vector<PeerEndpoint> parties;  // all parties including self; index = PartyId
  SecretString key_pem;               // this party's private key (PEM), wiped on destruction
  // false: plain TCP, no authentication or encryption; for benchmarks and closed labs only
  // (the caller warns the user).
  bool tls = true;
  // Digest of the consortium config and data schema; every peer must present the same.
  std::array<std::uint8_t, kAgreementBytes> agreement{};
  // Sent only to a peer whose digest differs, after the hellos: an opaque description of what
  // the digest covers (at most kMaxAgreementDetailBytes, else std::invalid_argument), which
  // explain_disagreement on the other side compares with its own. Only a peer that passed
  // authentication (with TLS) receives it.
  std::string agreement_detail;
  // Turns a disagreeing peer's detail and its name into the error message reported for it
  // (this party's own detail is the caller's to capture). Unset, or when it throws or the
  // peer sent no detail: "config or data schema differs from <peer>'s (...)".
  std::function<std::string(const std::string& theirs, const std::string& peer)>
      explain_disagreement;
  std::chrono::milliseconds connect_deadline = kDefaultConnectDeadline;
  // A peer that sends nothing for this long while we wait for it is reported as failed.
  // Must exceed the longest local computation between two rounds.
  std::chrono::milliseconds timeout = kDefaultPeerTimeout;
  // One-way delay added to every received message (WAN emulation for jointly-bench).
  std::chrono::milliseconds latency{0};
  // Address to listen on; empty means the address `parties[self].host` resolves to. Set
  // "0.0.0.0" behind NAT or in a container where the public address is not local.
  std::string listen_address;
};

// Bytes on the wire per peer, frame headers included (TLS record overhead excluded).
// net::Network counts payload bytes and rounds; these show the framing cost on top.
struct WireCounters {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

class MeshTransport : public Transport {
 public:
  virtual WireCounters wire(PartyId peer) const = 0;
  virtual bool encrypted() const = 0;
};

// This party cannot listen on its own host:port (in use, or not a local address): a problem
// of this machine or its config, not of a peer.
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns once every pair of parties is connected, authenticated and agreed. Throws
// std::runtime_error naming the parties not reached at the deadline, or naming the peer on
// an authentication or agreement failure; ListenError if this party cannot listen;
// std::invalid_argument on bad options (own key does not match own certificate, duplicate
// certificates, self out of range, ...).
// Destroying the transport sends a goodbye to every peer after the queued messages.
std::unique_ptr<MeshTransport> connect_mesh(const MeshOptions& options);

}  // namespace jointly::net
