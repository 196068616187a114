// The mesh transport's internals, shared by mesh.cpp (life cycle, options, messages) and
// handshake.cpp (start-up coroutines: accept, dial, TLS, hello). Internal to net/tcp.
#pragma once

#include <array>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/tcp/link.h"
#include "net/tcp/mesh.h"

namespace jointly::net::detail {

// Failures that retrying cannot fix: wrong certificate, different config, wrong protocol.
class FatalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer is genuine but runs another config or data schema. Not fatal at once: start-up goes
// on until every peer has connected or disagreed, so that every party, not only the first to
// notice, exchanges hellos with the odd one out and reports the mismatch.
class AgreementError : public std::runtime_error {
 public:
  AgreementError(PartyId peer, const std::string& what) : std::runtime_error(what), peer(peer) {}
  PartyId peer;
};

class Mesh final : public MeshTransport {
 public:
  explicit Mesh(const MeshOptions& options);
  Mesh(const Mesh&) = delete;
  Mesh& operator=(const Mesh&) = delete;
  ~Mesh() override;

  // Runs start-up; returns when every pair is ready, throws otherwise.
  void connect(std::chrono::milliseconds connect_deadline);

  PartyId self() const override { return self_; }
  int parties() const override { return static_cast<int>(endpoints_.size()); }
  void send(PartyId peer, Bytes data) override { link(peer).send(std::move(data)); }
  Bytes recv(PartyId peer) override { return recv_on(0, peer); }
  std::string peer_name(PartyId peer) const override;
  WireCounters wire(PartyId peer) const override { return link(peer).counters(); }
  bool encrypted() const override { return tls_.has_value(); }
  void abort_session(const std::string& reason) override;

 protected:
  void send_on(int channel, PartyId peer, Bytes data) override {
    link(peer).send(std::move(data), channel);
  }
  Bytes recv_on(int channel, PartyId peer) override {
    const WaitState::Scope waiting(*waiting_);
    return link(peer).recv(timeout_, channel);
  }

 private:
  enum class Role { kDialer, kAcceptor };

  Link& link(PartyId peer) const;
  std::string where(PartyId peer) const;
  void load_identities(const MeshOptions& options);
  void listen(const std::string& address);

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> handle_incoming(tcp::socket socket);
  asio::awaitable<void> dial(PartyId peer);
  asio::awaitable<PartyId> handshake(std::shared_ptr<Stream> stream, Role role, PartyId expected);
  PartyId identify(TlsStream& tls, Role role, PartyId expected);
  asio::awaitable<std::string> disagreement(std::shared_ptr<Stream> stream, PartyId peer);
  std::string tls_failure(Stream& stream, PartyId peer, const boost::system::error_code& ec);

  asio::awaitable<void> pause(std::chrono::milliseconds delay);
  void track(const std::shared_ptr<Stream>& stream);
  void untrack(const std::shared_ptr<Stream>& stream);
  void stop_startup_io();  // io thread: close the listener, pending connections, pauses

  bool register_link(PartyId peer, std::shared_ptr<Stream> stream);
  void note_attempt(PartyId peer, std::string why);
  void note_rejection(std::string why);
  void note_fatal(std::string why);
  void note_mismatch(PartyId peer, std::string why);
  bool startup_over() const;
  std::string describe_missing(std::chrono::milliseconds connect_deadline) const;

  const PartyId self_;
  const std::vector<PeerEndpoint> endpoints_;
  const std::array<std::uint8_t, kAgreementBytes> agreement_;
  const std::string agreement_detail_;
  const std::function<std::string(const std::string&, const std::string&)> explain_;
  const std::chrono::milliseconds timeout_;
  const std::chrono::milliseconds latency_;
  Clock::time_point deadline_;

  // Declared before everything that owns sockets or SSL streams, so it is destroyed last.
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::optional<asio::ssl::context> tls_;
  std::vector<std::vector<unsigned char>> pinned_der_;
  std::optional<tcp::acceptor> acceptor_;
  std::string listen_address_;  // from the options; empty: our configured host
  std::string listening_on_;    // address:port actually bound, for messages
  // Io thread only: connections mid-handshake and retry pauses, so that start-up can be
  // cut short (success, failure or destruction) without waiting for their timers.
  std::vector<std::weak_ptr<Stream>> pending_;
  std::vector<std::weak_ptr<asio::steady_timer>> pauses_;
  std::thread io_thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<Link>> links_;
  const std::shared_ptr<WaitState> waiting_ = std::make_shared<WaitState>();
  std::vector<std::string> last_attempt_error_;
  std::string last_rejection_;
  std::optional<std::string> fatal_;
  int connected_ = 0;
  std::vector<bool> disagreed_;          // per peer: its hello carried another agreement digest
  std::optional<std::string> mismatch_;  // the first such disagreement, reported at the end
  bool startup_over_ = false;
};

}  // namespace jointly::net::detail
