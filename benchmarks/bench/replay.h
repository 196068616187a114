// Separates the offline phase from the online phase for any operation: a warm-up run records
// which correlated randomness the operation asks for (kinds and shapes, in order); the timed
// offline phase then produces exactly that from the real source; the timed online phase
// serves it from memory. The protocol never knows (TripleSource is the seam).
#pragma once

#include <deque>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "protocols/triples/triple_source.h"

namespace jointly::bench {

struct Request {
  enum Kind { kElementwise, kMatrix, kTrunc, kAnd, kDaBits } kind;
  Index a, b, c;  // shape; for kTrunc, c = bits
};

// Forwards to `inner` and writes down every request.
class RecordingSource final : public TripleSource {
 public:
  explicit RecordingSource(TripleSource& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  bool simulation_only() const override { return inner_.simulation_only(); }
  BeaverTriple elementwise(Index r, Index c) override {
    log_.push_back({Request::kElementwise, r, c, 0});
    return inner_.elementwise(r, c);
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    log_.push_back({Request::kMatrix, m, k, n});
    return inner_.matrix(m, k, n);
  }
  TruncPair trunc_pair(Index r, Index c, int bits) override {
    log_.push_back({Request::kTrunc, r, c, bits});
    return inner_.trunc_pair(r, c, bits);
  }
  BeaverTriple and_triples(Index r, Index c) override {
    log_.push_back({Request::kAnd, r, c, 0});
    return inner_.and_triples(r, c);
  }
  DaBits dabits(Index r, Index c) override {
    log_.push_back({Request::kDaBits, r, c, 0});
    return inner_.dabits(r, c);
  }
  net::Traffic offline_traffic() const override { return inner_.offline_traffic(); }
  const std::vector<Request>& log() const { return log_; }

 private:
  TripleSource& inner_;
  std::vector<Request> log_;
};

// Holds precomputed randomness and hands it out in the recorded order.
class ReplaySource final : public TripleSource {
 public:
  // The offline phase: asks `source` for everything `requests` lists.
  void fill(TripleSource& source, const std::vector<Request>& requests) {
    for (const Request& r : requests) {
      switch (r.kind) {
        case Request::kElementwise:
          items_.emplace_back(source.elementwise(r.a, r.b));
          break;
        case Request::kMatrix:
          items_.emplace_back(source.matrix(r.a, r.b, r.c));
          break;
        case Request::kTrunc:
          items_.emplace_back(source.trunc_pair(r.a, r.b, static_cast<int>(r.c)));
          break;
        case Request::kAnd:
          items_.emplace_back(source.and_triples(r.a, r.b));
          break;
        case Request::kDaBits:
          items_.emplace_back(source.dabits(r.a, r.b));
          break;
      }
    }
    name_ = source.name();
  }
  std::string name() const override { return name_ + ", precomputed"; }
  bool simulation_only() const override { return true; }
  BeaverTriple elementwise(Index, Index) override { return take<BeaverTriple>(); }
  BeaverTriple matrix(Index, Index, Index) override { return take<BeaverTriple>(); }
  TruncPair trunc_pair(Index, Index, int) override { return take<TruncPair>(); }
  BeaverTriple and_triples(Index, Index) override { return take<BeaverTriple>(); }
  DaBits dabits(Index, Index) override { return take<DaBits>(); }
  net::Traffic offline_traffic() const override { return {}; }

 private:
  template <class T>
  T take() {
    if (items_.empty() || !std::holds_alternative<T>(items_.front())) {
      throw std::logic_error(
          "benchmark replay: the operation asked for other randomness than recorded");
    }
    T t = std::move(std::get<T>(items_.front()));
    items_.pop_front();
    return t;
  }
  std::deque<std::variant<BeaverTriple, TruncPair, DaBits>> items_;
  std::string name_;
};

}  // namespace jointly::bench

namespace jointly::bench {

// Lets the benchmark point one protocol instance at the recorder, then at the replay.
class SwitchSource final : public TripleSource {
 public:
  explicit SwitchSource(TripleSource* target) : target_(target) {}
  void point_to(TripleSource* target) { target_ = target; }
  std::string name() const override { return target_->name(); }
  bool simulation_only() const override { return target_->simulation_only(); }
  BeaverTriple elementwise(Index r, Index c) override { return target_->elementwise(r, c); }
  BeaverTriple matrix(Index m, Index k, Index n) override { return target_->matrix(m, k, n); }
  TruncPair trunc_pair(Index r, Index c, int bits) override {
    return target_->trunc_pair(r, c, bits);
  }
  BeaverTriple and_triples(Index r, Index c) override { return target_->and_triples(r, c); }
  DaBits dabits(Index r, Index c) override { return target_->dabits(r, c); }
  net::Traffic offline_traffic() const override { return target_->offline_traffic(); }

 private:
  TripleSource* target_;
};

}  // namespace jointly::bench
