// Dealer-free preprocessing for 2-party additive sharing over Z_2^64, from oblivious
// transfer: SoftSpokenOT or IKNP extension (ot::OtOptions) over Chou–Orlandi base OTs
// (protocols/ot), Gilboa multiplication.
// Semi-honest: secure against a passive adversary corrupting either party (docs/ot.md).
//
//   element-wise triple: a_p, b_p random; a_0·b_1 and a_1·b_0 by 64 COTs each (Gilboa: the
//                        receiver's choice bits are the bits of its b, the sender's
//                        correlation is its a).
//   matrix triple A·B:   one COT per bit of each entry of A (m·k·64) with the row of B
//                        (n elements) as correlation — or, when k·n < m·k, the transposed
//                        construction on B's bits with A's columns.
//   AND triples:         2 random OTs per bit triple (one each way).
//   daBits:              one COT per bit (b_0·b_1, 64-bit correlation).
//   trunc pairs:         64 daBits per element: r = Σ 2^i r_i, r_msb = r_63,
//                        r_low = Σ_{i=f}^{62} 2^(i-f) r_i.
//
// OtTriples only makes items (generate, below); TripleProvider (protocols/triples/provider.h)
// records plans, prepares them through generate and serves them in plan order.
//
// Both parties must make the same calls in the same order (SPMD), like the Dealer. The
// source shares the protocol's Network; its own exchanges are counted in offline_traffic()
// (snapshots of network.traffic() around each of them), so online = network − offline.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"
#include "protocols/ot/extension/cot_channel.h"
#include "protocols/prg.h"
#include "protocols/triples/triple_source.h"

namespace jointly {

class OtTriples final : public TripleSource {
 public:
  // Runs the base OTs with the peer (2 rounds). `seed` is this party's private randomness
  // (random_seed() in production; tests fix it). Throws std::invalid_argument unless the
  // network has exactly 2 parties, or for bad options. Both parties must pass the same
  // extension and k (checked in the first round: net::PeerError otherwise).
  OtTriples(net::Network& network, const Seed& seed, const ot::OtOptions& options = {});
  ~OtTriples() override;

  std::string name() const override;
  bool simulation_only() const override { return false; }

  BeaverTriple elementwise(Index rows, Index cols) override;
  BeaverTriple matrix(Index m, Index k, Index n) override;
  TruncPair trunc_pair(Index rows, Index cols, int bits) override;
  BeaverTriple and_triples(Index rows, Index cols) override;
  DaBits dabits(Index rows, Index cols) override;
  net::Traffic offline_traffic() const override { return channel_.traffic(); }

  // Makes every item of `plan` in one pass: one OT job per kind and per matrix shape, so a
  // plan of thousands of small items still takes a handful of rounds; progress in OTs. The
  // per-item calls above are this with a plan of one. Holding and serving a prepared plan is
  // TripleProvider's (protocols/triples/provider.h), which ProtocolStack puts in front.
  bool has_offline_phase() const override { return true; }
  std::vector<PreparedItem> generate(std::span<const TripleRequest> plan,
                                     const PrepareProgress& progress = {}) override;

  // The OT engine, for tests and benchmarks.
  ot::CotChannel& channel() { return channel_; }

 private:
  PreparedItem one(const TripleRequest& request);

  net::Network& network_;
  ot::CotChannel channel_;
  Prg prg_;
};

}  // namespace jointly
