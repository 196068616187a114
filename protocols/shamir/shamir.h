// Shamir secret sharing over F_p (p = 2^127 - 1) for n >= 3 parties with threshold t < n/2:
// semi-honest security with an honest majority, and no dealer at all — every piece of
// correlated randomness is made by the parties themselves (DN07: Damgård–Nielsen, CRYPTO
// 2007, random double sharings extracted with a Vandermonde matrix).
//
// x is shared as f(1), ..., f(n) for a random polynomial f of degree t with f(0) = x (party i
// holds f(i + 1)). Any t shares are uniformly random; t + 1 determine x. Openings use all n
// shares: t + 1 reconstruct, the others must agree (a corrupted share is detected, and its
// owner named where the redundancy allows: n >= 5; protocols/wrong_shares.h).
//
// Multiplication: local products give a degree-2t sharing; DN07 degree reduction with a
// double sharing ([r]_t, [r]_2t) brings it back to degree t in one round (kDn07), or a Beaver
// triple made the same way is used (kBeaver). A matmul multiplies shares locally and reduces
// only the m·p outputs. Costs: docs/shamir.md.
#pragma once

#include <optional>
#include <vector>

#include "protocols/field.h"
#include "protocols/prg.h"
#include "protocols/protocol.h"

namespace jointly {

enum class ShamirMultiplication { kDn07, kBeaver };

struct ShamirOptions {
  ShamirMultiplication multiplication = ShamirMultiplication::kDn07;
  // This party's private randomness. Random by default; tests fix it to replay a run.
  std::optional<Seed> seed;
  // Resuming a run: the private stream's seed from a checkpoint (its position is set by
  // seek(); `seed` is ignored). All of Shamir's randomness comes from this one stream.
  std::optional<PrgStreams> resume{};
};

// Statistical security of the truncation mask (bits): the opened x + r is within 2^-40 of
// uniform for |x| < 2^kTruncInputBits.
inline constexpr int kShamirStatBits = 40;
inline constexpr int kTruncInputBits = 64;

class Shamir final : public Protocol {
 public:
  Shamir(net::Network& network, ShamirOptions options = {});

  std::string name() const override;
  int corruption_threshold() const override { return t_; }
  net::Network& network() const override { return network_; }
  int threshold() const { return t_; }

  // Checkpoints: the private stream (seed and position; no pair streams). Prepared double
  // sharings that a checkpoint interrupts are not kept: a resumed run makes new ones.
  std::optional<PrgStreams> streams() const override;
  void seek(const PrgStreams& state) override;

  Shared input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) override;
  IntMatrix open(const Shared& x) override;
  std::optional<IntMatrix> open_to(net::PartyId receiver, const Shared& x) override;
  Shared random(Index rows, Index cols) override;

  Shared add(const Shared& x, const Shared& y) override;
  Shared sub(const Shared& x, const Shared& y) override;
  Shared add_public(const Shared& x, const IntMatrix& c) override;
  Shared scale(const Shared& x, std::int64_t c) override;
  Shared mul_public(const Shared& x, const IntMatrix& c) override;
  Shared matmul_public(const Shared& x, const IntMatrix& c) override;
  Shared matmul_public(const IntMatrix& c, const Shared& x) override;

  Shared mul(const Shared& x, const Shared& y) override;
  Shared matmul(const Shared& x, const Shared& y) override;
  Shared trunc(const Shared& x, int bits) override;

  // Comparison by bit decomposition of a random mask (compare.h): |x| < 2^32.
  BitProducts gez_times(const Shared& x, const std::vector<Shared>& values) override;
  BitProducts gez_offsets_times(const Shared& x, std::span<const std::int64_t> offsets,
                                const std::vector<Shared>& values) override;
  OpCost gez_cost(std::uint64_t elements, int products, int thresholds) const override;
  // Makes the double sharings of the next `count` products in one round.
  void prepare_products(Index count) override { prepare_double_sharings(count); }

  // --- Dealer-free preprocessing (each call is one round) --------------------------------
  // `count` random double sharings: shares of the same random r with degree t and 2t.
  struct DoubleSharings {
    FieldMatrix t, two_t;  // 1 x count
  };
  DoubleSharings double_sharings(Index count);
  // `count` random degree-t sharings that nobody knows.
  FieldMatrix random_sharings(Index count);
  // Makes `count` double sharings now (1 round) and keeps them for the next degree
  // reductions: a later mul or matmul whose outputs fit in the pool costs 1 round instead of
  // 2. Circuits that know their multiplications in advance (comparison) call this once.
  void prepare_double_sharings(Index count);
  Index prepared_double_sharings() const { return pool_t_.cols() - pool_used_; }

  // `count` uniformly random bits (0 or 1 in the field) that nobody knows, as 1 x count
  // degree-t shares: 2 rounds. The parties open a² + [0]_2t for a random [a] (a² only is
  // revealed; the degree-2t zero sharing hides the product polynomial) and take
  // b = (a / sqrt(a²) + 1) / 2, since a / sqrt(a²) = ±1 with probability 1/2 each
  // (p = 3 mod 4, so sqrt(v) = v^((p+1)/4) = v^(2^125)). Damgård et al., TCC 2006.
  FieldMatrix random_bits(Index count);
  // Shares of R = R_1 + ... + R_n where party j draws R_j uniformly in [0, 2^bits): a
  // bounded mask that no party knows (an honest party's R_j hides the rest). 1 round.
  FieldMatrix bounded_random(Index rows, Index cols, int bits);
  // Element-wise product by DN07 degree reduction whatever the multiplication mode (circuits
  // use it so that their cost does not depend on the mode): 1 round with prepared double
  // sharings, 2 without.
  FieldMatrix multiply(const FieldMatrix& x, const FieldMatrix& y);
  // Opens degree-t shares as field elements, for values that need not fit in 64 bits
  // (a masked value). 1 round.
  FieldMatrix open_elements(const FieldMatrix& share) { return open_field(share, t_); }

  // Shamir's share of a value, reconstructed from every party's share: used by the tests.
  const std::vector<Fp>& evaluation_points() const { return alpha_; }

 private:
  // Party p's share of a degree-`degree` sharing of `secret` (one polynomial per element).
  std::vector<FieldMatrix> deal(const FieldMatrix& secret, int degree);
  // Reconstructs from all n parties' shares; degree-t openings check the extra shares.
  FieldMatrix reconstruct(const std::vector<FieldMatrix>& shares, int degree) const;
  // Shares that are not on one degree-t polynomial: throws InconsistentShares naming the
  // corrupted share's owner, or every peer when the redundancy cannot tell (wrong_shares.h).
  [[noreturn]] void blame(const std::vector<FieldMatrix>& shares) const;
  // Sends this party's share to every peer (or to `receiver` only) and reconstructs.
  FieldMatrix open_field(const FieldMatrix& share, int degree);
  // Degree-2t shares -> degree-t shares of the same values (DN07): 1 round, plus 1 round of
  // preprocessing for the double sharings.
  FieldMatrix reduce_degree(const FieldMatrix& product);
  // One round in which every party deals one sharing per matrix in `mine` to everybody;
  // returns, per dealer, this party's shares.
  std::vector<std::vector<FieldMatrix>> deal_all(const std::vector<FieldMatrix>& mine,
                                                 const std::vector<int>& degrees);
  FieldMatrix field_of(const IntMatrix& m) const;

  net::Network& network_;
  ShamirMultiplication multiplication_;
  int n_, t_;
  Seed seed_;
  Prg own_;
  std::vector<Fp> alpha_;                 // evaluation point of each party: i + 1
  std::vector<Fp> lagrange_t_;            // reconstruct f(0) from parties 0..t
  std::vector<Fp> lagrange_all_;          // reconstruct f(0) from all n parties (degree <= n-1)
  std::vector<std::vector<Fp>> check_;    // check_[j][i]: f(alpha_{t+1+j}) from parties 0..t
  std::vector<std::vector<Fp>> extract_;  // (n - t) x n Vandermonde extraction matrix
  FieldMatrix pool_t_, pool_2t_;          // prepared double sharings (1 x N each)
  Index pool_used_ = 0;                   // the first pool_used_ are spent
};

}  // namespace jointly
