// 2-out-of-3 replicated secret sharing over Z_2^64 for exactly 3 parties, semi-honest with an
// honest majority (Araki–Furukawa–Lindell–Nof–Ohara, CCS 2016; ABY3, Mohassel–Rindal, CCS 2018).
//
// x = x_0 + x_1 + x_2 (mod 2^64) and party i holds x_i and x_{i+1} (indices mod 3), so any two
// parties can reconstruct and no single party learns anything. Each pair of parties shares a
// PRG key: party i draws k_i and gives it to party i-1, so party i holds k_i and k_{i+1}. The
// keys give zero sharings and random sharings with no messages, and so a product needs no
// triples: the local cross terms plus a zero sharing are a 3-out-of-3 sharing of x·y, and one
// message (each party sends one ring element per product to its predecessor) turns it back into
// a replicated one. No dealer, no preprocessing. Comparisons run on replicated XOR sharings of
// bit-sliced words with the same AND gate (protocols/replicated/compare.cpp).
//
// Every interactive operation is a fixed number of rounds on a tensor of any size. Every party
// counts every round of an operation, also a round in which it neither sends nor receives, so
// the counters of all three parties show the protocol's rounds. Costs: docs/replicated.md.
#pragma once

#include <initializer_list>
#include <optional>
#include <vector>

#include "protocols/prg.h"
#include "protocols/protocol.h"

namespace jointly {

// This party's randomness, as a checkpoint stores it: its private stream and the two pair
// streams, pair[p] being the one shared with party p (pair[self] is empty).
using ReplicatedState = PrgStreams;

struct ReplicatedOptions {
  // This party's private randomness (its pair key k_self is derived from it). Random by
  // default; tests fix it to replay a run.
  std::optional<Seed> seed{};
  // Resuming a run: take every seed from this state, at its positions, instead of agreeing on
  // new pair keys (no set-up round; `seed` is ignored). All three parties must resume from
  // states of the same run, or their shares no longer add up.
  std::optional<ReplicatedState> resume{};
};

class Replicated final : public Protocol {
 public:
  // Throws std::invalid_argument unless the network has exactly 3 parties. Runs one set-up
  // round (each party sends its 16-byte key to its predecessor) unless resuming.
  explicit Replicated(net::Network& network, ReplicatedOptions options = {});

  std::string name() const override;
  int corruption_threshold() const override { return (parties() - 1) / 2; }
  // Π_trunc1 fails with probability ~|x|/2^64 per element (docs/replicated.md).
  bool exact_truncation() const override { return false; }
  net::Network& network() const override { return network_; }

  // The seeds and stream positions now, and continuing from a state's positions (its seeds
  // must be this instance's: throws std::invalid_argument otherwise).
  ReplicatedState state() const;
  void seek(const ReplicatedState& state) override;
  std::optional<PrgStreams> streams() const override { return state(); }

  // 1 round: the owner sends one element per element to its successor, nobody else sends.
  Shared input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) override;
  // 1 round: each party sends its first share to its successor (the one share it lacks).
  IntMatrix open(const Shared& x) override;
  // 1 round: only the receiver's predecessor sends (its first share).
  std::optional<IntMatrix> open_to(net::PartyId receiver, const Shared& x) override;
  // 0 rounds: x_j from the key k_j, which both holders of x_j have.
  Shared random(Index rows, Index cols) override;

  Shared add(const Shared& x, const Shared& y) override;
  Shared sub(const Shared& x, const Shared& y) override;
  // Adds c to x_0 only (held by parties 0 and 2).
  Shared add_public(const Shared& x, const IntMatrix& c) override;
  Shared scale(const Shared& x, std::int64_t c) override;
  Shared mul_public(const Shared& x, const IntMatrix& c) override;
  Shared matmul_public(const Shared& x, const IntMatrix& c) override;
  Shared matmul_public(const IntMatrix& c, const Shared& x) override;

  // 1 round, one element per product sent by each party (to its predecessor).
  Shared mul(const Shared& x, const Shared& y) override;
  // 1 round, m·p elements sent by each party for an (m×k)·(k×p) product.
  Shared matmul(const Shared& x, const Shared& y) override;
  // ABY3's Π_trunc1 (local SecureML truncation of a 2-out-of-2 view, then one resharing
  // message from party 0 to party 1): 1 round. Error and failure probability:
  // docs/replicated.md.
  Shared trunc(const Shared& x, int bits) override;

  // [x >= 0] for every x in Z_2^64 read as a signed integer (exact: the sign bit of
  // x_0 + x_1 + x_2 by a binary adder), and its products with `values`: 10 rounds.
  BitProducts gez_times(const Shared& x, const std::vector<Shared>& values) override;
  // This party's exact cost of gez_offsets_times (the parties' byte counts differ a little).
  OpCost gez_cost(std::uint64_t elements, int products = 0, int thresholds = 1) const override;

 private:
  net::PartyId next_party() const { return (self() + 1) % 3; }
  net::PartyId prev_party() const { return (self() + 2) % 3; }
  // The PRG of key k_j, for j = self or self + 1 (the two keys this party holds).
  Prg& key(net::PartyId j);
  // One round: sends `out` to `to` (nothing if to < 0), then receives one message from each
  // party in `from`. Counted as one round whoever sends or receives.
  std::vector<net::Bytes> round(net::PartyId to, net::Bytes out,
                                std::initializer_list<net::PartyId> from);
  // This party's part α_self of a sharing of zero: α_0 + α_1 + α_2 = 0, no messages.
  RingMatrix zero_share(Index rows, Index cols);
  // A tensor whose memory is not yet touched, with transparent huge pages requested for a large
  // one: page faults, not arithmetic, dominated a million-element product on a VM.
  static RingMatrix uninitialised(Index rows, Index cols);
  // An empty message with room for `words` words (huge pages as above), and `count` words as
  // one message (no zero fill first, unlike pack()).
  static net::Bytes empty_message(std::size_t words);
  static net::Bytes message(const Ring* words, std::size_t count);
  // Turns a 3-out-of-3 sharing (this party's z) into a replicated one: 1 round, |z| elements.
  Shared reshare(RingMatrix z);

  net::Network& network_;
  ReplicatedState seeds_;  // the seeds of own_ and pair_ (positions unused)
  Prg own_;
  std::vector<std::optional<Prg>> pair_;  // pair_[p]: stream shared with party p
};

}  // namespace jointly
