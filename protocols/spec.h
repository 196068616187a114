// The one place where a protocol is chosen and built. A consortium file, jointly-sim,
// jointly-bench, the OT planner and the tests fill in a ProtocolSpec; validate() holds every
// rule about which scheme goes with which party count, source of correlated randomness and
// truncation; build() constructs the backend and its source. Adding a protocol is a new
// folder in protocols/ plus one entry in the registry in spec.cpp (docs/adding-a-protocol.md).
//
//   scheme       parties  triples (default first)           trusted party
//   additive     2+       ot (2 parties only) | dealer       dealer: SIMULATION ONLY; ot: none
//   shamir       3+       dn07                               none (honest majority)
//   replicated   3        prss (pairwise PRG keys)           none (honest majority)
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/network.h"
#include "protocols/ot/extension/extension.h"
#include "protocols/prg.h"
#include "protocols/protocol.h"
#include "protocols/triples/triple_source.h"

namespace jointly {

// A rule broken; the message names the setting as the consortium file spells it ('protocol',
// 'triples', 'truncation', 'dealer_seed') so every front end can show it as it is.
class SpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ProtocolSpec {
  std::string scheme = "additive";  // a registered scheme: schemes()
  int parties = 2;
  std::string triples;         // empty: default_triples(scheme, parties)
  std::string truncation;      // empty: the scheme's default; additive: "pair" | "local" | "auto"
  std::string multiplication;  // shamir: "dn07" (default) | "beaver"
  std::optional<Seed> dealer_seed;  // triples = "dealer" only (SIMULATION ONLY)
  // triples = "ot" only: the OT extension ('ot_extension', 'ot_k', 'ot_threads'; docs/ot.md).
  ot::OtOptions ot;
  bool ot_named = false;     // the file or command line set one of them (refused without OT)
  std::optional<Seed> seed;  // this party's private randomness; random if empty (tests fix it)
  // Additive and replicated resuming from a checkpoint's streams (docs/checkpoints.md).
  std::optional<PrgStreams> resume;

  // The spec with every default filled in (triples, truncation; triples stays empty when
  // there is no dealer-free default). Throws SpecError for an unknown scheme.
  ProtocolSpec resolved() const;
  // Throws SpecError naming the setting and the fix if the combination cannot run.
  void validate() const;
};

// The registered schemes, in the order the docs list them.
std::vector<std::string> schemes();
// True for schemes whose runs can resume from checkpoints (their Protocol has streams()).
bool can_resume(const std::string& scheme);
// The sources of correlated randomness a scheme accepts, in order of preference.
std::vector<std::string> triple_sources(const std::string& scheme);
// The source used when none is named: the first of triple_sources() that needs no trusted
// party and works with `parties`. Never the simulated dealer, which runs only when named; none
// for additive with 3+ parties (validate() then says what to use instead).
std::optional<std::string> default_triples(const std::string& scheme, int parties);

// A built protocol and the source it draws from (none for schemes that make their own).
struct ProtocolStack {
  std::unique_ptr<TripleSource> triples;
  std::unique_ptr<Protocol> protocol;
  ProtocolSpec spec;  // resolved

  // True when the source can make a whole plan ahead of the online phase (OT triples).
  bool has_offline_phase() const { return triples && triples->has_offline_phase(); }
  // Traffic of preprocessing that ran apart from the online phase on the same network (OT).
  net::Traffic offline_on_network() const;
  std::string triples_name() const;
};

// Validates, then builds on `network` (whose party count must equal spec.parties).
ProtocolStack build(const ProtocolSpec& spec, net::Network& network);

}  // namespace jointly
