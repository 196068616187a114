// In-process transport: one queue per ordered pair of parties, for tests and benches that run
// every party as a thread of one process. Same contract as the socket transports, including
// the receive timeout and abort, so a protocol bug fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/transport.h"

namespace jointly::net {

class InMemoryHub {
 public:
  explicit InMemoryHub(int parties, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  int parties() const { return parties_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  // Wakes every blocked receiver with a PeerError naming `culprit`; later receives fail too.
  // Called when one party's thread dies so the others stop instead of waiting forever.
  void abort(PartyId culprit, const std::string& reason);

  void push(PartyId from, PartyId to, Bytes data, int channel = 0);
  Bytes pop(PartyId from, PartyId to, int channel = 0);

 private:
  struct Queue {
    std::deque<Bytes> messages;
  };
  Queue& queue(PartyId from, PartyId to, int channel) {
    return queues_[(from * parties_ + to) * kChannels + channel];
  }

  int parties_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Queue> queues_;
  bool aborted_ = false;
  PartyId culprit_ = -1;
  std::string reason_;
};

class InMemoryTransport final : public Transport {
 public:
  InMemoryTransport(InMemoryHub& hub, PartyId self) : hub_(hub), self_(self) {}

  PartyId self() const override { return self_; }
  int parties() const override { return hub_.parties(); }
  void send(PartyId peer, Bytes data) override { hub_.push(self_, peer, std::move(data)); }
  Bytes recv(PartyId peer) override { return hub_.pop(peer, self_); }

 protected:
  void send_on(int channel, PartyId peer, Bytes data) override {
    hub_.push(self_, peer, std::move(data), channel);
  }
  Bytes recv_on(int channel, PartyId peer) override { return hub_.pop(peer, self_, channel); }

 private:
  InMemoryHub& hub_;
  PartyId self_;
};

// Runs `body(transport)` for every party on its own thread over one hub and waits for all.
// If a party throws, the hub is aborted so the others fail fast instead of timing out, and the
// first party's exception (by party id, so the error is deterministic) is rethrown.
void run_in_memory(int parties, const std::function<void(Transport&)>& body,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace jointly::net
