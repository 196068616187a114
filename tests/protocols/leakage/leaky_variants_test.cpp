// The leakage harness must catch realistic bugs: test-only variants of the real protocols, each
// made by a decorator or a rewritten message (no flag in production code opens a secret):
//   reused triple    a TripleSource that serves its first triple (or truncation pair) again;
//   dropped mask     a share sent without its mask: zero triples (additive: d = x_i goes on the
//                    wire), or a party's unmasked product share in place of its masked one
//                    (Shamir's DN07 opening, replicated's resharing);
//   reused PRG       the dealer's streams or the parties' streams rewound to where the first
//                    operation started (a checkpoint resumed at stale positions), or two
//                    parties' masks drawn from the same stream (Shamir parties seeded alike);
//   wrong receiver   open_to(r, x) that opens to the observer instead.
// Each test asserts that the harness flags the variant; the real protocols pass the same
// experiments (protocols_test.cpp).
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <tuple>

#include "tests/protocols/leakage/programs.h"

namespace jointly::testing::leakage {
namespace {

// --- Sources of correlated randomness with a bug --------------------------------------------
// Serves the first item of each shape again for every later request of that shape.
class ReusedTriples final : public ForwardingTriples {
 public:
  using ForwardingTriples::ForwardingTriples;
  BeaverTriple elementwise(Index rows, Index cols) override {
    return reuse(elementwise_, {rows, cols, 0}, [&] { return inner().elementwise(rows, cols); });
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    return reuse(matrix_, {m, k, n}, [&] { return inner().matrix(m, k, n); });
  }
  TruncPair trunc_pair(Index rows, Index cols, int bits) override {
    return reuse(pairs_, {rows, cols, bits}, [&] { return inner().trunc_pair(rows, cols, bits); });
  }

 private:
  using Key = std::tuple<Index, Index, Index>;
  template <class Item, class Make>
  static Item reuse(std::map<Key, Item>& cache, Key key, Make make) {
    const auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    return cache.emplace(key, make()).first->second;
  }
  std::map<Key, BeaverTriple> elementwise_, matrix_;
  std::map<Key, TruncPair> pairs_;
};

// Triples of zeros: a = b = c = 0, so Beaver's d = x - a and e = y - b are the shares themselves.
class ZeroMaskTriples final : public ForwardingTriples {
 public:
  using ForwardingTriples::ForwardingTriples;
  BeaverTriple elementwise(Index rows, Index cols) override {
    inner().elementwise(rows, cols);  // keep the parties' streams in step
    const RingMatrix z = RingMatrix::Zero(rows, cols);
    return {z, z, z};
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    inner().matrix(m, k, n);
    return {RingMatrix::Zero(m, k), RingMatrix::Zero(k, n), RingMatrix::Zero(m, n)};
  }
};

// Seeks the source's streams back to where they stood at its first request, before every
// later request: the dealer replays its first triple (stale checkpoint positions).
class RewoundTriples final : public ForwardingTriples {
 public:
  using ForwardingTriples::ForwardingTriples;
  BeaverTriple elementwise(Index rows, Index cols) override {
    rewind();
    return inner().elementwise(rows, cols);
  }
  BeaverTriple matrix(Index m, Index k, Index n) override {
    rewind();
    return inner().matrix(m, k, n);
  }
  TruncPair trunc_pair(Index rows, Index cols, int bits) override {
    rewind();
    return inner().trunc_pair(rows, cols, bits);
  }

 private:
  void rewind() {
    if (start_.empty()) {
      start_ = inner().positions();
    } else {
      inner().seek(start_);
    }
  }
  std::vector<std::uint64_t> start_;
};

// --- Protocols with a bug ---------------------------------------------------------------------
// Rewinds every stream of the party (Protocol::seek) to where it stood at the first product or
// truncation before each later one.
class RewoundProtocol final : public ForwardingProtocol {
 public:
  using ForwardingProtocol::ForwardingProtocol;
  Shared mul(const Shared& x, const Shared& y) override {
    rewind();
    return inner().mul(x, y);
  }
  Shared matmul(const Shared& x, const Shared& y) override {
    rewind();
    return inner().matmul(x, y);
  }
  Shared trunc(const Shared& x, int bits) override {
    rewind();
    return inner().trunc(x, bits);
  }

 private:
  void rewind() {
    if (!start_) {
      start_ = inner().streams();
    } else {
      inner().seek(*start_);
    }
  }
  std::optional<PrgStreams> start_;
};

// open_to(receiver, x) opens x to `to` instead.
class WrongReceiver final : public ForwardingProtocol {
 public:
  WrongReceiver(std::unique_ptr<Protocol> inner, net::PartyId to)
      : ForwardingProtocol(std::move(inner)), to_(to) {}
  std::optional<IntMatrix> open_to(net::PartyId, const Shared& x) override {
    return inner().open_to(to_, x);
  }

 private:
  net::PartyId to_;
};

template <class Decorator>
Hooks triples_hook() {
  Hooks h;
  h.triples = [](std::unique_ptr<TripleSource> s, net::PartyId) {
    return std::unique_ptr<TripleSource>(std::make_unique<Decorator>(std::move(s)));
  };
  return h;
}

// Field elements as Shamir puts them on the wire.
net::Bytes field_bytes(const FieldMatrix& m) {
  net::Bytes out(static_cast<std::size_t>(m.size()) * sizeof(u128));
  for (Index i = 0; i < m.size(); ++i) {
    const u128 v = m.data()[i].value();
    std::memcpy(out.data() + static_cast<std::size_t>(i) * sizeof v, &v, sizeof v);
  }
  return out;
}

Result run_variant(const std::string& variant, const ProtocolSetup& setup, Operation op,
                   Hooks hooks, Index cols = 2, Program program = {}, net::PartyId observer = 1) {
  Experiment e = experiment_for(setup, op, 300 + static_cast<int>(op), cols);
  e.observer = observer;
  e.name = variant + " (" + e.name + ")";
  e.hooks = std::move(hooks);
  if (program) e.program = std::move(program);
  const Result r = run_experiment(e);
  std::cout << "[leakage] " << r.summary() << "\n";
  return r;
}

// --- Reused triple ----------------------------------------------------------------------------
TEST(LeakyVariants, AReusedTripleIsCaught) {
  for (const ProtocolSetup& s : {additive_setup(2), additive_setup(3), additive_ot_setup()}) {
    for (Operation op : {Operation::kProducts, Operation::kMatrixProducts}) {
      const Result r = run_variant("reused triple", s, op, triples_hook<ReusedTriples>());
      EXPECT_TRUE(r.leaks()) << r.summary();
    }
  }
  // A reused truncation pair (additive with 3 parties truncates by one masked opening).
  const Result r = run_variant("reused trunc pair", additive_setup(3), Operation::kTruncation,
                               triples_hook<ReusedTriples>());
  EXPECT_TRUE(r.leaks()) << r.summary();
}

// --- Dropped mask -----------------------------------------------------------------------------
TEST(LeakyVariants, ADroppedBeaverMaskIsCaught) {
  for (const ProtocolSetup& s : {additive_setup(2), additive_setup(3), additive_ot_setup()}) {
    for (Operation op : {Operation::kProducts, Operation::kMatrixProducts}) {
      const Result r = run_variant("dropped mask", s, op, triples_hook<ZeroMaskTriples>());
      EXPECT_TRUE(r.leaks()) << r.summary();
    }
  }
}

TEST(LeakyVariants, AnUnmaskedShamirProductShareIsCaught) {
  // Party 0 sends its degree-2t product share x_0 y_0 instead of x_0 y_0 - [r]_2t in the
  // first product's opening (its second message to the observer; the first is its dealing).
  const Program program = [](PartyRun& run) {
    const Shared x = run.input(0), y = run.input(1), u = run.input(2), v = run.input(3);
    if (run.self() == 0) run.rewrite(1, 1, field_bytes(x.field().cwiseProduct(y.field())));
    run.record(run.protocol().mul(x, y));
    run.record(run.protocol().mul(u, v));
  };
  const Result r =
      run_variant("dropped mask", shamir_setup(3), Operation::kProducts, {}, 1, program);
  EXPECT_TRUE(r.leaks()) << r.summary();
}

// Replicated's observer is party 2 here: it holds x_0 of party 0's inputs, so party 0's
// cross terms x_0 y_0 + x_0 y_1 + x_1 y_0 = x_0 y + x y_0 - x_0 y_0 involve the secrets. (Party
// 1's view of party 2's would not: for inputs of party 0, x_2 = y_2 = 0.)
constexpr net::PartyId kReplicatedObserver = 2;

TEST(LeakyVariants, AnUnmaskedReplicatedResharingIsCaught) {
  // Party 0 sends the observer (its predecessor) its product share without the zero sharing.
  const Program program = [](PartyRun& run) {
    const Shared x = run.input(0), y = run.input(1), u = run.input(2), v = run.input(3);
    if (run.self() == 0) {
      const RingPair &a = x.pair(), &b = y.pair();
      const RingMatrix z = a.mine.cwiseProduct(b.mine + b.next) + a.next.cwiseProduct(b.mine);
      run.rewrite(kReplicatedObserver, 0, pack({&z}));
    }
    run.record(run.protocol().mul(x, y));
    run.record(run.protocol().mul(u, v));
  };
  const Result r = run_variant("dropped mask", replicated_setup(), Operation::kProducts, {}, 2,
                               program, kReplicatedObserver);
  EXPECT_TRUE(r.leaks()) << r.summary();
}

TEST(LeakyVariants, TheRealReplicatedResharingPassesForTheSameObserver) {
  // Control for the two replicated variants: the same program and observer, no bug.
  const Result r = run_variant("control", replicated_setup(), Operation::kProducts, {}, 2, {},
                               kReplicatedObserver);
  EXPECT_FALSE(r.leaks()) << r.summary();
  EXPECT_EQ(r.relation.outside_a, 0u) << r.summary();
}

// --- Reused PRG stream ------------------------------------------------------------------------
TEST(LeakyVariants, ARewoundDealerStreamIsCaught) {
  for (const ProtocolSetup& s : {additive_setup(2), additive_setup(3)}) {
    const Result r =
        run_variant("reused PRG stream", s, Operation::kProducts, triples_hook<RewoundTriples>());
    EXPECT_TRUE(r.leaks()) << r.summary();
  }
}

Hooks rewound_streams() {
  Hooks h;
  h.protocol = [](std::unique_ptr<Protocol> p, net::PartyId) {
    return std::unique_ptr<Protocol>(std::make_unique<RewoundProtocol>(std::move(p)));
  };
  return h;
}

TEST(LeakyVariants, RewoundShamirStreamsAreCaught) {
  for (Operation op : {Operation::kProducts, Operation::kTruncation}) {
    const Result r = run_variant("reused PRG stream", shamir_setup(3), op, rewound_streams(), 1);
    EXPECT_TRUE(r.leaks()) << r.summary();
  }
}

TEST(LeakyVariants, RewoundReplicatedStreamsAreCaught) {
  // The second product's zero sharing repeats the first's.
  const Result r = run_variant("reused PRG stream", replicated_setup(), Operation::kProducts,
                               rewound_streams(), 2, {}, kReplicatedObserver);
  EXPECT_TRUE(r.leaks()) << r.summary();
}

TEST(LeakyVariants, TwoShamirPartiesOnOneStreamAreCaught) {
  // Parties 0 and 1 seeded alike (a seed derived without the party's index): the observer's
  // own dealings repeat party 0's polynomial coefficients, among them those hiding its inputs.
  Hooks h;
  h.shamir = [](net::PartyId self, const Seed& master, ShamirOptions& options) {
    if (self <= 1) options.seed = derive_seed(master, "one stream");
  };
  const Result r = run_variant("reused PRG stream", shamir_setup(3), Operation::kProducts, h, 1);
  EXPECT_TRUE(r.leaks()) << r.summary();
}

// --- Opening to the wrong party -----------------------------------------------------------------
TEST(LeakyVariants, AnOpeningToTheWrongPartyIsCaught) {
  Hooks h;
  h.protocol = [](std::unique_ptr<Protocol> p, net::PartyId) {
    return std::unique_ptr<Protocol>(std::make_unique<WrongReceiver>(std::move(p), 1));
  };
  for (const ProtocolSetup& s : {additive_setup(2), additive_setup(3), additive_ot_setup(),
                                 shamir_setup(3), replicated_setup()}) {
    const Result r = run_variant("wrong receiver", s, Operation::kOpenTo, h);
    EXPECT_TRUE(r.leaks()) << r.summary();
  }
}

}  // namespace
}  // namespace jointly::testing::leakage
