// protocols/triples/provider: a TripleProvider records what it is asked for, prepares a plan
// from its source in one batch and serves it per kind in plan order; and gez_times_requests
// (protocols/additive/gmw.h) lists what a comparison really asks for.
#include "protocols/triples/provider.h"

#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>
#include <string>

#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/additive/gmw.h"
#include "protocols/triples/dealer.h"

namespace jointly {
namespace {

const std::vector<TripleRequest> kPlan = {
    TripleRequest::matrix(4, 3, 1),      TripleRequest::elementwise(5, 1),
    TripleRequest::trunc_pair(5, 1, 16), TripleRequest::matrix(4, 3, 1),
    TripleRequest::matrix(3, 4, 2),      TripleRequest::and_triples(2, 2),
    TripleRequest::dabits(7, 1),         TripleRequest::elementwise(1, 9)};

// The same dealer stream asked item by item in plan order: what the prepared items must be.
std::vector<PreparedItem> in_plan_order(const std::vector<TripleRequest>& plan) {
  Dealer dealer(seed_from_u64(3), 0, 2);
  return dealer.generate(plan);
}

TEST(TripleProvider, ServesAPreparedPlanPerKindInPlanOrder) {
  Dealer dealer(seed_from_u64(3), 0, 2);
  TripleProvider provider(dealer);
  std::uint64_t last = 0, total = 0;
  provider.prepare(kPlan, [&](std::uint64_t done, std::uint64_t all) {
    EXPECT_GT(done, last);
    last = done;
    total = all;
  });
  EXPECT_EQ(last, kPlan.size());
  EXPECT_EQ(total, kPlan.size());
  EXPECT_EQ(provider.prepared(), kPlan.size());
  const auto want = in_plan_order(kPlan);
  // Kinds interleaved otherwise than in the plan; within a kind, plan order.
  EXPECT_EQ(provider.dabits(7, 1).ring_bits, want[6].dabits.ring_bits);
  EXPECT_EQ(provider.elementwise(5, 1).c, want[1].triple.c);
  EXPECT_EQ(provider.matrix(4, 3, 1).c, want[0].triple.c);
  EXPECT_EQ(provider.matrix(4, 3, 1).c, want[3].triple.c);
  EXPECT_EQ(provider.trunc_pair(5, 1, 16).r_low, want[2].pair.r_low);
  EXPECT_EQ(provider.matrix(3, 4, 2).c, want[4].triple.c);
  EXPECT_EQ(provider.and_triples(2, 2).c, want[5].triple.c);
  EXPECT_EQ(provider.elementwise(1, 9).c, want[7].triple.c);
  EXPECT_EQ(provider.prepared(), 0u);
}

TEST(TripleProvider, RefusesAShapeThePlanDoesNotList) {
  Dealer dealer(seed_from_u64(3), 0, 2);
  TripleProvider provider(dealer);
  provider.prepare(std::vector{TripleRequest::elementwise(2, 2)});
  try {
    provider.elementwise(3, 3);
    FAIL() << "no exception";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("element-wise triple 3x3"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("element-wise triple 2x2"), std::string::npos);
  }
  // Other kinds have nothing prepared: made on demand.
  EXPECT_EQ(provider.dabits(2, 1).ring_bits.rows(), 2);
}

TEST(TripleProvider, RecordsEveryRequestServedOrMadeOnDemand) {
  Dealer dealer(seed_from_u64(3), 0, 2);
  TripleProvider provider(dealer);
  provider.elementwise(1, 1);  // not recording yet
  provider.record(true);
  provider.prepare(std::vector{TripleRequest::matrix(2, 3, 4)});
  provider.matrix(2, 3, 4);      // served
  provider.trunc_pair(2, 2, 8);  // on demand
  provider.record(false);
  provider.dabits(1, 1);
  EXPECT_EQ(provider.requests(),
            (std::vector{TripleRequest::matrix(2, 3, 4), TripleRequest::trunc_pair(2, 2, 8)}));
  provider.clear_requests();
  EXPECT_TRUE(provider.requests().empty());
}

TEST(TripleProvider, ForwardsTheSourcesIdentity) {
  auto owned = std::make_unique<Dealer>(seed_from_u64(3), 1, 2);
  const std::string name = owned->name();
  TripleProvider provider(std::move(owned));
  EXPECT_EQ(provider.name(), name);
  EXPECT_TRUE(provider.simulation_only());
  EXPECT_FALSE(provider.has_offline_phase());
  provider.elementwise(10, 1);
  EXPECT_EQ(provider.offline_traffic().bytes_received,
            provider.source().offline_traffic().bytes_received);
  // Only a provider holds a plan.
  EXPECT_THROW(provider.source().prepare(kPlan), std::logic_error);
}

// Prepared items were drawn from the dealer's streams already: a checkpoint now would skip
// them when it resumes.
TEST(TripleProvider, RefusesCheckpointsWhilePreparedItemsWait) {
  Dealer dealer(seed_from_u64(3), 0, 2);
  TripleProvider provider(dealer);
  const auto start = provider.positions();
  provider.prepare(std::vector{TripleRequest::elementwise(2, 2)});
  EXPECT_THROW(provider.positions(), std::logic_error);
  EXPECT_THROW(provider.seek(start), std::logic_error);
  provider.elementwise(2, 2);
  EXPECT_EQ(provider.positions(), dealer.positions());
  provider.seek(start);
  EXPECT_EQ(dealer.positions(), start);
}

// gez_times_requests lists exactly what sign_bits + b2a_times ask for, for 2 to 5 parties
// (0 to 3 carry-save layers), several shapes and product counts; its AND words add up to
// msb_and_words, the cost the comparison tests assert.
TEST(GezTimesRequests, EqualWhatAComparisonAsksFor) {
  struct Case {
    int parties;
    Index rows, cols;
    int products;
  };
  for (const Case c : {Case{2, 3, 2, 0}, Case{2, 23, 1, 1}, Case{3, 5, 7, 2}, Case{4, 1, 1, 1},
                       Case{5, 70, 1, 1}}) {
    std::vector<TripleRequest> recorded;
    net::run_in_memory(c.parties, [&](net::Transport& transport) {
      net::Network network(transport);
      Dealer dealer(seed_from_u64(7), transport.self(), c.parties);
      TripleProvider provider(dealer);
      Additive protocol(network, provider, {.truncation = Truncation::kPair, .seed = {}});
      const Shared x = protocol.random(c.rows, c.cols);
      const std::vector<Shared> values(static_cast<std::size_t>(c.products), x);
      provider.record(true);
      protocol.gez_times(x, values);
      if (transport.self() == 0) recorded = provider.requests();
    });
    const auto listed = gez_times_requests(c.parties, c.rows, c.cols, c.products);
    EXPECT_EQ(listed, recorded) << c.parties << " parties, " << c.rows << "x" << c.cols;
    const std::uint64_t words = std::accumulate(
        listed.begin(), listed.end(), std::uint64_t{0},
        [](std::uint64_t n, const TripleRequest& r) {
          return n + (r.kind == TripleRequest::Kind::kAnd ? static_cast<std::uint64_t>(r.cols) : 0);
        });
    EXPECT_EQ(words, msb_and_words(c.parties, static_cast<std::uint64_t>(c.rows * c.cols)));
  }
}

}  // namespace
}  // namespace jointly
