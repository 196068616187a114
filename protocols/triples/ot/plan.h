// A preprocessing plan: the list of correlated-randomness items a program will ask for, in
// order, so a TripleSource can make them all up front (OtTriples::prepare).
//
// How a program computes its plan: run it once (or one representative step of a loop whose
// shapes do not change, e.g. one SGD step) against a RecordingTriples wrapped around any
// source — the Dealer in a local dry run — and repeat the recorded step as many times as the
// loop runs. The shapes depend only on public parameters (batch size, layer widths), never on
// the data, so the plan is the same on both parties.
#pragma once

#include <string>
#include <vector>

#include "protocols/triples/triple_source.h"

namespace jointly {

std::string describe(const TripleRequest& r);

// Forwards every call to `inner` and records it.
class RecordingTriples final : public TripleSource {
 public:
  explicit RecordingTriples(TripleSource& inner) : inner_(inner) {}

  const std::vector<TripleRequest>& requests() const { return requests_; }
  void clear() { requests_.clear(); }

  std::string name() const override { return inner_.name(); }
  bool simulation_only() const override { return inner_.simulation_only(); }
  BeaverTriple elementwise(Index rows, Index cols) override {
    requests_.push_back(TripleRequest::elementwise(rows, cols));
    return inner_.elementwise(rows, cols);
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    requests_.push_back(TripleRequest::matrix(m, k, n));
    return inner_.matrix(m, k, n);
  }
  TruncPair trunc_pair(Index rows, Index cols, int bits) override {
    requests_.push_back(TripleRequest::trunc_pair(rows, cols, bits));
    return inner_.trunc_pair(rows, cols, bits);
  }
  BeaverTriple and_triples(Index rows, Index cols) override {
    requests_.push_back(TripleRequest::and_triples(rows, cols));
    return inner_.and_triples(rows, cols);
  }
  DaBits dabits(Index rows, Index cols) override {
    requests_.push_back(TripleRequest::dabits(rows, cols));
    return inner_.dabits(rows, cols);
  }
  net::Traffic offline_traffic() const override { return inner_.offline_traffic(); }

 private:
  TripleSource& inner_;
  std::vector<TripleRequest> requests_;
};

}  // namespace jointly
