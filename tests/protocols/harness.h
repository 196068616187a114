// Runs one protocol program on every party of an in-process network, for the parameterised
// suites that every protocol must pass (STYLE.md §6). A ProtocolSetup names a scheme, a party
// count and a source of correlated randomness; the suites instantiate over the lists below.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/prg.h"
#include "protocols/protocol.h"
#include "protocols/shamir/compare.h"
#include "protocols/shamir/shamir.h"
#include "protocols/spec.h"
#include "protocols/triples/dealer.h"

namespace jointly::testing {

enum class Scheme { kAdditive, kShamir, kReplicated };

struct ProtocolSetup {
  std::string name;
  int parties;
  Truncation truncation = Truncation::kAuto;  // additive only
  Scheme scheme = Scheme::kAdditive;
  ShamirMultiplication multiplication = ShamirMultiplication::kDn07;  // Shamir only
  // The source of correlated randomness as a consortium file spells it (protocols/spec.h):
  // additive "dealer" (simulation only) or "ot" (2 parties); empty: the scheme's own (Shamir
  // "dn07", replicated "prss").
  std::string triples{};

  bool shamir() const { return scheme == Scheme::kShamir; }
  bool replicated() const { return scheme == Scheme::kReplicated; }
  bool ot() const { return triples == "ot"; }
  std::uint64_t element_bytes() const { return shamir() ? sizeof(Fp) : sizeof(Ring); }
  // Whether the backend has a bit-wise XOR sharing (Protocol::binary(): additive only).
  bool binary() const { return scheme == Scheme::kAdditive; }
  // Additive truncation is local (SecureML, 0 rounds) rather than by a pair.
  bool local_truncation() const {
    return scheme == Scheme::kAdditive && parties == 2 && truncation != Truncation::kPair;
  }
  // Every interactive round sends one message to every peer (additive and Shamir); replicated
  // sends to one peer at most.
  bool all_to_all() const { return !replicated(); }
  // Largest |x| every comparison (Protocol::gez_times) is exact for: Shamir's bit
  // decomposition needs |x| < 2^32 (protocols/shamir/compare.h); additive's GMW adder and
  // replicated's binary adder take every 64-bit x.
  std::int64_t compare_bound() const {
    return shamir() ? (std::int64_t{1} << (kFieldCompareBits - 1)) - 1
                    : std::numeric_limits<std::int64_t>::max();
  }
};

inline std::ostream& operator<<(std::ostream& os, const ProtocolSetup& s) { return os << s.name; }

// --- The matrix: every scheme with every source of correlated randomness ------------------
inline ProtocolSetup additive_setup(int parties, Truncation truncation = Truncation::kAuto) {
  std::string name = "additive" + std::to_string(parties);
  if (truncation == Truncation::kPair && parties == 2) name += "_pair_trunc";
  return {name, parties, truncation, Scheme::kAdditive, ShamirMultiplication::kDn07, "dealer"};
}
// Two parties with triples from oblivious transfer (SoftSpokenOT + Gilboa, made on demand): no
// dealer, but slower, so suites keep its sizes small.
inline ProtocolSetup additive_ot_setup(Truncation truncation = Truncation::kAuto) {
  return {truncation == Truncation::kPair ? "additive2_ot_pair_trunc" : "additive2_ot",
          2,
          truncation,
          Scheme::kAdditive,
          ShamirMultiplication::kDn07,
          "ot"};
}
inline ProtocolSetup shamir_setup(int parties,
                                  ShamirMultiplication mul = ShamirMultiplication::kDn07) {
  return {
      "shamir" + std::to_string(parties) + (mul == ShamirMultiplication::kBeaver ? "_beaver" : ""),
      parties,
      Truncation::kAuto,
      Scheme::kShamir,
      mul,
      "dn07"};
}
inline ProtocolSetup replicated_setup() {
  return {"replicated3", 3, Truncation::kAuto, Scheme::kReplicated, ShamirMultiplication::kDn07,
          "prss"};
}

// Each party's stack while run_protocol runs its body, for online_traffic().
struct RunningStacks {
  std::mutex mutex;
  std::map<const Protocol*, const ProtocolStack*> stacks;
};
inline RunningStacks& running_stacks() {
  static RunningStacks running;
  return running;
}

// This party's traffic of the online phase: the network's counters less what the source of
// correlated randomness exchanged on the same network (OT triples made on demand, counted apart
// in TripleSource::offline_traffic(); the dealer's is not on the network). Cost assertions take
// differences of this, so they hold for every source.
inline net::Traffic online_traffic(const Protocol& protocol) {
  RunningStacks& running = running_stacks();
  const std::lock_guard guard(running.mutex);
  const auto it = running.stacks.find(&protocol);
  const net::Traffic total = protocol.network().traffic();
  return it == running.stacks.end() ? total : total - it->second->offline_on_network();
}

// This party's source of correlated randomness while run_protocol runs its body (null for
// schemes that make their own).
inline const TripleSource* triple_source(const Protocol& protocol) {
  RunningStacks& running = running_stacks();
  const std::lock_guard guard(running.mutex);
  const auto it = running.stacks.find(&protocol);
  return it == running.stacks.end() ? nullptr : it->second->triples.get();
}

// Every party runs `body(protocol)`; randomness is derived from `seed`, so a failing run can be
// replayed. Exceptions on any party fail the call (the first root cause is rethrown), and so
// does a run longer than `timeout`.
inline void run_protocol(const ProtocolSetup& setup, std::uint64_t seed,
                         const std::function<void(Protocol&)>& body,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const Seed master = seed_from_u64(seed);
  net::run_in_memory(
      setup.parties,
      [&](net::Transport& transport) {
        net::Network network(transport);
        ProtocolSpec spec;
        spec.parties = setup.parties;
        spec.seed = derive_seed(master, "party", static_cast<std::uint64_t>(transport.self()));
        spec.triples = setup.triples;
        if (setup.replicated()) {
          spec.scheme = "replicated";
        } else if (setup.shamir()) {
          spec.scheme = "shamir";
          spec.multiplication =
              setup.multiplication == ShamirMultiplication::kBeaver ? "beaver" : "dn07";
        } else {
          // The harness's additive default is the seeded dealer (reproducible); OT by name.
          if (spec.triples.empty()) spec.triples = "dealer";
          if (spec.triples == "dealer") spec.dealer_seed = derive_seed(master, "dealer");
          spec.truncation = setup.truncation == Truncation::kPair    ? "pair"
                            : setup.truncation == Truncation::kLocal ? "local"
                                                                     : "auto";
        }
        const ProtocolStack stack = build(spec, network);
        RunningStacks& running = running_stacks();
        {
          const std::lock_guard guard(running.mutex);
          running.stacks[stack.protocol.get()] = &stack;
        }
        struct Unregister {
          RunningStacks& running;
          const Protocol* protocol;
          ~Unregister() {
            const std::lock_guard guard(running.mutex);
            running.stacks.erase(protocol);
          }
        } unregister{running, stack.protocol.get()};
        body(*stack.protocol);
      },
      timeout);
}

// Plaintext random data for tests, reproducible from a seed.
inline IntMatrix random_ints(Prg& prg, Index rows, Index cols) {
  return to_int(prg.ring(rows, cols));
}

// Values below 2^20 in magnitude: products and short sums stay exact in every protocol (the
// field has no wrap-around at 2^64, so tests compare against integer arithmetic).
inline IntMatrix small_ints(Prg& prg, Index rows, Index cols) {
  return to_int(prg.ring(rows, cols)).unaryExpr([](std::int64_t v) {
    return v % (std::int64_t{1} << 20);
  });
}

}  // namespace jointly::testing
