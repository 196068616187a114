// The one interface that circuits/ and ml/ are written against. Whether shares are additive
// over Z_2^64 or Shamir over a prime field is the implementation's business.
//
// Every operation takes whole tensors: an interactive operation on a tensor of any size costs
// the same number of rounds as on one element (docs/cost.md lists rounds and bytes per call).
// Public values cross the interface as signed 64-bit integers (fixed-point encodings).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"
#include "protocols/prg.h"
#include "protocols/shared.h"

namespace jointly {

class BinarySharing;

// An arithmetic 0/1 share [b] and its products [b ∘ v] with tensors of b's shape.
struct BitProducts {
  Shared bit;
  std::vector<Shared> products;
};

// What one call costs each party (the tests assert it against net::Network::traffic()).
struct OpCost {
  std::uint64_t rounds = 0;
  std::uint64_t bytes_sent = 0;  // by this party, to all peers together
};

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

  // --- Security model (docs/security.md) -------------------------------------------------
  // The most parties that may collude (semi-honest) and still learn nothing: n − 1 for
  // additive sharing (dishonest majority), ⌊(n − 1)/2⌋ for Shamir and replicated sharing.
  virtual int corruption_threshold() const = 0;
  // False when trunc() may fail with a small probability per element (SecureML's local rule:
  // additive's local truncation, replicated's Π_trunc1); DP-SGD states its guarantee as
  // conditional on no failure there (docs/dp.md).
  virtual bool exact_truncation() const { return true; }

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

  // --- Comparison: each backend's own circuit (circuits/ builds ReLU, max, sigmoid on it) --
  // [x >= 0] as an arithmetic 0/1 share, and its products with each v (same shape as x),
  // folded into the comparison's last round where the backend can. Each backend states the
  // range of x it is exact for (docs/circuits.md).
  virtual BitProducts gez_times(const Shared& x, const std::vector<Shared>& values);
  // [x + o_j >= 0] for several public offsets, stacked: block j of the (k·rows) x cols result
  // is offset j, and `values` have that stacked shape. By default gez_times on the stacked
  // x + o_j; a backend may share work between the offsets (Shamir: one mask for all).
  virtual BitProducts gez_offsets_times(const Shared& x, std::span<const std::int64_t> offsets,
                                        const std::vector<Shared>& values);
  // [x < 0] as an arithmetic 0/1 share. By default 1 - [x >= 0].
  virtual Shared ltz(const Shared& x);
  // What gez_offsets_times costs each party for `elements` elements of x, `products` values
  // and `thresholds` offsets (gez_times: thresholds = 1).
  virtual OpCost gez_cost(std::uint64_t elements, int products = 0, int thresholds = 1) const;

  // --- Optional capabilities ------------------------------------------------------------
  // Bit-wise XOR sharing with one word per party per word (GMW), for circuits evaluated on
  // packed bits (circuits/bristol). Null when the backend has none: circuits then use
  // arithmetic sharings of bits (AND = mul, XOR = a + b - 2ab).
  virtual BinarySharing* binary() { return nullptr; }
  // Tells the backend that the next `count` element-wise products are coming, so it can
  // make their randomness in one round ahead (Shamir: DN07 double sharings). No-op otherwise.
  virtual void prepare_products(Index count) { (void)count; }

  // --- Checkpoints (docs/checkpoints.md) --------------------------------------------------
  // This party's PRG streams now; nullopt for a backend that cannot resume a run yet.
  virtual std::optional<PrgStreams> streams() const { return std::nullopt; }
  // Continues every stream at an earlier state's positions (its seeds must be this instance's:
  // throws std::invalid_argument otherwise, or if the backend cannot resume).
  virtual void seek(const PrgStreams& state);
};

}  // namespace jointly
