// Collecting one party's whole view of a program, run many times with fresh seeds, for the
// leakage tests (statistics.h has the tests, docs/security.md "Leakage tests" the results).
//
// Every party of every backend in harness.h's matrix runs the same program on an in-process
// network. The observer's transport is wrapped: every message it receives (and, by default,
// sends) is cut into elements (8-byte ring words, or 16-byte field elements for Shamir) and
// appended to its view, and so are its own shares of whatever the program records (inputs and
// results). Preprocessing that a TripleSource runs on the network (OT triples) is left out of
// the view: the OT views have their own tests (ot_views_test.cpp). Party 0 holds the secrets;
// run r with secret set A uses seed (seed, r), with B seed (seed + 2^32, r), so the views are
// reproducible.
//
// Leaky variants are made by Hooks: a TripleSource decorator, options given to the backend, a
// Protocol decorator; and by a program arming a rewrite of one of its party's messages.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/transport.h"
#include "protocols/protocol.h"
#include "protocols/replicated/replicated.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/triple_source.h"
#include "tests/protocols/harness.h"
#include "tests/protocols/leakage/statistics.h"

namespace jointly::testing::leakage {

// The secrets of one program, held by party 0.
using Secrets = std::vector<IntMatrix>;

class Recorder;

// One party's part of one run, as the program sees it.
class PartyRun {
 public:
  PartyRun(Protocol& protocol, const Secrets& secrets, Recorder& recorder, Algebra algebra,
           bool observer);

  Protocol& protocol() { return protocol_; }
  net::PartyId self() const { return protocol_.self(); }
  bool observer() const { return observer_; }
  // Secret i (party 0's value; the other parties see only its shape).
  const IntMatrix& secret(std::size_t i) const { return secrets_.at(i); }
  // Party 0 secret-shares secret i; the observer's share joins its view.
  Shared input(std::size_t i);
  // The observer's share of x joins its view (no-op on the other parties).
  void record(const Shared& x);
  // Test-only rewrite for leaky variants: this party's message number `skip` (0: the next)
  // to `to` is replaced by `payload`.
  void rewrite(net::PartyId to, std::size_t skip, net::Bytes payload);

 private:
  Protocol& protocol_;
  const Secrets& secrets_;
  Recorder& recorder_;
  Algebra algebra_;
  bool observer_;
};

using Program = std::function<void(PartyRun&)>;

// How a leaky variant changes the stack; each is optional.
struct Hooks {
  // Additive: decorates this party's source of triples.
  std::function<std::unique_ptr<TripleSource>(std::unique_ptr<TripleSource>, net::PartyId)> triples;
  // Replicated: changes this party's options (e.g. a resume state with chosen pair keys).
  // `master` is the run's seed.
  std::function<void(net::PartyId, const Seed& master, ReplicatedOptions&)> replicated;
  // Shamir: changes this party's options (e.g. its seed).
  std::function<void(net::PartyId, const Seed& master, ShamirOptions&)> shamir;
  // Decorates this party's protocol.
  std::function<std::unique_ptr<Protocol>(std::unique_ptr<Protocol>, net::PartyId)> protocol;
};

struct Experiment {
  std::string name;
  ProtocolSetup setup;
  Program program;
  Secrets a, b;
  std::uint64_t seed = 0;
  net::PartyId observer = 1;
  bool record_sent = true;  // the observer's own messages join its view too
  // Runs with each secret beyond the training runs (which are the relation features + 64).
  std::size_t tests = 160;
  // Quadratic relation features (pairwise products) when the view has at most this many
  // elements: they cost quadratically many training runs.
  std::size_t quadratic_limit = 40;
  Hooks hooks{};
};

struct Result {
  std::string name;
  std::size_t width = 0;       // elements per view
  std::size_t runs = 0;        // runs in all, both secrets
  bool same_structure = true;  // every run's view had the same length
  MarginalResult marginal;
  RelationResult relation;
  double seconds = 0;

  bool leaks() const {
    return !same_structure || marginal.log10_p_adjusted < kLog10LeakThreshold ||
           relation.log10_p < kLog10LeakThreshold;
  }
  // One line for the log and the docs' table.
  std::string summary() const;
};

// Runs the program `runs` times with `secrets` (seeds from `seed`), returns the views.
Views collect(const Experiment& e, const Secrets& secrets, std::size_t runs, std::uint64_t seed,
              bool* same_structure = nullptr);
// Collects A and B views and runs both tests.
Result run_experiment(const Experiment& e);

// --- Decorators for leaky variants ----------------------------------------------------------
// Forwards every call to `inner`; decorators override what they change.
class ForwardingTriples : public TripleSource {
 public:
  explicit ForwardingTriples(std::unique_ptr<TripleSource> inner)
      : owned_(std::move(inner)), inner_(owned_.get()) {}
  // Not owning: `inner` must outlive this source.
  explicit ForwardingTriples(TripleSource& inner) : inner_(&inner) {}
  std::string name() const override { return inner_->name(); }
  bool simulation_only() const override { return inner_->simulation_only(); }
  BeaverTriple elementwise(Index rows, Index cols) override {
    return inner_->elementwise(rows, cols);
  }
  BeaverTriple matrix(Index m, Index k, Index n) override { return inner_->matrix(m, k, n); }
  TruncPair trunc_pair(Index rows, Index cols, int bits) override {
    return inner_->trunc_pair(rows, cols, bits);
  }
  BeaverTriple and_triples(Index rows, Index cols) override {
    return inner_->and_triples(rows, cols);
  }
  DaBits dabits(Index rows, Index cols) override { return inner_->dabits(rows, cols); }
  net::Traffic offline_traffic() const override { return inner_->offline_traffic(); }
  std::vector<std::uint64_t> positions() const override { return inner_->positions(); }
  void seek(const std::vector<std::uint64_t>& p) override { inner_->seek(p); }

 protected:
  TripleSource& inner() { return *inner_; }

 private:
  std::unique_ptr<TripleSource> owned_;
  TripleSource* inner_;
};

class ForwardingProtocol : public Protocol {
 public:
  explicit ForwardingProtocol(std::unique_ptr<Protocol> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  net::Network& network() const override { return inner_->network(); }
  int corruption_threshold() const override { return inner_->corruption_threshold(); }
  bool exact_truncation() const override { return inner_->exact_truncation(); }
  Shared input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) override {
    return inner_->input(owner, value, rows, cols);
  }
  IntMatrix open(const Shared& x) override { return inner_->open(x); }
  std::optional<IntMatrix> open_to(net::PartyId receiver, const Shared& x) override {
    return inner_->open_to(receiver, x);
  }
  Shared random(Index rows, Index cols) override { return inner_->random(rows, cols); }
  Shared add(const Shared& x, const Shared& y) override { return inner_->add(x, y); }
  Shared sub(const Shared& x, const Shared& y) override { return inner_->sub(x, y); }
  Shared add_public(const Shared& x, const IntMatrix& c) override {
    return inner_->add_public(x, c);
  }
  Shared scale(const Shared& x, std::int64_t c) override { return inner_->scale(x, c); }
  Shared mul_public(const Shared& x, const IntMatrix& c) override {
    return inner_->mul_public(x, c);
  }
  Shared matmul_public(const Shared& x, const IntMatrix& c) override {
    return inner_->matmul_public(x, c);
  }
  Shared matmul_public(const IntMatrix& c, const Shared& x) override {
    return inner_->matmul_public(c, x);
  }
  Shared mul(const Shared& x, const Shared& y) override { return inner_->mul(x, y); }
  Shared matmul(const Shared& x, const Shared& y) override { return inner_->matmul(x, y); }
  Shared trunc(const Shared& x, int bits) override { return inner_->trunc(x, bits); }
  BitProducts gez_times(const Shared& x, const std::vector<Shared>& values) override {
    return inner_->gez_times(x, values);
  }
  BitProducts gez_offsets_times(const Shared& x, std::span<const std::int64_t> offsets,
                                const std::vector<Shared>& values) override {
    return inner_->gez_offsets_times(x, offsets, values);
  }
  Shared ltz(const Shared& x) override { return inner_->ltz(x); }
  OpCost gez_cost(std::uint64_t elements, int products, int thresholds) const override {
    return inner_->gez_cost(elements, products, thresholds);
  }
  BinarySharing* binary() override { return inner_->binary(); }
  void prepare_products(Index count) override { inner_->prepare_products(count); }
  std::optional<PrgStreams> streams() const override { return inner_->streams(); }
  void seek(const PrgStreams& state) override { inner_->seek(state); }

 protected:
  Protocol& inner() { return *inner_; }

 private:
  std::unique_ptr<Protocol> inner_;
};

}  // namespace jointly::testing::leakage
