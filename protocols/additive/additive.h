// Additive secret sharing over Z_2^64 for n >= 2 parties, semi-honest.
//
// x is shared as x_0 + ... + x_{n-1} = x (mod 2^64). Products use Beaver triples from a
// TripleSource (element-wise) and matrix triples (matmul), so every multiplication is one
// round and a matmul costs |X| + |Y| elements per peer. Inputs cost nothing on the wire:
// each pair of parties holds a PRG seed, the owner's peers take their shares from it and the
// owner keeps the difference. Costs per operation: docs/cost.md.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "protocols/additive/gmw.h"
#include "protocols/prg.h"
#include "protocols/protocol.h"
#include "protocols/triples/triple_source.h"

namespace jointly {

enum class Truncation {
  kAuto,   // local for 2 parties, pair-based otherwise
  kLocal,  // SecureML local shift: 0 rounds, 2 parties only, small failure probability
  kPair,   // one opening with a dealer-made pair (r, r >> f): 1 round, any n, no failure
};

// True when `rule` truncates by the local shift for `parties` parties; otherwise every trunc
// draws a TruncPair from the source (what an offline plan lists).
bool truncates_locally(Truncation rule, int parties);

// This party's randomness, as a checkpoint stores it: its private stream and the
// input-sharing stream it holds with each peer (protocols/prg.h).
using AdditiveState = PrgStreams;

struct AdditiveOptions {
  Truncation truncation = Truncation::kAuto;
  // This party's private randomness. Random by default; tests fix it to replay a run.
  std::optional<Seed> seed;
  // Resuming a run: take every seed from this state, at its positions, instead of agreeing on
  // new pair seeds (no set-up round; `seed` is ignored). Every party must resume from states
  // of the same run, or the input shares no longer add up.
  std::optional<AdditiveState> resume{};
};

class Additive final : public Protocol {
 public:
  // Runs one set-up round in which each pair of parties agrees on an input-sharing seed.
  Additive(net::Network& network, TripleSource& triples, AdditiveOptions options = {});

  std::string name() const override;
  net::Network& network() const override { return network_; }
  int corruption_threshold() const override { return parties() - 1; }
  bool exact_truncation() const override { return !local_truncation(); }
  // The correlated randomness this protocol draws from; circuits/ uses its AND triples and
  // daBits for GMW on the same parties (docs/circuits.md).
  TripleSource& triples() const { return triples_; }

  // The seeds and stream positions now, and continuing from a state's positions (its seeds
  // must be this instance's: throws std::invalid_argument otherwise).
  AdditiveState state() const;
  void seek(const AdditiveState& state) override;
  std::optional<PrgStreams> streams() const override { return state(); }

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

  // Comparison by GMW on the shares' bits (gmw.h): exact for every 64-bit x.
  BitProducts gez_times(const Shared& x, const std::vector<Shared>& values) override;
  Shared ltz(const Shared& x) override;
  OpCost gez_cost(std::uint64_t elements, int products, int thresholds) const override;
  BinarySharing* binary() override { return &gmw_; }

 private:
  bool local_truncation() const;
  Shared trunc_local(const Shared& x, int bits) const;
  Shared trunc_pair(const Shared& x, int bits);
  // Sums every party's share of a tensor of the given shape, given this party's share and
  // the messages received in the round.
  // Opens two masked tensors in one round (Beaver's d = x - a and e = y - b), in place.
  void open_pair(RingMatrix& d, RingMatrix& e);
  RingMatrix sum_shares(RingMatrix own, const std::vector<net::Bytes>& received) const;

  net::Network& network_;
  TripleSource& triples_;
  Truncation truncation_;
  AdditiveState seeds_;  // the seeds of own_ and pair_ (positions unused)
  Prg own_;
  std::vector<std::optional<Prg>> pair_;  // pair_[p]: stream shared with party p
  AdditiveGmw gmw_{*this};
};

}  // namespace jointly
