#include "net/tcp/mesh.h"

#include <algorithm>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "net/tcp/certs.h"
#include "net/tcp/link.h"
#include "net/tcp/mesh_impl.h"

#include <algorithm>
#include "net/tcp/tls_context.h"

namespace jointly::net {
namespace detail {
namespace {

// After our goodbye, how long we wait for the peer's before closing the socket.
constexpr std::chrono::milliseconds kCloseLinger{500};

void ignore_sigpipe_once() {
  // A write to a socket the peer closed must be an error code, not a signal that kills the
  // party (Asio uses MSG_NOSIGNAL, but OpenSSL or a caller's own sockets may not).
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

Mesh::Mesh(const MeshOptions& options)
    : self_(options.self),
      endpoints_(options.parties),
      agreement_(options.agreement),
      agreement_detail_(options.agreement_detail),
      explain_(options.explain_disagreement),
      timeout_(options.timeout),
      latency_(options.latency),
      listen_address_(options.listen_address),
      links_(options.parties.size()),
      last_attempt_error_(options.parties.size()) {
  if (endpoints_.empty()) throw std::invalid_argument("the mesh needs at least one party");
  if (self_ < 0 || self_ >= parties()) {
    throw std::invalid_argument("party id " + std::to_string(self_) + " is not in the list of " +
                                std::to_string(parties()) + " parties");
  }
  for (PartyId p = 0; p < parties(); ++p) {
    if (endpoints_[p].port == 0) {
      throw std::invalid_argument(peer_name(p) + " has no port in the party list");
    }
  }
  if (options.timeout.count() <= 0 || options.connect_deadline.count() <= 0 ||
      options.latency.count() < 0) {
    throw std::invalid_argument("mesh timeouts must be positive and the latency not negative");
  }
  if (agreement_detail_.size() > kMaxAgreementDetailBytes) {
    throw std::invalid_argument("the agreement detail has " +
                                std::to_string(agreement_detail_.size()) + " bytes, more than " +
                                std::to_string(kMaxAgreementDetailBytes));
  }
  if (options.tls) load_identities(options);
}

void Mesh::load_identities(const MeshOptions& options) {
  std::vector<ossl::X509Ptr> pinned;
  for (PartyId p = 0; p < parties(); ++p) {
    try {
      pinned.push_back(
          ossl::parse_certificate(endpoints_[p].cert_pem, peer_name(p) + "'s pinned certificate"));
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
    pinned_der_.push_back(ossl::to_der(pinned.back().get()));
    for (PartyId q = 0; q < p; ++q) {
      if (pinned_der_[q] == pinned_der_[p]) {
        throw std::invalid_argument(peer_name(q) + " and " + peer_name(p) +
                                    " have the same certificate; every party needs its own");
      }
    }
  }
  ossl::PkeyPtr key;
  try {
    check_key_matches(options.key_pem, endpoints_[self_].cert_pem, peer_name(self_));
    key = ossl::parse_private_key(options.key_pem.view(), peer_name(self_) + "'s private key");
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  tls_.emplace(make_tls_context(pinned[self_].get(), key.get(), pinned));
}

void Mesh::abort_session(const std::string& reason) {
  std::lock_guard lock(mutex_);
  for (const auto& l : links_) {
    if (l) l->send_abort(reason);
  }
}

Mesh::~Mesh() {
  std::vector<std::shared_ptr<Link>> links;
  {
    std::lock_guard lock(mutex_);
    startup_over_ = true;
    for (const auto& l : links_) {
      if (l) links.push_back(l);
    }
  }
  // Goodbyes go out in parallel; then everything still open is closed from the io thread,
  // which makes every pending operation finish so that run() returns.
  std::vector<std::thread> closers;
  for (const auto& l : links) {
    closers.emplace_back([this, l] { l->close_gracefully(timeout_, kCloseLinger); });
  }
  for (auto& t : closers) t.join();
  if (!io_thread_.joinable()) return;
  asio::post(io_, [this, links] {
    stop_startup_io();
    for (const auto& l : links) l->abort();
  });
  work_.reset();
  io_thread_.join();
}

std::string Mesh::peer_name(PartyId peer) const {
  if (peer >= 0 && peer < parties() && !endpoints_[peer].name.empty()) {
    return endpoints_[peer].name;
  }
  return "party " + std::to_string(peer);
}

std::string Mesh::where(PartyId peer) const {
  return endpoints_[peer].host + ":" + std::to_string(endpoints_[peer].port);
}

Link& Mesh::link(PartyId peer) const {
  if (peer < 0 || peer >= parties() || peer == self_ || !links_[peer]) {
    throw std::logic_error("no connection to party " + std::to_string(peer));
  }
  return *links_[peer];
}

void Mesh::listen(const std::string& address) {
  const PeerEndpoint& me = endpoints_[self_];
  listening_on_ = address + ":" + std::to_string(me.port);
  const auto fail = [&](const boost::system::error_code& ec) {
    throw ListenError(peer_name(self_) + " cannot listen on " + listening_on_ + ": " +
                      ec.message());
  };
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  const auto found = resolver.resolve(address, std::to_string(me.port), ec);
  if (ec || found.empty()) fail(ec);
  const tcp::endpoint endpoint = found.begin()->endpoint();
  acceptor_.emplace(io_);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec);
}

void Mesh::connect(std::chrono::milliseconds connect_deadline) {
  ignore_sigpipe_once();
  deadline_ = Clock::now() + connect_deadline;
  const int peers = parties() - 1;
  // Party i accepts from every j > i and dials every j < i: one connection per pair.
  if (self_ < parties() - 1) {
    listen(listen_address_.empty() ? endpoints_[self_].host : listen_address_);
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  for (PartyId p = 0; p < self_; ++p) asio::co_spawn(io_, dial(p), asio::detached);
  work_.emplace(io_.get_executor());
  io_thread_ = std::thread([this] { io_.run(); });

  std::unique_lock lock(mutex_);
  const auto disagreeing = [&] {
    return static_cast<int>(std::count(disagreed_.begin(), disagreed_.end(), true));
  };
  changed_.wait_until(lock, deadline_,
                      [&] { return fatal_ || connected_ + disagreeing() == peers; });
  startup_over_ = true;
  if (!fatal_ && mismatch_ && connected_ + disagreeing() == peers) {
    asio::post(io_, [this] { stop_startup_io(); });
    throw std::runtime_error(*mismatch_);
  }
  if (!fatal_ && connected_ == peers) {
    // Nobody else may connect now: close the listener and any stray half-open connection.
    asio::post(io_, [this] { stop_startup_io(); });
    return;
  }
  throw std::runtime_error(fatal_      ? *fatal_
                           : mismatch_ ? *mismatch_
                                       : describe_missing(connect_deadline));
}

bool Mesh::startup_over() const {
  std::lock_guard lock(mutex_);
  return startup_over_;
}

void Mesh::note_attempt(PartyId peer, std::string why) {
  std::lock_guard lock(mutex_);
  last_attempt_error_[peer] = std::move(why);
}

void Mesh::note_rejection(std::string why) {
  std::lock_guard lock(mutex_);
  last_rejection_ = std::move(why);
}

void Mesh::note_mismatch(PartyId peer, std::string why) {
  {
    std::lock_guard lock(mutex_);
    if (startup_over_ || peer < 0 || peer >= parties()) return;
    if (disagreed_.empty()) disagreed_.assign(static_cast<std::size_t>(parties()), false);
    disagreed_[static_cast<std::size_t>(peer)] = true;
    if (!mismatch_) mismatch_ = std::move(why);
  }
  changed_.notify_all();
}

void Mesh::note_fatal(std::string why) {
  {
    std::lock_guard lock(mutex_);
    if (!fatal_ && !startup_over_) fatal_ = std::move(why);
  }
  changed_.notify_all();
}

bool Mesh::register_link(PartyId peer, std::shared_ptr<Stream> stream) {
  std::shared_ptr<Link> link;
  {
    std::lock_guard lock(mutex_);
    if (startup_over_ || links_[peer]) return false;
    link = std::make_shared<Link>(peer, peer_name(peer), std::move(stream), latency_, waiting_,
                                  timeout_);
    links_[peer] = link;
    ++connected_;
  }
  link->start();  // we are on the io thread; data may follow the hello at once
  changed_.notify_all();
  return true;
}

std::string Mesh::describe_missing(std::chrono::milliseconds connect_deadline) const {
  std::string text = peer_name(self_) + " could not connect to every party within " +
                     std::to_string(connect_deadline.count()) + " ms; not reached:";
  for (PartyId p = 0; p < parties(); ++p) {
    if (p == self_ || links_[p]) continue;
    text += "\n  " + peer_name(p) + " (party " + std::to_string(p) + ")";
    if (p < self_) {
      const std::string& why = last_attempt_error_[p];
      text += ", dialed at " + where(p) + ": " + (why.empty() ? "no answer" : why);
    } else {
      text += " never connected to us at " + listening_on_;
    }
  }
  if (!last_rejection_.empty()) text += "\n  last refused connection: " + last_rejection_;
  return text;
}

}  // namespace detail

std::unique_ptr<MeshTransport> connect_mesh(const MeshOptions& options) {
  auto mesh = std::make_unique<detail::Mesh>(options);
  mesh->connect(options.connect_deadline);
  return mesh;
}

}  // namespace jointly::net
