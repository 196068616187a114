// Runs PSI between two in-process parties, optionally recording what party 1 sees.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "net/in_memory.h"
#include "psi/psi.h"

namespace jointly::psi::testing {

// Forwards to another transport and keeps every message received (and sent).
class RecordingTransport final : public net::Transport {
 public:
  explicit RecordingTransport(net::Transport& inner) : inner_(inner) {}
  net::PartyId self() const override { return inner_.self(); }
  int parties() const override { return inner_.parties(); }
  void send(net::PartyId peer, net::Bytes data) override {
    sent.push_back(data);
    inner_.send(peer, std::move(data));
  }
  net::Bytes recv(net::PartyId peer) override {
    net::Bytes b = inner_.recv(peer);
    received.push_back(b);
    return b;
  }
  std::vector<net::Bytes> sent, received;

 private:
  net::Transport& inner_;
};

struct Run {
  Result r0, r1;
  std::vector<net::Bytes> view_received, view_sent;  // party 1's
};

inline Run run_psi(const std::vector<std::string>& a, const std::vector<std::string>& b,
                   Protocol protocol, bool allow_empty = true) {
  Run run;
  net::run_in_memory(2, [&](net::Transport& t) {
    RecordingTransport rec(t);
    net::Network network(rec);
    Options o;
    o.protocol = protocol;
    o.allow_empty = allow_empty;
    Result r = intersect(network, t.self() == 0 ? a : b, o);
    if (t.self() == 0) {
      run.r0 = std::move(r);
    } else {
      run.r1 = std::move(r);
      run.view_received = std::move(rec.received);
      run.view_sent = std::move(rec.sent);
    }
  });
  return run;
}

}  // namespace jointly::psi::testing
