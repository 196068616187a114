// Runs n mesh parties as threads of one process on loopback, each with a throwaway identity.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"

namespace jointly::net::testing {

inline constexpr const char* kLoopback = "127.0.0.1";
// Short deadlines so failure tests finish quickly; generous enough for a loaded 2-core box.
inline constexpr std::chrono::milliseconds kTestDeadline{3000};
inline constexpr std::chrono::milliseconds kTestTimeout{3000};

// `count` distinct ports the kernel just handed out and released: free unless someone races
// us for them. All are held until the last is chosen, so none is handed out twice.
inline std::vector<std::uint16_t> free_ports(int count) {
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> held;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    held.emplace_back(io,
                      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(kLoopback), 0));
    ports.push_back(held.back().local_endpoint().port());
  }
  return ports;
}

struct Consortium {
  std::vector<KeyPair> identities;
  std::vector<MeshOptions> options;  // options[p] is party p's view, ready to connect
};

inline Consortium make_consortium(int parties, bool tls = true) {
  Consortium c;
  std::vector<PeerEndpoint> endpoints;
  const std::vector<std::uint16_t> ports = free_ports(parties);
  for (int p = 0; p < parties; ++p) {
    const std::string name = "hospital-" + std::string(1, static_cast<char>('a' + p));
    c.identities.push_back(generate_identity(name));
    endpoints.push_back(PeerEndpoint{name, kLoopback, ports[p], c.identities.back().cert_pem});
  }
  for (int p = 0; p < parties; ++p) {
    MeshOptions o;
    o.self = p;
    o.parties = endpoints;
    o.key_pem = c.identities[p].key_pem;
    o.tls = tls;
    o.agreement.fill(0x42);
    o.connect_deadline = kTestDeadline;
    o.timeout = kTestTimeout;
    c.options.push_back(std::move(o));
  }
  return c;
}

// What one party's thread did: its transport's work, or the error that stopped it.
struct Outcome {
  bool connected = false;
  std::string error;  // empty on success
};

using PartyBody = std::function<void(MeshTransport&)>;

// Starts every party (connect_mesh + body) on its own thread and waits for all of them.
// Party p starts after start_delays[p] (none if the vector is shorter).
inline std::vector<Outcome> run_parties(
    const std::vector<MeshOptions>& options, const std::vector<PartyBody>& bodies,
    const std::vector<std::chrono::milliseconds>& start_delays = {}) {
  std::vector<std::future<Outcome>> running;
  for (std::size_t p = 0; p < options.size(); ++p) {
    running.push_back(std::async(std::launch::async, [&, p] {
      Outcome outcome;
      if (p < start_delays.size()) std::this_thread::sleep_for(start_delays[p]);
      try {
        auto transport = connect_mesh(options[p]);
        outcome.connected = true;
        if (bodies[p]) bodies[p](*transport);
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
      return outcome;
    }));
  }
  std::vector<Outcome> outcomes;
  for (auto& r : running) outcomes.push_back(r.get());
  return outcomes;
}

}  // namespace jointly::net::testing
