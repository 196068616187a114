// Who sent a wrong share? Locating corrupted shares in an opening of a threshold sharing.
//
// The n shares of a polynomial of degree d form a Reed–Solomon codeword of minimum distance
// n − d. So up to n − d − 1 wrong shares are always detected, and up to
// e = ⌊(n − d − 1) / 2⌋ are located: two polynomials of degree d that each agree with all but
// e shares agree with each other on n − 2e ≥ d + 1 points, hence are equal, so the smallest
// set of parties whose shares explain the mismatch is unique and is the truth. With more than
// e wrong shares another polynomial may be within e of the received shares — parties that lie
// together can frame an honest one (n − d − e colluders suffice) — so a location is only
// claimed under the assumption that at most e shares are wrong, and said so in the message.
// Knowing the receiver's own share is right does not raise e (the codewords that agree there
// still differ in n − d places), but that party is never blamed.
//
// Shamir with n = 2t + 1 opening degree-t sharings: e = ⌊t / 2⌋, i.e. n = 3: 0 (detected, not
// located: any two of three points lie on a line), n = 5 and n = 7: 1. docs/shamir.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "net/transport.h"

namespace jointly {

// The shares of an opening do not lie on one polynomial of the expected degree. peer() is the
// located culprit (the first if several were located) or kUnlocated; candidates() lists the
// parties that may have sent a wrong share: the located ones, or every party the receiver
// cannot rule out.
class InconsistentShares : public net::PeerError {
 public:
  static constexpr net::PartyId kUnlocated = -1;

  InconsistentShares(std::vector<net::PartyId> located, std::vector<net::PartyId> candidates,
                     const std::string& what)
      : net::PeerError(located.empty() ? kUnlocated : located.front(), what),
        located_(std::move(located)),
        candidates_(std::move(candidates)) {}

  bool located() const { return !located_.empty(); }
  const std::vector<net::PartyId>& culprits() const { return located_; }
  const std::vector<net::PartyId>& candidates() const { return candidates_; }

 private:
  std::vector<net::PartyId> located_, candidates_;
};

// e = ⌊(n − degree − 1) / 2⌋: how many wrong shares among n of a degree-`degree` polynomial
// are always located (0 when degree >= n - 2).
int locatable_wrong_shares(int n, int degree);

// Called once n shares are known not to lie on one polynomial of degree `degree`.
// `fits(excluded)` says whether the shares of the parties not in `excluded` (sorted) lie on one
// polynomial of that degree. `trusted` is a party whose share is known to be right (the
// receiver's own), or -1. Tries every set of at most e parties, smallest first, and throws
// InconsistentShares naming the one set that explains the mismatch, or, if none does, every
// untrusted party as a candidate. `context` starts the message ("inconsistent shares in an
// opening").
[[noreturn]] void throw_inconsistent_shares(
    int n, int degree, net::PartyId trusted,
    const std::function<bool(const std::vector<net::PartyId>&)>& fits, const std::string& context);

}  // namespace jointly
