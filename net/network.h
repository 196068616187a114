// net::Network: the one place where bytes and rounds are counted.
//
// A round is one step of communication that a party must wait for: everything a party sends
// before its next blocking receive belongs to the same round. Protocols express each round as
// one call (exchange, broadcast, send_round/gather), so the counters equal the rounds of the
// protocol as written in docs/cost.md, and tests can assert them exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "net/transport.h"

namespace jointly::net {

struct Traffic {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t rounds = 0;

  Traffic operator-(const Traffic& before) const;
  Traffic& operator+=(const Traffic& other);
};

class Network {
 public:
  explicit Network(Transport& transport) : transport_(transport) {}
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  PartyId self() const { return transport_.self(); }
  int parties() const { return transport_.parties(); }
  std::string peer_name(PartyId peer) const { return transport_.peer_name(peer); }

  // One round: sends out[p] to every peer p (out[self] is ignored) and returns what each peer
  // sent in the same round (result[self] is empty). out.size() must equal parties().
  std::vector<Bytes> exchange(std::vector<Bytes> out);

  // One round: sends the same bytes to every peer, returns what each peer broadcast.
  std::vector<Bytes> broadcast(Bytes data);

  // One round in which this party only sends (to one peer) ...
  void send_round(PartyId to, Bytes data);
  // ... or only receives, one message from each peer (result[self] is empty).
  std::vector<Bytes> gather();

  // Uncounted-round primitives for set-up steps that the caller accounts for with
  // count_round(); bytes are still counted.
  void send(PartyId to, Bytes data);
  Bytes recv(PartyId from);
  void count_round() { ++traffic_.rounds; }

  const Traffic& traffic() const { return traffic_; }

 private:
  Transport& transport_;
  Traffic traffic_;
};

}  // namespace jointly::net
