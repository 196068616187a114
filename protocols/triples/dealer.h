// A trusted dealer, simulated: SIMULATION AND TESTS ONLY.
//
// Every party constructs its Dealer from the same master seed. Party i < n-1 expands its own
// stream into its shares of a, b and c; party n-1 expands its shares of a and b and receives
// from the dealer a correction that makes the shares of c sum to a·b. So a real dealer would
// send one 16-byte seed to each party and one correction to the last — the cost model that
// offline_traffic() reports. The catch, and why this is simulation only: whoever knows the
// master seed (here: every party) can compute every share.
#pragma once

#include <vector>

#include "protocols/prg.h"
#include "protocols/triples/triple_source.h"

namespace jointly {

class Dealer final : public TripleSource {
 public:
  Dealer(const Seed& master, net::PartyId self, int parties);

  std::string name() const override;
  bool simulation_only() const override { return true; }

  BeaverTriple elementwise(Index rows, Index cols) override;
  BeaverTriple matrix(Index m, Index k, Index n) override;
  TruncPair trunc_pair(Index rows, Index cols, int bits) override;
  BeaverTriple and_triples(Index rows, Index cols) override;
  DaBits dabits(Index rows, Index cols) override;
  net::Traffic offline_traffic() const override { return traffic_; }

  // Where this party's dealer streams stand (bytes drawn from each stream it holds, in party
  // order), and continuing them there: with the master seed from the config, that is all a
  // checkpoint needs to replay the same triples after a restart. seek() throws
  // std::invalid_argument if the count differs from positions().size().
  std::vector<std::uint64_t> positions() const override;
  void seek(const std::vector<std::uint64_t>& positions) override;

 private:
  struct Shape {
    Index rows, cols;
  };
  template <class Product>
  BeaverTriple triple(Shape a, Shape b, Shape c, Product product);

  bool corrects() const { return self_ == parties_ - 1; }
  Prg& stream(net::PartyId p) { return streams_[corrects() ? p : 0]; }
  void count_correction(Index elements);

  net::PartyId self_;
  int parties_;
  // The last party simulates every party's stream to compute its correction; the others
  // only hold their own.
  std::vector<Prg> streams_;
  net::Traffic traffic_;
};

}  // namespace jointly
