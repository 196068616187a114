#include "protocols/triples/provider.h"

#include <stdexcept>
#include <string>

namespace jointly {

TripleProvider::TripleProvider(TripleSource& source) : source_(source) {}

TripleProvider::TripleProvider(std::unique_ptr<TripleSource> source)
    : owned_(std::move(source)), source_(*owned_) {}

TripleProvider::~TripleProvider() = default;

std::size_t TripleProvider::prepared() const {
  std::size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

void TripleProvider::prepare(std::span<const TripleRequest> plan, const PrepareProgress& progress) {
  supply(source_.generate(plan, progress));
}

void TripleProvider::supply(std::vector<PreparedItem> items) {
  for (PreparedItem& item : items) {
    queues_[static_cast<int>(item.request.kind)].push_back(std::move(item));
  }
}

std::vector<PreparedItem> TripleProvider::generate(std::span<const TripleRequest> plan,
                                                   const PrepareProgress& progress) {
  return source_.generate(plan, progress);
}

PreparedItem TripleProvider::take(const TripleRequest& request) {
  if (recording_) requests_.push_back(request);
  auto& queue = queues_[static_cast<int>(request.kind)];
  if (queue.empty()) return std::move(source_.generate({&request, 1}).front());
  if (!(queue.front().request == request)) {
    throw std::logic_error("TripleProvider: the program asked for a " + describe(request) +
                           " but the prepared plan's next one is a " +
                           describe(queue.front().request));
  }
  PreparedItem item = std::move(queue.front());
  queue.pop_front();
  return item;
}

BeaverTriple TripleProvider::elementwise(Index rows, Index cols) {
  return take(TripleRequest::elementwise(rows, cols)).triple;
}
BeaverTriple TripleProvider::matrix(Index m, Index k, Index n) {
  return take(TripleRequest::matrix(m, k, n)).triple;
}
TruncPair TripleProvider::trunc_pair(Index rows, Index cols, int bits) {
  return take(TripleRequest::trunc_pair(rows, cols, bits)).pair;
}
BeaverTriple TripleProvider::and_triples(Index rows, Index cols) {
  return take(TripleRequest::and_triples(rows, cols)).triple;
}
DaBits TripleProvider::dabits(Index rows, Index cols) {
  return take(TripleRequest::dabits(rows, cols)).dabits;
}

std::vector<std::uint64_t> TripleProvider::positions() const {
  std::vector<std::uint64_t> p = source_.positions();
  if (!p.empty() && prepared() != 0) {
    throw std::logic_error("TripleProvider: " + std::to_string(prepared()) +
                           " prepared items are not served yet; a checkpoint would skip them");
  }
  return p;
}

void TripleProvider::seek(const std::vector<std::uint64_t>& positions) {
  if (prepared() != 0) {
    throw std::logic_error("TripleProvider: cannot seek with " + std::to_string(prepared()) +
                           " prepared items not served yet");
  }
  source_.seek(positions);
}

}  // namespace jointly
