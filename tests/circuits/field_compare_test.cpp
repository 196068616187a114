// What is particular to the comparison on Shamir shares (protocols/shamir/compare.h): the tree's
// shape, one mask for several thresholds and the random bits (that the whole view of the
// comparison, the opening included, is independent of x: tests/protocols/leakage). The
// comparison, ReLU, sigmoid and max against plaintext at Shamir::gez_cost run in the suites over
// every protocol (compare_test.cpp, activations_test.cpp).
#include <cmath>

#include "circuits/compare/compare.h"
#include "protocols/shamir/compare.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

TEST(FieldCompareCost, TreeShapeForTheDefaultWidth) {
  // 32 groups: 32 -> 16 -> 8 -> 4 -> 2 -> 1.
  EXPECT_EQ(field_compare_depth(), 5);
  EXPECT_EQ(field_compare_products(), 32 + 16 + 8 + 4 + 1);
  // 39 groups: 39 -> 20 -> 10 -> 5 -> 3 -> 2 -> 1 (an odd top group waits a level).
  EXPECT_EQ(field_compare_depth(39), 6);
  EXPECT_EQ(field_compare_products(39), 38 + 20 + 10 + 4 + 2 + 1);
  EXPECT_EQ(field_compare_depth(1), 0);
  EXPECT_EQ(field_compare_products(2), 1);
  EXPECT_EQ(field_gez_cost(3, 1, 0).rounds, 10u);
  EXPECT_EQ(field_gez_cost(3, 1, 1).rounds, 11u);
}

TEST(FieldCompareCost, SeveralThresholdsShareOneMask) {
  // One mask for all thresholds: cheaper than k separate comparisons.
  EXPECT_LT(field_gez_cost(3, 100, 1, 5).bytes_sent, 5 * field_gez_cost(3, 100, 1, 1).bytes_sent);
}

using FieldCompareSuite = CircuitSuite;

TEST_P(FieldCompareSuite, RandomBitsAreBitsAndBalanced) {
  const Index count = 4000;
  run([&](Protocol& proto) {
    Shamir& shamir = dynamic_cast<Shamir&>(proto);
    const IntMatrix bits = proto.open(Shared(shamir.random_bits(count)));
    std::int64_t ones = 0;
    for (Index i = 0; i < count; ++i) {
      ASSERT_TRUE(bits.data()[i] == 0 || bits.data()[i] == 1) << bits.data()[i];
      ones += bits.data()[i];
    }
    // Binomial(4000, 1/2): mean 2000, sd 31.6; 5 sd either side fails with p < 6e-7.
    EXPECT_NEAR(static_cast<double>(ones), 2000.0, 160.0);
  });
}

INSTANTIATE_TEST_SUITE_P(Shamir, FieldCompareSuite, kShamirSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
