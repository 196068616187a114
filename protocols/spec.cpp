#include "protocols/spec.h"

#include <algorithm>
#include <functional>

#include "protocols/additive/additive.h"
#include "protocols/replicated/replicated.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/ot/ot_triples.h"
#include "protocols/triples/provider.h"

namespace jointly {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// One registered scheme: its rules and how to build it.
struct Scheme {
  std::string name;
  int min_parties, max_parties;  // max 0: no limit
  std::string why_parties;       // shown when the count is wrong
  // Accepted sources, in order of preference. The default is the first that is not the
  // simulated dealer and that works with the party count (source_fits); the dealer is never a
  // default, it runs only when named.
  std::vector<std::string> triples;
  std::vector<std::string> truncations;  // accepted rules, default first; empty: none to choose
  bool resumable;                        // checkpoints and --resume (Protocol::streams())
  std::function<ProtocolStack(const ProtocolSpec&, net::Network&)> build;
};

Truncation additive_truncation(const std::string& rule) {
  if (rule == "local") return Truncation::kLocal;
  if (rule == "auto") return Truncation::kAuto;
  return Truncation::kPair;
}

const std::vector<Scheme>& registry() {
  static const std::vector<Scheme> schemes = {
      {"additive",
       2,
       0,
       "",
       {"ot", "dealer"},
       {"pair", "local", "auto"},
       true,
       [](const ProtocolSpec& s, net::Network& network) {
         ProtocolStack stack;
         std::unique_ptr<TripleSource> source;
         if (s.triples == "ot") {
           source = std::make_unique<OtTriples>(
               network, s.seed ? derive_seed(*s.seed, "ot") : random_seed(), s.ot);
         } else {
           source = std::make_unique<Dealer>(*s.dealer_seed, network.self(), s.parties);
         }
         // Every source behind the one provider: prepare(plan) works for any of them.
         stack.triples = std::make_unique<TripleProvider>(std::move(source));
         AdditiveOptions options;
         options.truncation = additive_truncation(s.truncation);
         options.seed = s.seed;
         options.resume = s.resume;
         stack.protocol = std::make_unique<Additive>(network, *stack.triples, options);
         return stack;
       }},
      {"shamir",
       3,
       0,
       "an honest majority",
       {"dn07"},
       {},
       true,
       [](const ProtocolSpec& s, net::Network& network) {
         ProtocolStack stack;
         ShamirOptions options;
         options.multiplication = s.multiplication == "beaver" ? ShamirMultiplication::kBeaver
                                                               : ShamirMultiplication::kDn07;
         options.seed = s.seed;
         options.resume = s.resume;
         stack.protocol = std::make_unique<Shamir>(network, options);
         return stack;
       }},
      {"replicated",
       3,
       3,
       "2-out-of-3 replicated sharing",
       {"prss"},
       {},
       true,
       [](const ProtocolSpec& s, net::Network& network) {
         ProtocolStack stack;
         stack.protocol = std::make_unique<Replicated>(
             network, ReplicatedOptions{.seed = s.seed, .resume = s.resume});
         return stack;
       }},
  };
  return schemes;
}

const Scheme& scheme_of(const std::string& name) {
  for (const Scheme& s : registry()) {
    if (s.name == name) return s;
  }
  std::string known;
  for (const Scheme& s : registry()) known += (known.empty() ? "" : ", ") + quoted(s.name);
  throw SpecError("'protocol' must be one of " + known + ", not " + quoted(name));
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Party-count rules of a source that the scheme's own range does not already state.
bool source_fits(const std::string& source, int parties) { return source != "ot" || parties == 2; }

}  // namespace

std::vector<std::string> schemes() {
  std::vector<std::string> out;
  for (const Scheme& s : registry()) out.push_back(s.name);
  return out;
}

bool can_resume(const std::string& scheme) { return scheme_of(scheme).resumable; }

std::vector<std::string> triple_sources(const std::string& scheme) {
  return scheme_of(scheme).triples;
}

std::optional<std::string> default_triples(const std::string& scheme, int parties) {
  for (const std::string& t : scheme_of(scheme).triples) {
    if (t != "dealer" && source_fits(t, parties)) return t;
  }
  return std::nullopt;
}

ProtocolSpec ProtocolSpec::resolved() const {
  const Scheme& s = scheme_of(scheme);
  ProtocolSpec out = *this;
  if (out.triples.empty()) out.triples = default_triples(scheme, parties).value_or("");
  if (out.truncation.empty() && !s.truncations.empty()) out.truncation = s.truncations.front();
  return out;
}

void ProtocolSpec::validate() const {
  const Scheme& s = scheme_of(scheme);
  const ProtocolSpec r = resolved();
  const std::string p = "protocol = " + quoted(scheme);
  if (parties < s.min_parties || (s.max_parties > 0 && parties > s.max_parties)) {
    const std::string count = s.min_parties == s.max_parties
                                  ? "exactly " + std::to_string(s.min_parties)
                                  : "at least " + std::to_string(s.min_parties);
    throw SpecError(p + " needs " + count + " parties" +
                    (s.why_parties.empty() ? "" : " (" + s.why_parties + ")") + "; " +
                    std::to_string(parties) + " parties use protocol = \"additive\"");
  }
  if (r.triples.empty()) {
    // Only additive with 3+ parties gets here: its one dealer-free source, OT, is two-party.
    throw SpecError(p + " with " + std::to_string(parties) +
                    " parties has no dealer-free source of triples (triples = \"ot\" is for 2 "
                    "parties): use protocol = \"replicated\" (3 parties) or protocol = "
                    "\"shamir\" (3 or more), both honest majority and dealer-free; triples = "
                    "\"dealer\" with a 'dealer_seed' runs a simulation only");
  }
  if (!contains(s.triples, r.triples)) {
    for (const Scheme& other : registry()) {
      if (other.name != s.name && contains(other.triples, r.triples) && other.triples.size() == 1) {
        throw SpecError("triples = " + quoted(r.triples) + " is " + other.name +
                        "'s own randomness: use protocol = " + quoted(other.name));
      }
    }
    std::string allowed;
    for (const auto& t : s.triples) allowed += (allowed.empty() ? "" : " or ") + quoted(t);
    throw SpecError("'triples' must be " + allowed + " with " + p +
                    (s.triples.size() == 1 ? " (it makes its own randomness)" : ""));
  }
  if (s.truncations.empty() && !truncation.empty())
    throw SpecError("'truncation' is only used with protocol = \"additive\"");
  if (!s.truncations.empty() && !contains(s.truncations, r.truncation)) {
    throw SpecError("'truncation' must be \"pair\" or \"local\", not " + quoted(r.truncation));
  }
  if (r.triples == "ot" && parties != 2) {
    throw SpecError("triples = \"ot\" is the two-party source; " + std::to_string(parties) +
                    " parties use protocol = \"replicated\" (3 parties) or \"shamir\" (3 or "
                    "more), or triples = \"dealer\" for a simulation only");
  }
  if (r.truncation == "local" && parties != 2)
    throw SpecError("truncation = \"local\" is only correct for 2 parties");
  if (!multiplication.empty() &&
      (scheme != "shamir" || (multiplication != "dn07" && multiplication != "beaver")))
    throw SpecError("'multiplication' is \"dn07\" or \"beaver\", with protocol = \"shamir\" only");
  if (r.triples == "dealer" && !dealer_seed)
    throw SpecError("triples = \"dealer\" needs 'dealer_seed' (simulation only)");
  if (r.triples != "dealer" && dealer_seed)
    throw SpecError("'dealer_seed' is only used with triples = \"dealer\"");
  if (ot_named && r.triples != "ot")
    throw SpecError("'ot_extension', 'ot_k' and 'ot_threads' are only used with triples = \"ot\"");
  try {
    ot.validate();
  } catch (const std::invalid_argument& e) {
    throw SpecError(e.what());
  }
  if (resume && !s.resumable)
    throw SpecError(p + " cannot resume from a checkpoint yet (docs/checkpoints.md)");
}

ProtocolStack build(const ProtocolSpec& spec, net::Network& network) {
  spec.validate();
  if (network.parties() != spec.parties) {
    throw SpecError("the spec names " + std::to_string(spec.parties) +
                    " parties, the network has " + std::to_string(network.parties()));
  }
  const ProtocolSpec r = spec.resolved();
  ProtocolStack stack = scheme_of(r.scheme).build(r, network);
  stack.spec = r;
  return stack;
}

net::Traffic ProtocolStack::offline_on_network() const {
  if (!has_offline_phase()) return {};
  return triples->offline_traffic();
}

std::string ProtocolStack::triples_name() const {
  if (triples) return triples->name();
  if (spec.triples == "dn07") return "DN07 double sharings and random bits (no dealer, inline)";
  if (spec.triples == "prss") return "pairwise PRG keys (no dealer, no preprocessing)";
  return spec.triples + " (no dealer, inline)";
}

}  // namespace jointly
