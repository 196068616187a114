// Every backend's view of every operation it implements is independent of the secret: the
// harness (views.h, statistics.h) finds no marginal difference and no relation that the
// secret B breaks. The same harness catches every leaky variant (leaky_variants_test.cpp).
#include <gtest/gtest.h>

#include <iostream>

#include "tests/protocols/leakage/programs.h"

namespace jointly::testing::leakage {
namespace {

struct Case {
  ProtocolSetup setup;
  Operation op;
  net::PartyId observer = 1;
};

class LeakageTest : public ::testing::TestWithParam<Case> {};

TEST_P(LeakageTest, TheObserversViewDoesNotDependOnTheSecret) {
  const Case& c = GetParam();
  // One element per comparison: its view is large (Shamir's random bits), and the relation
  // test's cost grows with the cube of the view's size.
  const Index cols = c.op == Operation::kComparison ? 1 : 2;
  Experiment e = experiment_for(c.setup, c.op, 100 + static_cast<int>(c.op), cols);
  e.observer = c.observer;
  if (c.observer != 1) e.name += " (observer " + std::to_string(c.observer) + ")";
  const Result r = run_experiment(e);
  std::cout << "[leakage] " << r.summary() << "\n";
  EXPECT_FALSE(r.leaks()) << r.summary();
  // Power: the training runs spanned every A view, so a relation that B broke would show.
  EXPECT_EQ(r.relation.outside_a, 0u) << r.summary();
}

std::vector<Case> cases() {
  const std::vector<ProtocolSetup> setups = {additive_setup(2),
                                             additive_setup(3),
                                             additive_ot_setup(),
                                             shamir_setup(3),
                                             shamir_setup(3, ShamirMultiplication::kBeaver),
                                             replicated_setup()};
  std::vector<Case> out;
  for (const ProtocolSetup& s : setups) {
    for (Operation op : {Operation::kProducts, Operation::kMatrixProducts, Operation::kTruncation,
                         Operation::kComparison, Operation::kOpenTo}) {
      out.push_back({s, op});
    }
  }
  // Replicated parties play different roles (party 0's inputs give party 2 the share x_0 and
  // party 1 the share x - x_0): both non-owners observe.
  for (Operation op : {Operation::kProducts, Operation::kMatrixProducts, Operation::kTruncation,
                       Operation::kComparison}) {
    out.push_back({replicated_setup(), op, 2});
  }
  // The secret row shuffle (the honest-majority backends): the parties that did not input the
  // table.
  out.push_back({replicated_setup(), Operation::kShuffle});
  out.push_back({replicated_setup(), Operation::kShuffle, 2});
  out.push_back({shamir_setup(3), Operation::kShuffle});
  out.push_back({shamir_setup(3), Operation::kShuffle, 2});
  // Shamir with 5 parties (t = 2): the operations whose views stay small.
  for (Operation op : {Operation::kProducts, Operation::kTruncation, Operation::kOpenTo}) {
    out.push_back({shamir_setup(5), op});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, LeakageTest, ::testing::ValuesIn(cases()), [](const auto& info) {
  return info.param.setup.name + "_" + operation_name(info.param.op) +
         (info.param.observer == 1 ? "" : "_observer" + std::to_string(info.param.observer));
});

}  // namespace
}  // namespace jointly::testing::leakage
