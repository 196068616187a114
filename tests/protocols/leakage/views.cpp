#include "tests/protocols/leakage/views.h"

#include <cstring>
#include <sstream>
#include <stdexcept>

#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/ot/ot_triples.h"

namespace jointly::testing::leakage {

// The observer's transport: appends every message it receives (and sends, if asked) to its
// view, cut into elements; on any party, replaces a message a leaky variant armed.
class Recorder final : public net::Transport {
 public:
  Recorder(net::Transport& inner, Algebra algebra, std::vector<u128>* view, bool record_sent)
      : inner_(inner),
        algebra_(algebra),
        view_(view),
        record_sent_(record_sent),
        rewrites_(static_cast<std::size_t>(inner.parties())) {}

  net::PartyId self() const override { return inner_.self(); }
  int parties() const override { return inner_.parties(); }
  std::string peer_name(net::PartyId peer) const override { return inner_.peer_name(peer); }
  void abort_session(const std::string& reason) override { inner_.abort_session(reason); }

  void send(net::PartyId peer, net::Bytes data) override {
    Rewrite& r = rewrites_[static_cast<std::size_t>(peer)];
    if (r.armed) {
      if (r.skip == 0) {
        data = std::move(r.payload);
        r.armed = false;
      } else {
        --r.skip;
      }
    }
    if (record_sent_) append(data);
    inner_.send(peer, std::move(data));
  }
  net::Bytes recv(net::PartyId peer) override {
    net::Bytes data = inner_.recv(peer);
    append(data);
    return data;
  }

  void rewrite(net::PartyId to, std::size_t skip, net::Bytes payload) {
    rewrites_.at(static_cast<std::size_t>(to)) = {true, skip, std::move(payload)};
  }
  // Preprocessing on the network (OT triples) is not part of the online view.
  void pause(bool on) { paused_ = on; }
  void append_elements(const std::vector<u128>& elements) {
    if (view_ != nullptr) view_->insert(view_->end(), elements.begin(), elements.end());
  }

 private:
  struct Rewrite {
    bool armed = false;
    std::size_t skip = 0;
    net::Bytes payload;
  };

  void append(const net::Bytes& data) {
    if (view_ == nullptr || paused_) return;
    const std::size_t size = algebra_ == Algebra::kRing ? sizeof(Ring) : sizeof(u128);
    for (std::size_t at = 0; at < data.size(); at += size) {
      u128 v = 0;
      std::memcpy(&v, data.data() + at, std::min(size, data.size() - at));
      view_->push_back(v);
    }
  }

  net::Transport& inner_;
  Algebra algebra_;
  std::vector<u128>* view_;
  bool record_sent_;
  bool paused_ = false;
  std::vector<Rewrite> rewrites_;
};

namespace {

// Keeps the source's own network traffic (OT preprocessing) out of the view.
class PausingTriples final : public ForwardingTriples {
 public:
  PausingTriples(std::unique_ptr<TripleSource> inner, Recorder& recorder)
      : ForwardingTriples(std::move(inner)), recorder_(recorder) {}
  PausingTriples(TripleSource& inner, Recorder& recorder)
      : ForwardingTriples(inner), recorder_(recorder) {}

 private:
  template <class F>
  auto paused(F f) {
    recorder_.pause(true);
    auto out = f();
    recorder_.pause(false);
    return out;
  }

 public:
  BeaverTriple elementwise(Index rows, Index cols) override {
    return paused([&] { return inner().elementwise(rows, cols); });
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    return paused([&] { return inner().matrix(m, k, n); });
  }
  TruncPair trunc_pair(Index rows, Index cols, int bits) override {
    return paused([&] { return inner().trunc_pair(rows, cols, bits); });
  }
  BeaverTriple and_triples(Index rows, Index cols) override {
    return paused([&] { return inner().and_triples(rows, cols); });
  }
  DaBits dabits(Index rows, Index cols) override {
    return paused([&] { return inner().dabits(rows, cols); });
  }

 private:
  Recorder& recorder_;
};

Algebra algebra_of(const ProtocolSetup& setup) {
  return setup.shamir() ? Algebra::kField : Algebra::kRing;
}

}  // namespace

PartyRun::PartyRun(Protocol& protocol, const Secrets& secrets, Recorder& recorder, Algebra algebra,
                   bool observer)
    : protocol_(protocol),
      secrets_(secrets),
      recorder_(recorder),
      algebra_(algebra),
      observer_(observer) {}

Shared PartyRun::input(std::size_t i) {
  const IntMatrix& s = secrets_.at(i);
  Shared x = protocol_.input(0, self() == 0 ? &s : nullptr, s.rows(), s.cols());
  record(x);
  return x;
}

void PartyRun::record(const Shared& x) {
  if (!observer_) return;
  std::vector<u128> out;
  const auto ring = [&](const RingMatrix& m) {
    for (Index i = 0; i < m.size(); ++i) out.push_back(m.data()[i]);
  };
  if (x.is_ring()) {
    ring(x.ring());
  } else if (x.is_pair()) {
    ring(x.pair().mine);
    ring(x.pair().next);
  } else {
    for (Index i = 0; i < x.size(); ++i) out.push_back(x.field().data()[i].value());
  }
  (void)algebra_;
  recorder_.append_elements(out);
}

void PartyRun::rewrite(net::PartyId to, std::size_t skip, net::Bytes payload) {
  recorder_.rewrite(to, skip, std::move(payload));
}

Views collect(const Experiment& e, const Secrets& secrets, std::size_t runs, std::uint64_t seed,
              bool* same_structure) {
  const ProtocolSetup& setup = e.setup;
  Views views;
  views.algebra = algebra_of(setup);
  Secrets shapes;
  for (const IntMatrix& s : secrets) shapes.push_back(IntMatrix::Zero(s.rows(), s.cols()));
  const Seed session = seed_from_u64(seed);
  // One session for all runs: every party's thread runs them one after the other, each with
  // a new protocol and fresh seeds. Only the OT source lives as long as the session (its base
  // OTs are set-up, like a deployment's; every run extends them with fresh randomness).
  net::run_in_memory(setup.parties, [&](net::Transport& raw) {
    const net::PartyId self = raw.self();
    const bool observing = self == e.observer;
    std::vector<u128> view;
    Recorder recorder(raw, views.algebra, observing ? &view : nullptr, e.record_sent);
    net::Network network(recorder);
    std::unique_ptr<TripleSource> ot;
    if (!setup.shamir() && !setup.replicated() && setup.ot()) {
      recorder.pause(true);
      ot = std::make_unique<OtTriples>(
          network, derive_seed(session, "ot", static_cast<std::uint64_t>(self)));
      recorder.pause(false);
    }
    for (std::size_t r = 0; r < runs; ++r) {
      const Seed master = derive_seed(session, "leakage.run", r);
      const Seed party_seed = derive_seed(master, "party", static_cast<std::uint64_t>(self));
      std::unique_ptr<TripleSource> source;
      std::unique_ptr<Protocol> protocol;
      if (setup.replicated()) {
        ReplicatedOptions options;
        options.seed = party_seed;
        if (e.hooks.replicated) e.hooks.replicated(self, master, options);
        protocol = std::make_unique<Replicated>(network, options);
      } else if (setup.shamir()) {
        ShamirOptions options;
        options.multiplication = setup.multiplication;
        options.seed = party_seed;
        if (e.hooks.shamir) e.hooks.shamir(self, master, options);
        protocol = std::make_unique<Shamir>(network, options);
      } else {
        if (ot) {
          source = std::make_unique<PausingTriples>(*ot, recorder);
        } else {
          source = std::make_unique<PausingTriples>(
              std::make_unique<Dealer>(derive_seed(master, "dealer"), self, setup.parties),
              recorder);
        }
        if (e.hooks.triples) source = e.hooks.triples(std::move(source), self);
        AdditiveOptions options;
        options.truncation = setup.truncation;
        options.seed = party_seed;
        protocol = std::make_unique<Additive>(network, *source, options);
      }
      if (e.hooks.protocol) protocol = e.hooks.protocol(std::move(protocol), self);
      PartyRun run(*protocol, self == 0 ? secrets : shapes, recorder, views.algebra, observing);
      e.program(run);
      if (!observing) continue;
      if (r == 0) views.width = view.size();
      if (view.size() != views.width) {
        if (same_structure != nullptr) *same_structure = false;
        view.resize(views.width);
      }
      views.elements.insert(views.elements.end(), view.begin(), view.end());
      view.clear();
    }
  });
  return views;
}

Result run_experiment(const Experiment& e) {
  const auto start = std::chrono::steady_clock::now();
  Result out;
  out.name = e.name;
  bool same = true;
  const Views pilot = collect(e, e.a, 1, e.seed, &same);
  const std::size_t train = relation_features(pilot.algebra, pilot.width, e.quadratic_limit) + 64;
  const Views a = collect(e, e.a, train + e.tests, e.seed, &same);
  const Views b = collect(e, e.b, e.tests, e.seed + (std::uint64_t{1} << 32), &same);
  out.width = a.width;
  out.runs = a.runs() + b.runs();
  out.same_structure = same && a.width == b.width;
  if (out.same_structure) {
    out.marginal = marginal_test(a, b);
    out.relation = relation_test(a, b, train, e.quadratic_limit);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::string Result::summary() const {
  std::ostringstream s;
  s.precision(3);
  s << name << ": " << width << " elements x " << runs << " runs";
  if (!same_structure) {
    s << "; the views' length depends on the secret";
    return s.str();
  }
  s << "; marginal chi2 " << marginal.chi2 << " (df " << marginal.df << ", element "
    << marginal.position << " nibble " << marginal.nibble << "), Bonferroni p 10^"
    << marginal.log10_p_adjusted << " over " << marginal.tests << " tests; relations "
    << (relation.quadratic ? "(quadratic) " : "(affine) ") << relation.features
    << " features, rank " << relation.rank << ", outside A " << relation.outside_a << "/"
    << relation.tests_a << ", B " << relation.outside_b << "/" << relation.tests_b
    << ", Fisher p 10^" << relation.log10_p << "; " << seconds << " s";
  return s.str();
}

}  // namespace jointly::testing::leakage
