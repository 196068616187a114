// ml/logreg/plan: the analytic logistic-regression plan equals what train_logreg really asks
// its TripleSource for, recorded by a TripleProvider in a dry run (the way the plan was
// computed before it was analytic) and in a run on real data.
#include "ml/logreg/plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/in_memory.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/provider.h"

namespace jointly::ml {
namespace {

struct Shape {
  int parties;
  Index rows, cols;
  int epochs, batch;
  Truncation truncation;
  int frac_bits = FixedPoint{}.frac_bits;
};

std::string describe(const Shape& s) {
  return std::to_string(s.parties) + " parties, " + std::to_string(s.rows) + "x" +
         std::to_string(s.cols) + ", " + std::to_string(s.epochs) + " epochs of batch " +
         std::to_string(s.batch) + ", truncation " +
         std::to_string(static_cast<int>(s.truncation)) + ", f = " + std::to_string(s.frac_bits);
}

SgdConfig config_of(const Shape& s) {
  SgdConfig sgd;
  sgd.epochs = s.epochs;
  sgd.batch = s.batch;
  sgd.fp.frac_bits = s.frac_bits;
  return sgd;
}

// Every party's requests in a training on `x` (each party's rows, joint columns), recorded.
// Zero-valued inputs when `random` is false: the old dry run, party 0 inputs everything.
std::vector<std::vector<TripleRequest>> recorded(const Shape& s, const std::vector<Index>& split,
                                                 bool random) {
  const SgdConfig sgd = config_of(s);
  std::vector<std::vector<TripleRequest>> out(static_cast<std::size_t>(s.parties));
  net::run_in_memory(s.parties, [&](net::Transport& transport) {
    net::Network network(transport);
    Dealer dealer(seed_from_u64(5), transport.self(), s.parties);
    TripleProvider provider(dealer);
    provider.record(true);
    Additive protocol(network, provider, {.truncation = s.truncation, .seed = seed_from_u64(9)});
    std::vector<Shared> xs, ys;
    for (int p = 0; p < static_cast<int>(split.size()); ++p) {
      const Index r = split[static_cast<std::size_t>(p)];
      const bool mine = p == transport.self();
      const IntMatrix x =
          random ? sgd.fp.encode(Eigen::MatrixXd::Random(r, s.cols)) : IntMatrix::Zero(r, s.cols);
      const IntMatrix y =
          random ? sgd.fp.encode(Eigen::MatrixXd::Ones(r, 1)) : IntMatrix::Zero(r, 1);
      xs.push_back(protocol.input(p, mine ? &x : nullptr, r, s.cols));
      ys.push_back(protocol.input(p, mine ? &y : nullptr, r, 1));
    }
    train_logreg(protocol, Shared::vstack(xs), Shared::vstack(ys), sgd);
    out[static_cast<std::size_t>(transport.self())] = provider.requests();
  });
  return out;
}

void expect_plan_equals(const Shape& s, const std::vector<std::vector<TripleRequest>>& real) {
  for (int self = 0; self < s.parties; ++self) {
    const auto plan = plan_logreg(self, s.parties, s.rows, s.cols, config_of(s), s.truncation);
    const auto& want = real[static_cast<std::size_t>(self)];
    EXPECT_FALSE(plan.empty());
    ASSERT_EQ(plan.size(), want.size()) << describe(s) << ", party " << self;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      ASSERT_EQ(plan[i], want[i]) << describe(s) << ", party " << self << ", item " << i << ": "
                                  << jointly::describe(plan[i]) << " instead of "
                                  << jointly::describe(want[i]);
    }
  }
}

// The dry run on zeros (what plan_logreg did before it was analytic), for 2, 3 and 5 parties
// (0, 1 and 3 carry-save layers), both truncation rules and the automatic one, a last batch
// shorter than the others or not, one batch larger than the data, several epochs.
TEST(LogRegPlanTest, EqualsTheDryRunForEveryShape) {
  const std::vector<Shape> shapes = {
      {2, 17, 5, 2, 4, Truncation::kPair},      // last batch of 1
      {2, 17, 5, 3, 4, Truncation::kLocal},     // local: no trunc pairs at all
      {2, 12, 3, 2, 4, Truncation::kAuto},      // equal batches; auto = local for 2
      {2, 6, 4, 1, 32, Truncation::kPair},      // one batch, shorter than `batch`
      {2, 11, 2, 2, 5, Truncation::kPair, 12},  // other fractional bits
      {3, 13, 4, 2, 5, Truncation::kPair},      // last batch of 3
      {3, 9, 3, 3, 3, Truncation::kAuto},       // auto = pair for 3
      {5, 7, 3, 2, 4, Truncation::kPair},       // three carry-save layers
  };
  for (const Shape& s : shapes) {
    expect_plan_equals(s, recorded(s, {s.rows}, /*random=*/false));
  }
}

// The plan equals what a real run on real data, split between the parties, asks for.
TEST(LogRegPlanTest, MatchesTheRequestsOfARealRun) {
  for (const Truncation truncation : {Truncation::kPair, Truncation::kLocal}) {
    const Shape s{2, 17, 5, 2, 4, truncation};
    expect_plan_equals(s, recorded(s, {10, 7}, /*random=*/true));
  }
  const Shape three{3, 14, 4, 2, 4, Truncation::kPair};
  expect_plan_equals(three, recorded(three, {6, 5, 3}, /*random=*/true));
}

TEST(LogRegPlanTest, RefusesWhatTrainingWouldRefuse) {
  SgdConfig sgd;
  EXPECT_THROW(plan_logreg(2, 2, 10, 3, sgd, Truncation::kPair), std::invalid_argument);
  EXPECT_THROW(plan_logreg(0, 3, 10, 3, sgd, Truncation::kLocal), std::invalid_argument);
  EXPECT_THROW(plan_logreg(0, 1, 10, 3, sgd, Truncation::kPair), std::invalid_argument);
  EXPECT_THROW(plan_logreg(0, 2, 0, 3, sgd, Truncation::kPair), std::invalid_argument);
  sgd.batch = 0;
  EXPECT_THROW(plan_logreg(0, 2, 10, 3, sgd, Truncation::kPair), std::invalid_argument);
}

// Large programs cost nothing to plan: W4's shape (455 x 31, 10 epochs of 32) is listed
// without running anything.
TEST(LogRegPlanTest, CountsW4sItems) {
  SgdConfig sgd;
  sgd.epochs = 10;
  sgd.batch = 32;
  const auto plan = plan_logreg(0, 2, 455, 31, sgd, Truncation::kPair);
  // 15 batches per epoch; per step 2 matrix triples, 4 trunc pairs, 7 AND requests, 1 daBits,
  // 1 element-wise.
  EXPECT_EQ(plan.size(), 10u * 15u * 15u);
}

}  // namespace
}  // namespace jointly::ml
