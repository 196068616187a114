// protocols/triples/pipeline: a unit's items made now or on a background thread over a network
// channel of their own, served to a protocol that keeps computing on channel 0.
#include "protocols/triples/pipeline.h"

#include <gtest/gtest.h>

#include <array>

#include "net/in_memory.h"
#include "net/network.h"
#include "protocols/additive/additive.h"
#include "protocols/prg.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/ot/ot_triples.h"

namespace jointly {
namespace {

constexpr Index kRows = 6, kCols = 5, kOut = 3;
constexpr int kUnits = 4;

// One unit ("epoch"): an element-wise product and a matrix product.
const std::vector<TripleRequest> kUnit = {TripleRequest::elementwise(kRows, kCols),
                                          TripleRequest::matrix(kRows, kCols, kOut)};

IntMatrix small(Prg& prg, Index r, Index c) {
  return to_int(prg.ring(r, c)).unaryExpr([](std::int64_t v) { return v % 100000; });
}

struct Outcome {
  std::vector<IntMatrix> products, matmuls;
  net::Traffic served_source;  // the provider's own source (must not make anything)
  std::size_t most_prepared = 0;
  int units = 0;
};

// Two parties train kUnits "epochs" drawing from a provider fed by a PlanPipeline whose maker is
// an OtTriples on channel 1 (overlap) or the provider's own OtTriples (no overlap).
std::array<Outcome, 2> run(bool overlap, const IntMatrix& x, const IntMatrix& y,
                           const IntMatrix& w) {
  std::array<Outcome, 2> out;
  net::run_in_memory(2, [&](net::Transport& transport) {
    const int self = transport.self();
    net::Network network(transport);
    OtTriples own(network, seed_from_u64(10 + self));
    TripleProvider provider(own);
    const auto channel = transport.open_channel(1);
    net::Network background(*channel);
    OtTriples maker_on_channel(background, seed_from_u64(20 + self));
    TripleSource& maker = overlap ? static_cast<TripleSource&>(maker_on_channel) : own;
    AdditiveOptions options;
    options.seed = seed_from_u64(30 + self);
    Additive protocol(network, provider, options);
    const Shared sx = protocol.input(0, self == 0 ? &x : nullptr, kRows, kCols);
    const Shared sy = protocol.input(1, self == 1 ? &y : nullptr, kRows, kCols);
    const Shared sw = protocol.input(1, self == 1 ? &w : nullptr, kCols, kOut);
    Outcome& o = out[self];
    const net::Traffic own_before = own.offline_traffic();
    {
      PlanPipeline pipeline(provider, maker, kUnit, {.overlap = overlap});
      for (int u = 0; u < kUnits; ++u) {
        pipeline.begin_unit(u + 1 < kUnits);
        o.most_prepared = std::max(o.most_prepared, provider.prepared());
        o.products.push_back(protocol.open(protocol.mul(sx, sy)));
        o.matmuls.push_back(protocol.open(protocol.matmul(sx, sw)));
        EXPECT_EQ(provider.prepared(), 0u) << "unit " << u << " left items unserved";
      }
      o.units = pipeline.units_begun();
    }
    o.served_source = own.offline_traffic() - own_before;
  });
  return out;
}

class PlanPipelineTest : public ::testing::TestWithParam<bool> {};

TEST_P(PlanPipelineTest, EveryUnitIsServedFromTheMakerAndComputesCorrectly) {
  const bool overlap = GetParam();
  Prg data(seed_from_u64(5));
  const IntMatrix x = small(data, kRows, kCols), y = small(data, kRows, kCols),
                  w = small(data, kCols, kOut);
  const auto o = run(overlap, x, y, w);
  for (const Outcome& p : o) {
    ASSERT_EQ(p.products.size(), static_cast<std::size_t>(kUnits));
    for (int u = 0; u < kUnits; ++u) {
      EXPECT_EQ(p.products[u], x.cwiseProduct(y)) << "unit " << u;
      EXPECT_EQ(p.matmuls[u], x * w) << "unit " << u;
    }
    EXPECT_EQ(p.units, kUnits);
    // At most one unit waits in the provider: memory holds the unit being served (and, with
    // overlap, the one being made), never the whole run.
    EXPECT_EQ(p.most_prepared, kUnit.size());
    if (overlap) {
      // Nothing was made on demand by the provider's own source, nor on channel 0.
      EXPECT_EQ(p.served_source.bytes_sent, 0u);
      EXPECT_EQ(p.served_source.rounds, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(OverlapOrNot, PlanPipelineTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Overlap" : "InTurn"; });

// A unit the program does not follow is caught by the provider, not silently mis-served.
TEST(PlanPipeline, AProgramThatAsksForAnotherShapeIsRefused) {
  Dealer dealer(seed_from_u64(1), 0, 2);
  TripleProvider provider(dealer);
  PlanPipeline pipeline(provider, dealer, kUnit);
  pipeline.begin_unit(false);
  EXPECT_THROW(provider.elementwise(kRows + 1, kCols), std::logic_error);
}

// A dealer that fails from its second batch on, as a peer lost mid-run would make OT fail.
class FailsAfterOneBatch final : public TripleSource {
 public:
  std::string name() const override { return "failing"; }
  bool simulation_only() const override { return true; }
  BeaverTriple elementwise(Index r, Index c) override { return dealer_.elementwise(r, c); }
  BeaverTriple matrix(Index m, Index k, Index n) override { return dealer_.matrix(m, k, n); }
  TruncPair trunc_pair(Index r, Index c, int bits) override {
    return dealer_.trunc_pair(r, c, bits);
  }
  BeaverTriple and_triples(Index r, Index c) override { return dealer_.and_triples(r, c); }
  DaBits dabits(Index r, Index c) override { return dealer_.dabits(r, c); }
  net::Traffic offline_traffic() const override { return {}; }
  std::vector<PreparedItem> generate(std::span<const TripleRequest> plan,
                                     const PrepareProgress& progress) override {
    if (batches_++ > 0) throw net::PeerError(1, "hospital-b sent nothing for 3000 ms");
    return dealer_.generate(plan, progress);
  }

 private:
  Dealer dealer_{seed_from_u64(1), 0, 2};
  int batches_ = 0;
};

// The background maker's failure reaches the caller at the next unit, with its type.
TEST(PlanPipeline, ABackgroundFailureIsRethrownAtTheNextUnit) {
  FailsAfterOneBatch maker;
  TripleProvider provider(maker);
  PlanPipeline pipeline(provider, maker, kUnit, {.overlap = true});
  pipeline.begin_unit(true);  // unit 1 made now; unit 2 fails in the background
  EXPECT_EQ(provider.prepared(), kUnit.size());
  EXPECT_THROW(pipeline.begin_unit(false), net::PeerError);
}

}  // namespace
}  // namespace jointly
