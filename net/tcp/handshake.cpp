// Start-up of the mesh, run as coroutines on the io thread: accept the parties that dial us,
// dial the parties we must reach (with back-off), and for each connection do TLS, pinning and
// hello before it becomes a Link.
#include <algorithm>
#include <utility>  // before Asio: 1.74's awaitable.hpp uses std::exchange without it

#include <openssl/ssl.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/tcp/mesh_impl.h"
#include "net/tcp/openssl_util.h"
#include "net/tcp/tls_context.h"

namespace jointly::net::detail {
namespace {

// Back-off between connection attempts: quick at first (parties are usually started within a
// second of each other), then capped so the mesh forms soon after the last party starts.
constexpr std::chrono::milliseconds kFirstRetryDelay{10};
constexpr std::chrono::milliseconds kMaxRetryDelay{1000};
// Bound on one attempt (TCP connect, TLS handshake, hello), so that a stray client that opens
// a connection and says nothing cannot hold up start-up.
constexpr std::chrono::milliseconds kAttemptTimeout{10000};

std::string remote_text(tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return "an unknown address";
  return remote.address().to_string() + ":" + std::to_string(remote.port());
}

bool is_tls_error(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category();
}

// Closes `stream` when `when` passes, unless destroyed first.
class Watchdog {
 public:
  Watchdog(const asio::any_io_executor& executor, std::shared_ptr<Stream> stream,
           Clock::time_point when)
      : timer_(executor, when), state_(std::make_shared<State>()) {
    timer_.async_wait([stream = std::move(stream), state = state_](boost::system::error_code ec) {
      // The flag, not only the error code: the timer may have fired just before we disarmed.
      if (!ec && state->armed) {
        state->fired = true;
        stream->close();
      }
    });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    state_->armed = false;
    timer_.cancel();
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    bool armed = true;
    bool fired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

std::shared_ptr<Stream> make_stream(tcp::socket socket, std::optional<asio::ssl::context>& tls) {
  if (tls) return std::make_shared<Stream>(std::move(socket), *tls);
  return std::make_shared<Stream>(std::move(socket));
}

}  // namespace

void Mesh::track(const std::shared_ptr<Stream>& stream) {
  std::erase_if(pending_, [](const std::weak_ptr<Stream>& w) { return w.expired(); });
  pending_.push_back(stream);
}

void Mesh::untrack(const std::shared_ptr<Stream>& stream) {
  // No longer mid-handshake: a registered stream now belongs to its Link.
  std::erase_if(pending_,
                [&](const std::weak_ptr<Stream>& w) { return w.expired() || w.lock() == stream; });
}

void Mesh::stop_startup_io() {
  boost::system::error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  for (const auto& weak : pending_) {
    if (auto stream = weak.lock()) stream->close();
  }
  pending_.clear();
  for (const auto& weak : pauses_) {
    if (auto timer = weak.lock()) timer->cancel();
  }
  pauses_.clear();
}

asio::awaitable<void> Mesh::pause(std::chrono::milliseconds delay) {
  auto timer = std::make_shared<asio::steady_timer>(io_, delay);
  std::erase_if(pauses_, [](const std::weak_ptr<asio::steady_timer>& w) { return w.expired(); });
  pauses_.push_back(timer);
  boost::system::error_code cancelled;  // cut short by stop_startup_io(): callers re-check
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
}

asio::awaitable<void> Mesh::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    co_await acceptor_->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: report it, keep listening after a pause.
      note_rejection("accept failed: " + ec.message());
      co_await pause(kMaxRetryDelay);
      continue;
    }
    // Each connection is handled on its own so a silent stray client cannot block the real
    // peer queued behind it.
    asio::co_spawn(io_, handle_incoming(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Mesh::handle_incoming(tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const std::string from = remote_text(socket);
  auto stream = make_stream(std::move(socket), tls_);
  track(stream);
  Watchdog watchdog(io_.get_executor(), stream,
                    std::min(deadline_, Clock::now() + kAttemptTimeout));
  try {
    const PartyId peer = co_await handshake(stream, Role::kAcceptor, -1);
    if (!register_link(peer, stream)) {
      note_rejection("second connection from " + peer_name(peer) + " at " + from + " dropped");
      stream->close();
    }
  } catch (const AgreementError& e) {
    note_mismatch(e.peer, e.what());
    stream->close();
  } catch (const FatalError& e) {
    note_fatal(e.what());
    stream->close();
  } catch (const boost::system::system_error& e) {
    std::string why = watchdog.fired() ? "no complete handshake in time" : e.code().message();
    if (TlsStream* tls = stream->tls()) {
      if (const std::string v = verify_failure(tls->native_handle()); !v.empty()) {
        why += " (" + v + ")";
      }
    }
    note_rejection("connection from " + from + " refused: " + why);
    stream->close();
  } catch (const std::exception& e) {
    note_rejection("connection from " + from + " refused: " + e.what());
    stream->close();
  }
  untrack(stream);
}

asio::awaitable<void> Mesh::dial(PartyId peer) {
  const PeerEndpoint& target = endpoints_[peer];
  std::chrono::milliseconds delay = kFirstRetryDelay;
  while (!startup_over()) {
    auto stream = make_stream(tcp::socket(io_), tls_);
    track(stream);
    Watchdog watchdog(io_.get_executor(), stream,
                      std::min(deadline_, Clock::now() + kAttemptTimeout));
    try {
      tcp::resolver resolver(io_);
      const auto endpoints = co_await resolver.async_resolve(
          target.host, std::to_string(target.port), asio::use_awaitable);
      if (startup_over()) break;  // stopped while resolving
      co_await asio::async_connect(stream->socket(), endpoints, asio::use_awaitable);
      stream->socket().set_option(tcp::no_delay(true));
      co_await handshake(stream, Role::kDialer, peer);
      untrack(stream);
      if (!register_link(peer, stream)) stream->close();
      co_return;
    } catch (const AgreementError& e) {
      note_mismatch(e.peer, e.what());
      stream->close();
      untrack(stream);
      co_return;
    } catch (const FatalError& e) {
      note_fatal(e.what());
      co_return;
    } catch (const FrameError& e) {
      note_fatal(peer_name(peer) + " at " + where(peer) +
                 " does not speak jointly's protocol: " + e.what());
      co_return;
    } catch (const boost::system::system_error& e) {
      if (is_tls_error(e.code())) {
        note_fatal(tls_failure(*stream, peer, e.code()));
        co_return;
      }
      // Not up yet, restarting, or a network hiccup: try again until the deadline.
      note_attempt(peer, watchdog.fired() ? "timed out" : e.code().message());
    } catch (const std::exception& e) {
      note_attempt(peer, e.what());
    }
    stream->close();
    untrack(stream);
    if (Clock::now() + delay >= deadline_) co_return;
    co_await pause(delay);
    delay = std::min(2 * delay, kMaxRetryDelay);
  }
}

std::string Mesh::tls_failure(Stream& stream, PartyId peer, const boost::system::error_code& ec) {
  const std::string who = peer_name(peer) + " at " + where(peer);
  if (TlsStream* tls = stream.tls()) {
    if (const std::string v = verify_failure(tls->native_handle()); !v.empty()) {
      return "refusing " + who + ": its certificate failed verification (" + v +
             "); is the certificate pinned for it in the config current?";
    }
  }
  return who + " refused our TLS session (" + ec.message() +
         "); check that its config pins our current, unexpired certificate and that both "
         "sides use TLS";
}

PartyId Mesh::identify(TlsStream& tls, Role role, PartyId expected) {
  // OpenSSL has verified signature, validity and that the certificate is one of the pinned
  // ones; byte equality with the pinned certificate of the *right* party is our own check.
  X509* cert = SSL_get0_peer_certificate(tls.native_handle());
  if (cert == nullptr) throw FatalError("peer presented no certificate");
  const std::vector<unsigned char> der = ossl::to_der(cert);
  const std::string cn = ossl::common_name(cert);
  if (role == Role::kDialer) {
    if (der != pinned_der_[expected]) {
      throw FatalError("refusing " + peer_name(expected) + " at " + where(expected) +
                       ": it presented the certificate of '" + cn +
                       "', not the one pinned for it in the config");
    }
    return expected;
  }
  const auto match = std::find(pinned_der_.begin(), pinned_der_.end(), der);
  if (match == pinned_der_.end()) {
    throw std::runtime_error("certificate of '" + cn + "' is not pinned for any party");
  }
  const auto peer = static_cast<PartyId>(match - pinned_der_.begin());
  if (peer <= self_) {
    // Our own certificate, or a party we dial ourselves: not a peer that should dial us.
    throw std::runtime_error("certificate of " + peer_name(peer) + " used by a party that " +
                             "should not dial us");
  }
  return peer;
}

asio::awaitable<PartyId> Mesh::handshake(std::shared_ptr<Stream> stream, Role role,
                                         PartyId expected) {
  PartyId peer = expected;
  if (TlsStream* tls = stream->tls()) {
    co_await tls->async_handshake(
        role == Role::kDialer ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
        asio::use_awaitable);
    peer = identify(*tls, role, expected);
  }
  // Both sides send their hello before reading the other's, so both see a mismatch.
  const HeaderBytes header = encode_header(FrameKind::kHello, kHelloBytes);
  const HelloBytes ours = encode_hello(Hello{self_, agreement_});
  const std::array<asio::const_buffer, 2> out{asio::buffer(header), asio::buffer(ours)};
  co_await stream->write(out);

  HeaderBytes in_header{};
  co_await stream->read(asio::buffer(in_header));
  if (decode_header(in_header).kind != FrameKind::kHello) throw FrameError("expected a hello");
  HelloBytes in{};
  co_await stream->read(asio::buffer(in));
  const Hello theirs = decode_hello(in);

  if (stream->tls()) {
    if (theirs.party != peer) {
      throw FatalError(peer_name(peer) + "'s certificate is pinned as party " +
                       std::to_string(peer) + ", but it says it is party " +
                       std::to_string(theirs.party) + " (the party lists differ)");
    }
  } else if (role == Role::kDialer && theirs.party != expected) {
    throw FatalError("the party at " + where(expected) + " says it is party " +
                     std::to_string(theirs.party) + ", not " + peer_name(expected));
  } else if (role == Role::kAcceptor) {
    // Plain TCP: the hello is the only identity we get (no authentication; see docs/net.md).
    if (theirs.party <= self_ || theirs.party >= parties()) {
      throw std::runtime_error("hello from a client claiming to be party " +
                               std::to_string(theirs.party));
    }
    peer = theirs.party;
  }
  if (theirs.agreement != agreement_) {
    // Awaited first, not inside the throw: GCC 12 frees the operand of
    // `throw E(co_await ...)` twice (seen as "double free detected" in MeshRefusal tests).
    const std::string why = co_await disagreement(stream, peer);
    throw AgreementError(peer, why);
  }
  co_return peer;
}

asio::awaitable<std::string> Mesh::disagreement(std::shared_ptr<Stream> stream, PartyId peer) {
  // Both sides send their detail before reading the other's (it fits the socket buffers), as
  // with the hello. A peer that hangs up or sends anything else leaves the generic message.
  std::string theirs;
  bool received = false;
  try {
    const HeaderBytes header = encode_header(FrameKind::kDisagreement, agreement_detail_.size());
    const std::array<asio::const_buffer, 2> out{asio::buffer(header),
                                                asio::buffer(agreement_detail_)};
    co_await stream->write(out);
    HeaderBytes in_header{};
    co_await stream->read(asio::buffer(in_header));
    const FrameHeader frame = decode_header(in_header);
    if (frame.kind == FrameKind::kDisagreement) {
      theirs.resize(frame.length);  // at most kMaxAgreementDetailBytes: decode_header checks
      co_await stream->read(asio::buffer(theirs));
      received = true;
    }
  } catch (const std::exception&) {
    received = false;
  }
  std::string why;
  if (received && explain_) {
    try {
      why = explain_(theirs, peer_name(peer));
    } catch (const std::exception&) {
      why.clear();
    }
  }
  if (why.empty()) {
    why = "config or data schema differs from " + peer_name(peer) +
          "'s (agreement digests do not match); every party must run the same consortium "
          "config and data schema";
  }
  co_return why;
}

}  // namespace jointly::net::detail
