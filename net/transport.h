// The whole contract between the protocols and the wire: authenticated, ordered, reliable
// point-to-point byte channels from this party to every peer.
//
// Implementations: InMemoryTransport (threads and queues, for tests and benches without
// sockets) and the TCP/TLS mesh (net/tcp). Protocols never talk to a Transport directly;
// they go through net::Network, which counts bytes and rounds in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace jointly::net {

using PartyId = int;
using Bytes = std::vector<std::uint8_t>;

// Largest payload one frame may carry. A batch of shares larger than this is a programming
// error in the caller (split it), and a peer announcing a larger frame is hostile or broken.
inline constexpr std::size_t kMaxFrameBytes = std::size_t{1} << 30;  // 1 GiB

// Raised when a peer is gone, silent beyond the timeout, or speaks garbage. The message names
// the peer; `peer()` lets callers report it without parsing text.
class PeerError : public std::runtime_error {
 public:
  PeerError(PartyId peer, const std::string& what) : std::runtime_error(what), peer_(peer) {}
  PartyId peer() const { return peer_; }

 private:
  PartyId peer_;
};

// Independent message streams over the same connections: a message sent on channel c is
// received only by a receive on channel c, in order. Channel 0 is the transport itself; the
// others let a second thread of the party (the OT offline phase making the next epoch's
// triples while this one trains) talk to its peers without interleaving with the protocol.
inline constexpr int kChannels = 4;

class Transport {
 public:
  virtual ~Transport() = default;

  virtual PartyId self() const = 0;
  virtual int parties() const = 0;

  // Queues `data` for `peer`. May return before the bytes are on the wire; an implementation
  // that buffers must flush before any blocking receive so that two parties that both send
  // and then receive never deadlock.
  virtual void send(PartyId peer, Bytes data) = 0;

  // Blocks until the next message from `peer` arrives. Throws PeerError if the peer is lost,
  // silent for longer than the timeout, or sends a malformed or oversized frame.
  virtual Bytes recv(PartyId peer) = 0;

  // Tells every peer that this party stops because of `reason` (typically another peer's
  // failure), so that a party waiting on us reports the real cause rather than blaming us.
  // Best effort; the default (in-process hub) has nothing to do.
  virtual void abort_session(const std::string& reason) { (void)reason; }

  // Name used in error messages and logs ("hospital-a", or "party 2" when unnamed).
  virtual std::string peer_name(PartyId peer) const { return "party " + std::to_string(peer); }

  // Channel `channel` (1 .. kChannels - 1) of this transport, as a transport of its own: same
  // parties, its own message order. It may be used from another thread than channel 0 and
  // must not outlive this transport. Throws std::invalid_argument on a bad number and
  // std::logic_error if this transport has no channels.
  std::unique_ptr<Transport> open_channel(int channel);

 protected:
  // send()/recv() on a channel; channel 0 is send()/recv(). Transports with channels override.
  virtual void send_on(int channel, PartyId peer, Bytes data);
  virtual Bytes recv_on(int channel, PartyId peer);

  friend class ChannelTransport;
};

}  // namespace jointly::net
