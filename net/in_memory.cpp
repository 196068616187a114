#include "net/in_memory.h"

#include <thread>

namespace jointly::net {

InMemoryHub::InMemoryHub(int parties, std::chrono::milliseconds timeout)
    : parties_(parties),
      timeout_(timeout),
      queues_(static_cast<std::size_t>(parties * parties * kChannels)) {}

void InMemoryHub::abort(PartyId culprit, const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (aborted_) return;
    aborted_ = true;
    culprit_ = culprit;
    reason_ = reason;
  }
  ready_.notify_all();
}

void InMemoryHub::push(PartyId from, PartyId to, Bytes data, int channel) {
  if (data.size() > kMaxFrameBytes) {
    throw PeerError(to,
                    "message of " + std::to_string(data.size()) + " bytes exceeds the frame limit");
  }
  {
    std::lock_guard lock(mutex_);
    if (aborted_)
      throw PeerError(culprit_, "party " + std::to_string(culprit_) + " failed: " + reason_);
    queue(from, to, channel).messages.push_back(std::move(data));
  }
  ready_.notify_all();
}

Bytes InMemoryHub::pop(PartyId from, PartyId to, int channel) {
  std::unique_lock lock(mutex_);
  Queue& q = queue(from, to, channel);
  const bool arrived =
      ready_.wait_for(lock, timeout_, [&] { return aborted_ || !q.messages.empty(); });
  if (!q.messages.empty()) {
    Bytes data = std::move(q.messages.front());
    q.messages.pop_front();
    return data;
  }
  if (aborted_) {
    throw PeerError(culprit_, "party " + std::to_string(culprit_) + " failed: " + reason_);
  }
  (void)arrived;
  throw PeerError(from, "party " + std::to_string(from) + " sent nothing for " +
                            std::to_string(timeout_.count()) + " ms");
}

void run_in_memory(int parties, const std::function<void(Transport&)>& body,
                   std::chrono::milliseconds timeout) {
  InMemoryHub hub(parties, timeout);
  std::mutex first_mutex;
  std::exception_ptr first_error;  // the root cause; later failures only saw the abort
  std::vector<std::thread> threads;
  threads.reserve(parties);
  for (PartyId p = 0; p < parties; ++p) {
    threads.emplace_back([&, p] {
      InMemoryTransport transport(hub, p);
      try {
        body(transport);
      } catch (...) {
        std::string reason = "unknown error";
        try {
          throw;
        } catch (const std::exception& e) {
          reason = e.what();
        } catch (...) {
        }
        {
          std::lock_guard lock(first_mutex);
          if (!first_error) first_error = std::current_exception();
        }
        hub.abort(p, reason);
      }
    });
  }
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace jointly::net
