// One established, authenticated connection to one peer, after the hello.
//
// The io thread runs a reader that turns frames into queued messages as fast as they arrive
// (so a peer that is itself busy sending never stalls on us: no send-send deadlock) and a
// writer that drains the outgoing queue. The party's thread only touches the queues.
// Internal to net/tcp: includes Asio.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>  // before Asio: 1.74's awaitable.hpp uses std::exchange without it
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/frame.h"
#include "net/tcp/mesh.h"

namespace jointly::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;
using Clock = std::chrono::steady_clock;

// A TCP socket, with or without TLS on top; reads and writes look the same to the mesh.
class Stream {
 public:
  explicit Stream(tcp::socket socket) : stream_(std::move(socket)) {}
  Stream(tcp::socket socket, asio::ssl::context& tls)
      : stream_(std::in_place_type<TlsStream>, std::move(socket), tls) {}

  tcp::socket& socket();
  TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }

  // Reads exactly / writes all of `buffers`.
  template <class Buffers>
  asio::awaitable<std::size_t> read(const Buffers& buffers) {
    return std::visit([&](auto& s) { return asio::async_read(s, buffers, asio::use_awaitable); },
                      stream_);
  }
  template <class Buffers>
  asio::awaitable<std::size_t> write(const Buffers& buffers) {
    return std::visit([&](auto& s) { return asio::async_write(s, buffers, asio::use_awaitable); },
                      stream_);
  }

  // Closes the socket; pending reads and writes complete with operation_aborted.
  void close();

 private:
  std::variant<tcp::socket, TlsStream> stream_;
};

// Whether this party is blocked in a receive, and since when. The mesh marks its receives;
// its links read it to decide whether to send keep-alives (Link::start).
class WaitState {
 public:
  // Marks one receive, for its lifetime (receives from several threads may overlap).
  class Scope {
   public:
    explicit Scope(WaitState& state);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    WaitState& state_;
  };

  // True while a receive is under way and the current wait began less than `limit` ago.
  bool waiting_less_than(std::chrono::milliseconds limit) const;

 private:
  std::atomic<int> waiters_{0};
  std::atomic<Clock::rep> since_{0};
};

class Link : public std::enable_shared_from_this<Link> {
 public:
  // `waiting` (may be null: no keep-alives) is the own party's wait state; `timeout` the
  // silence after which a receive gives up, also the keep-alives' horizon.
  Link(PartyId peer, std::string name, std::shared_ptr<Stream> stream,
       std::chrono::milliseconds latency, std::shared_ptr<const WaitState> waiting,
       std::chrono::milliseconds timeout);

  // Starts the background reader and, with a wait state, the keep-alive timer: while this
  // party has been blocked in a receive for less than `timeout`, every timeout /
  // kKeepAliveFraction it sends the peer an empty kKeepAlive frame (unless a frame is being
  // written). A peer waiting on us then knows we are alive and waiting too, so it keeps
  // waiting for our abort frame instead of blaming us for a third party's silence; a frozen
  // or crashed party sends none. Called once, on the io thread.
  void start();

  // Party thread (any channel from any thread). Throws PeerError if the link has failed.
  void send(Bytes data, int channel = 0);
  // Party thread. Waits until a message arrives or the peer has been silent (no frame at all,
  // keep-alives included) for `timeout`.
  Bytes recv(std::chrono::milliseconds timeout, int channel = 0);

  // Party thread, when the transport is destroyed: queues a Bye after everything already
  // queued, waits until it is written (at most `drain`), then at most `linger` for the peer's
  // own Bye or end of stream, so that closing does not reset a peer still reading our data.
  void close_gracefully(std::chrono::milliseconds drain, std::chrono::milliseconds linger);
  // Io thread: drops the connection at once.
  void abort();
  // Queues an abort frame carrying `reason` (truncated to kMaxAbortReasonBytes).
  void send_abort(const std::string& reason);

  WireCounters counters() const;

 private:
  struct Inbound {
    Bytes data;
    Clock::time_point arrival;
  };
  struct Outgoing {
    FrameKind kind;
    Bytes data;
    int channel = 0;
  };

  static asio::awaitable<void> read_loop(std::shared_ptr<Link> self);
  static asio::awaitable<void> write_loop(std::shared_ptr<Link> self);
  static asio::awaitable<void> keepalive_loop(std::shared_ptr<Link> self);
  void enqueue(Outgoing item);  // with mutex_ held
  void fail(std::string reason);
  PeerError error() const;  // with mutex_ held

  const PartyId peer_;
  const std::string name_;
  const std::shared_ptr<Stream> stream_;
  const std::chrono::milliseconds latency_;
  const std::shared_ptr<const WaitState> waiting_;
  const std::chrono::milliseconds timeout_;
  asio::steady_timer keepalive_timer_;  // io thread only

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::array<std::deque<Inbound>, kChannels> inbox_;
  std::deque<Outgoing> outbox_;
  bool writing_ = false;
  bool bye_queued_ = false;
  bool bye_sent_ = false;
  bool peer_said_bye_ = false;
  std::optional<std::string> peer_abort_;  // why the peer stopped, if it said so
  std::optional<std::string> failure_;
  Clock::time_point last_heard_;

  std::atomic<std::uint64_t> wire_sent_{0};
  std::atomic<std::uint64_t> wire_received_{0};
};

}  // namespace jointly::net
