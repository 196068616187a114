#include "protocols/wrong_shares.h"

#include <algorithm>

namespace jointly {
namespace {

// The search tries every set of up to e parties; beyond this many sets (n in the dozens) it
// gives up and reports the mismatch unlocated rather than stall the opening. Berlekamp–Welch
// would locate in polynomial time; no deployment here has more than a handful of parties.
constexpr long long kMaxCandidateSets = 1 << 16;

// "0, 2 or 3" (conjunction "or") or "0, 2 and 3".
std::string list(const std::vector<net::PartyId>& parties, const char* conjunction = " or ") {
  std::string out;
  for (std::size_t i = 0; i < parties.size(); ++i) {
    if (i > 0) out += i + 1 == parties.size() ? conjunction : ", ";
    out += std::to_string(parties[i]);
  }
  return out;
}

long long binomial(int n, int k) {
  long long c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

// Calls visit(set) for every `size`-subset of `pool` in lexicographic order until it returns
// true; returns whether it did.
bool any_subset(const std::vector<net::PartyId>& pool, int size,
                const std::function<bool(const std::vector<net::PartyId>&)>& visit) {
  std::vector<std::size_t> at(static_cast<std::size_t>(size));
  for (std::size_t i = 0; i < at.size(); ++i) at[i] = i;
  std::vector<net::PartyId> set(at.size());
  while (true) {
    for (std::size_t i = 0; i < at.size(); ++i) set[i] = pool[at[i]];
    if (visit(set)) return true;
    // Next combination: bump the rightmost index that can move, reset the ones after it.
    std::size_t i = at.size();
    while (i > 0 && at[i - 1] == pool.size() - at.size() + (i - 1)) --i;
    if (i == 0) return false;
    ++at[i - 1];
    for (std::size_t j = i; j < at.size(); ++j) at[j] = at[j - 1] + 1;
  }
}

}  // namespace

int locatable_wrong_shares(int n, int degree) { return std::max(0, (n - degree - 1) / 2); }

void throw_inconsistent_shares(int n, int degree, net::PartyId trusted,
                               const std::function<bool(const std::vector<net::PartyId>&)>& fits,
                               const std::string& context) {
  const int e = locatable_wrong_shares(n, degree);
  std::vector<net::PartyId> pool;
  for (net::PartyId p = 0; p < n; ++p) {
    if (p != trusted) pool.push_back(p);
  }
  const std::string polynomial = "degree-" + std::to_string(degree) + " polynomial";
  bool searched = true;
  for (int size = 1; size <= std::min(e, static_cast<int>(pool.size())); ++size) {
    if (binomial(static_cast<int>(pool.size()), size) > kMaxCandidateSets) {
      searched = false;
      break;
    }
    std::vector<net::PartyId> located;
    if (any_subset(pool, size, [&](const std::vector<net::PartyId>& set) {
          if (!fits(set)) return false;
          located = set;
          return true;
        })) {
      // The smallest explaining set is unique when at most e shares are wrong (header).
      const std::string who = located.size() == 1
                                  ? "party " + list(located) + "'s share is"
                                  : "the shares of parties " + list(located, " and ") + " are";
      throw InconsistentShares(located, located,
                               context + ": " + who + " off the " + polynomial +
                                   " through the other " + std::to_string(n - size) +
                                   " (value rejected; located assuming at most " +
                                   std::to_string(e) + " of the " + std::to_string(n) +
                                   (e == 1 ? " shares is wrong)" : " shares are wrong)"));
    }
  }
  const std::string why =
      searched ? std::to_string(n) + " shares of a " + polynomial + " locate at most " +
                     std::to_string(e) + " wrong share" + (e == 1 ? "" : "s") +
                     (e == 1  ? ", and no single one explains this"
                      : e > 1 ? ", and no set of up to " + std::to_string(e) + " explains this"
                              : "")
               : "too many parties to search";
  throw InconsistentShares({}, pool,
                           context + ": the " + std::to_string(n) + " shares are not on one " +
                               polynomial + "; cannot tell which of parties " + list(pool) +
                               " sent a wrong share (" + why + "; value rejected)");
}

}  // namespace jointly
