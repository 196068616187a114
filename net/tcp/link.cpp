#include "net/tcp/link.h"

#include <algorithm>
#include <array>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace jointly::net {
namespace {

// Payloads are read in slices so that (a) the receive buffer grows with the bytes that
// actually arrived rather than with what the header announced, and (b) a slow but alive peer
// keeps resetting the silence timer during a long transfer.
constexpr std::size_t kReadSliceBytes = std::size_t{4} << 20;

bool is_end_of_stream(const boost::system::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

tcp::socket& Stream::socket() {
  if (TlsStream* s = tls()) return s->next_layer();
  return std::get<tcp::socket>(stream_);
}

void Stream::close() {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

WaitState::Scope::Scope(WaitState& state) : state_(state) {
  if (state_.waiters_.fetch_add(1) == 0) {
    state_.since_.store(Clock::now().time_since_epoch().count());
  }
}

WaitState::Scope::~Scope() { state_.waiters_.fetch_sub(1); }

bool WaitState::waiting_less_than(std::chrono::milliseconds limit) const {
  if (waiters_.load() == 0) return false;
  const Clock::time_point since{Clock::duration{since_.load()}};
  return Clock::now() - since < limit;
}

Link::Link(PartyId peer, std::string name, std::shared_ptr<Stream> stream,
           std::chrono::milliseconds latency, std::shared_ptr<const WaitState> waiting,
           std::chrono::milliseconds timeout)
    : peer_(peer),
      name_(std::move(name)),
      stream_(std::move(stream)),
      latency_(latency),
      waiting_(std::move(waiting)),
      timeout_(timeout),
      keepalive_timer_(stream_->socket().get_executor()),
      last_heard_(Clock::now()) {}

void Link::start() {
  const auto executor = stream_->socket().get_executor();
  asio::co_spawn(executor, read_loop(shared_from_this()), asio::detached);
  if (waiting_) asio::co_spawn(executor, keepalive_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> Link::keepalive_loop(std::shared_ptr<Link> self) {
  const auto every = std::max(self->timeout_ / kKeepAliveFraction, std::chrono::milliseconds(1));
  for (;;) {
    self->keepalive_timer_.expires_after(every);
    boost::system::error_code ec;
    co_await self->keepalive_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // cancelled by abort(): the link is closing
    std::lock_guard lock(self->mutex_);
    if (self->failure_ || self->bye_queued_) co_return;
    if (!self->writing_ && self->waiting_->waiting_less_than(self->timeout_)) {
      self->enqueue(Outgoing{FrameKind::kKeepAlive, {}});
    }
  }
}

PeerError Link::error() const {
  return PeerError(peer_, failure_.value_or("session with " + name_ + " failed"));
}

void Link::fail(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(reason);
  }
  changed_.notify_all();
}

void Link::enqueue(Outgoing item) {
  outbox_.push_back(std::move(item));
  if (!writing_) {
    writing_ = true;
    // co_spawn posts to the io thread, which is the only thread touching the stream.
    asio::co_spawn(stream_->socket().get_executor(), write_loop(shared_from_this()),
                   asio::detached);
  }
}

void Link::send(Bytes data, int channel) {
  if (data.size() > kMaxFrameBytes) {
    throw std::length_error("message of " + std::to_string(data.size()) + " bytes for " + name_ +
                            " exceeds the frame limit; split the batch");
  }
  std::lock_guard lock(mutex_);
  if (failure_) throw error();
  if (bye_queued_) throw std::logic_error("send to " + name_ + " after the transport closed");
  enqueue(Outgoing{FrameKind::kData, std::move(data), channel});
}

Bytes Link::recv(std::chrono::milliseconds timeout, int channel) {
  Inbound message;
  std::deque<Inbound>& inbox = inbox_.at(static_cast<std::size_t>(channel));
  {
    std::unique_lock lock(mutex_);
    const Clock::time_point asked = Clock::now();
    // Silence is measured from when we started waiting or last heard a byte, whichever is
    // later: time we spent computing before calling recv() is not the peer's silence.
    const auto silent_too_long = [&] { return std::max(asked, last_heard_) + timeout; };
    while (inbox.empty() && !failure_ && !peer_said_bye_ && !peer_abort_) {
      if (changed_.wait_until(lock, silent_too_long()) == std::cv_status::timeout &&
          Clock::now() >= silent_too_long() && inbox.empty()) {
        // Before blaming this peer, give it a moment to say that it is itself stopping because
        // of a third party (its abort races with our own timeout when both wait equally long),
        // or to show it is alive (a keep-alive sent while it waits on that third party).
        const Clock::time_point heard = last_heard_;
        changed_.wait_for(lock, kAbortGrace, [&] {
          return peer_abort_.has_value() || failure_.has_value() || last_heard_ != heard;
        });
        if (peer_abort_) throw PeerError(peer_, name_ + " stopped: " + *peer_abort_);
        if (last_heard_ == heard && !failure_) {
          throw PeerError(peer_, name_ + " sent nothing for " + std::to_string(timeout.count()) +
                                     " ms (timeout); it may have crashed or lost its network");
        }
        // It spoke (or the link failed): the loop decides whether to go on waiting.
      }
    }
    if (inbox.empty()) {
      if (peer_abort_) throw PeerError(peer_, name_ + " stopped: " + *peer_abort_);
      if (failure_) throw error();
      throw PeerError(peer_, name_ + " closed its session; no more messages will come");
    }
    message = std::move(inbox.front());
    inbox.pop_front();
  }
  // WAN emulation: the message becomes visible `latency` after it arrived, which delays each
  // round by one latency without throttling bandwidth (frames still stream back to back).
  if (latency_.count() > 0) std::this_thread::sleep_until(message.arrival + latency_);
  return std::move(message.data);
}

void Link::close_gracefully(std::chrono::milliseconds drain, std::chrono::milliseconds linger) {
  std::unique_lock lock(mutex_);
  if (failure_) return;
  if (!bye_queued_) {
    bye_queued_ = true;
    enqueue(Outgoing{FrameKind::kBye, {}});
  }
  changed_.wait_for(lock, drain, [&] { return bye_sent_ || failure_.has_value(); });
  changed_.wait_for(lock, linger, [&] { return peer_said_bye_ || failure_.has_value(); });
}

void Link::send_abort(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (failure_ || bye_queued_) return;
  const std::string text = reason.substr(0, kMaxAbortReasonBytes);
  enqueue(Outgoing{FrameKind::kAbort, Bytes(text.begin(), text.end())});
}

void Link::abort() {
  fail("session with " + name_ + " closed locally");
  keepalive_timer_.cancel();
  stream_->close();
}

WireCounters Link::counters() const {
  return WireCounters{wire_sent_.load(), wire_received_.load()};
}

asio::awaitable<void> Link::read_loop(std::shared_ptr<Link> self) {
  try {
    for (;;) {
      HeaderBytes header_bytes{};
      co_await self->stream_->read(asio::buffer(header_bytes));
      self->wire_received_ += kFrameHeaderBytes;
      const FrameHeader header = decode_header(header_bytes);
      if (header.kind == FrameKind::kHello) throw FrameError("unexpected second hello");
      if (header.kind == FrameKind::kDisagreement) {
        throw FrameError("unexpected disagreement frame after start-up");
      }
      if (header.kind == FrameKind::kBye) {
        {
          std::lock_guard lock(self->mutex_);
          self->peer_said_bye_ = true;
          self->last_heard_ = Clock::now();
        }
        self->changed_.notify_all();
        co_return;  // the peer sends nothing after its bye
      }
      if (header.kind == FrameKind::kKeepAlive) {
        {
          std::lock_guard lock(self->mutex_);
          self->last_heard_ = Clock::now();
        }
        self->changed_.notify_all();  // a recv() in its grace period stops blaming this peer
        continue;
      }
      Bytes data;
      data.reserve(header.length);  // virtual memory only until the slices below arrive
      while (data.size() < header.length) {
        const std::size_t offset = data.size();
        const std::size_t slice = std::min<std::size_t>(kReadSliceBytes, header.length - offset);
        data.resize(offset + slice);
        co_await self->stream_->read(asio::buffer(data.data() + offset, slice));
        self->wire_received_ += slice;
        std::lock_guard lock(self->mutex_);
        self->last_heard_ = Clock::now();
      }
      if (header.kind == FrameKind::kAbort) {
        {
          std::lock_guard lock(self->mutex_);
          self->peer_abort_ = std::string(data.begin(), data.end());
          self->last_heard_ = Clock::now();
        }
        self->changed_.notify_all();
        continue;  // its bye follows
      }
      {
        std::lock_guard lock(self->mutex_);
        self->last_heard_ = Clock::now();
        self->inbox_[static_cast<std::size_t>(header.channel)].push_back(
            Inbound{std::move(data), self->last_heard_});
      }
      self->changed_.notify_all();
    }
  } catch (const FrameError& e) {
    self->fail(self->name_ + " sent a malformed frame (" + e.what() + "); session ended");
    self->stream_->close();
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) {
      self->fail("session with " + self->name_ + " closed locally");
    } else if (is_end_of_stream(e.code())) {
      self->fail(self->name_ +
                 " closed the connection without saying goodbye (crashed or killed?)");
    } else {
      self->fail("connection to " + self->name_ + " lost: " + e.code().message());
    }
  }
}

asio::awaitable<void> Link::write_loop(std::shared_ptr<Link> self) {
  try {
    for (;;) {
      Outgoing item;
      {
        std::lock_guard lock(self->mutex_);
        if (self->outbox_.empty() || self->failure_) {
          self->writing_ = false;
          co_return;
        }
        item = std::move(self->outbox_.front());
        self->outbox_.pop_front();
      }
      const HeaderBytes header = encode_header(item.kind, item.data.size(), item.channel);
      // One gather write: the kernel (or TLS) sees header and payload together, no copy.
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(header),
                                                      asio::buffer(item.data)};
      co_await self->stream_->write(buffers);
      self->wire_sent_ += kFrameHeaderBytes + item.data.size();
      if (item.kind == FrameKind::kBye) {
        // Half-close: the peer reads our bye and then end of stream; we can still read its bye.
        boost::system::error_code ignored;
        self->stream_->socket().shutdown(tcp::socket::shutdown_send, ignored);
        {
          std::lock_guard lock(self->mutex_);
          self->bye_sent_ = true;
        }
        self->changed_.notify_all();
      }
    }
  } catch (const boost::system::system_error& e) {
    self->fail("cannot send to " + self->name_ + ": " + e.code().message());
    std::lock_guard lock(self->mutex_);
    self->writing_ = false;
  }
}

}  // namespace jointly::net
