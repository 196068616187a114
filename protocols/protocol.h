// The one interface that circuits/ and ml/ are written against. Whether shares are additive
// over Z_2^64 or Shamir over a prime field is the implementation's business.
//
// Every operation takes whole tensors: an interactive operation on a tensor of any size costs
// the same number of rounds as on one element (docs/cost.md lists rounds and bytes per call).
// Public values cross the interface as signed 64-bit integers (fixed-point encodings).
#pragma once

#include <optional>
#include <string>

#include "net/network.h"
#include "protocols/shared.h"

namespace jointly {

class Protocol {
 public:
  virtual ~Protocol() = default;

  // E.g. "additive/3 with dealer triples (SIMULATION ONLY: the dealer sees every share)".
  virtual std::string name() const = 0;
  // The channels this protocol instance runs over (counters included). Protocol objects do
  // not own their network; the caller keeps it alive.
  virtual net::Network& network() const = 0;
  net::PartyId self() const { return network().self(); }
  int parties() const { return network().parties(); }

  // --- Sharing and opening ---------------------------------------------------------------
  // Secret-shares a value held by `owner`. The owner passes the value; every other party
  // passes nullptr and the same shape.
  virtual Shared input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) = 0;
  // Reveals x to every party (1 round).
  virtual IntMatrix open(const Shared& x) = 0;
  // Reveals x to `receiver` only (1 round); the others get nullopt and learn nothing.
  virtual std::optional<IntMatrix> open_to(net::PartyId receiver, const Shared& x) = 0;
  // A uniformly random shared tensor that no party knows (0 rounds).
  virtual Shared random(Index rows, Index cols) = 0;

  // --- Local (0 rounds) ------------------------------------------------------------------
  virtual Shared add(const Shared& x, const Shared& y) = 0;
  virtual Shared sub(const Shared& x, const Shared& y) = 0;
  virtual Shared add_public(const Shared& x, const IntMatrix& c) = 0;
  virtual Shared scale(const Shared& x, std::int64_t c) = 0;
  virtual Shared mul_public(const Shared& x, const IntMatrix& c) = 0;     // element-wise
  virtual Shared matmul_public(const Shared& x, const IntMatrix& c) = 0;  // x · c
  virtual Shared matmul_public(const IntMatrix& c, const Shared& x) = 0;  // c · x

  // --- Interactive -----------------------------------------------------------------------
  // Element-wise product (Beaver: 1 round).
  virtual Shared mul(const Shared& x, const Shared& y) = 0;
  // Matrix product x (m×k) · y (k×n) with a matrix triple: 1 round, |x|+|y| elements.
  virtual Shared matmul(const Shared& x, const Shared& y) = 0;
  // Divides by 2^bits (fixed-point rescaling after a product). Exact up to ±1 in the last
  // place for inputs with |x| < 2^62; see docs/fixed-point.md for each protocol's rule.
  virtual Shared trunc(const Shared& x, int bits) = 0;
};

}  // namespace jointly
