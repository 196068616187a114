// Runs one protocol program on every party of an in-process network, for the parameterised
// suites that every protocol must pass (STYLE.md §6).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/prg.h"
#include "protocols/protocol.h"
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

  bool shamir() const { return scheme == Scheme::kShamir; }
  std::uint64_t element_bytes() const { return shamir() ? sizeof(Fp) : sizeof(Ring); }
};

inline std::ostream& operator<<(std::ostream& os, const ProtocolSetup& s) { return os << s.name; }

// Every party runs `body(protocol)`; randomness is derived from `seed`, so a failing run can be
// replayed. Exceptions on any party fail the call (the first root cause is rethrown).
inline void run_protocol(const ProtocolSetup& setup, std::uint64_t seed,
                         const std::function<void(Protocol&)>& body) {
  const Seed master = seed_from_u64(seed);
  net::run_in_memory(setup.parties, [&](net::Transport& transport) {
    net::Network network(transport);
    ProtocolSpec spec;
    spec.parties = setup.parties;
    spec.seed = derive_seed(master, "party", static_cast<std::uint64_t>(transport.self()));
    if (setup.scheme == Scheme::kReplicated) {
      spec.scheme = "replicated";
    } else if (setup.shamir()) {
      spec.scheme = "shamir";
      spec.multiplication =
          setup.multiplication == ShamirMultiplication::kBeaver ? "beaver" : "dn07";
    } else {
      spec.triples = "dealer";
      spec.dealer_seed = derive_seed(master, "dealer");
      spec.truncation = setup.truncation == Truncation::kPair    ? "pair"
                        : setup.truncation == Truncation::kLocal ? "local"
                                                                 : "auto";
    }
    ProtocolStack stack = build(spec, network);
    body(*stack.protocol);
  });
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
