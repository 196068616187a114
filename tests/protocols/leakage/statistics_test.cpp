// The harness's statistics against known values, and each test on synthetic views: equal
// distributions pass, a planted dependence is found.
#include "tests/protocols/leakage/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "protocols/prg.h"

namespace jointly::testing::leakage {
namespace {

TEST(LeakageStatistics, ChiSquareSurvivalMatchesTables) {
  EXPECT_NEAR(std::pow(10, log10_chi2_survival(3.841, 1)), 0.05, 1e-3);
  EXPECT_NEAR(std::pow(10, log10_chi2_survival(30.578, 15)), 0.01, 1e-4);
  EXPECT_NEAR(std::pow(10, log10_chi2_survival(310.457, 255)), 0.01, 1e-3);
  EXPECT_NEAR(log10_chi2_survival(0, 3), 0, 1e-12);
  // Far tails stay finite in logs: chi-square(1) at 2000 is about 10^-436.
  EXPECT_NEAR(log10_chi2_survival(2000, 1), -435.8, 1.0);
}

TEST(LeakageStatistics, HypergeometricTail) {
  // 10 items, 3 marked, draw 5: P(X >= 3) = C(3,3) C(7,2) / C(10,5) = 21 / 252.
  EXPECT_NEAR(std::pow(10, log10_hypergeometric_tail(10, 3, 5, 3)), 21.0 / 252, 1e-12);
  EXPECT_EQ(log10_hypergeometric_tail(10, 3, 5, 0), 0);
  // All 160 marked items among the 160 drawn of 320: 1 / C(320, 160), about 10^-95.
  EXPECT_NEAR(log10_hypergeometric_tail(320, 160, 160, 160), -95.3, 0.5);
}

// n runs of `width` uniform words, with word 0 replaced by f(run's words) if given.
Views uniform(Algebra algebra, std::size_t width, std::size_t runs, std::uint64_t seed) {
  Prg prg(seed_from_u64(seed));
  Views v;
  v.algebra = algebra;
  v.width = width;
  for (std::size_t i = 0; i < width * runs; ++i) {
    const u128 hi = prg.next(), lo = prg.next();
    v.elements.push_back(algebra == Algebra::kRing ? lo : ((hi << 64) | lo) & Fp::kModulus);
  }
  return v;
}

TEST(LeakageStatistics, EqualDistributionsPassBothTests) {
  for (Algebra algebra : {Algebra::kRing, Algebra::kField}) {
    const Views a = uniform(algebra, 6, 400, 1), b = uniform(algebra, 6, 160, 2);
    EXPECT_GT(marginal_test(a, b).log10_p_adjusted, kLog10LeakThreshold);
    const RelationResult r = relation_test(a, b, 240, 40);
    EXPECT_EQ(r.outside_a, 0u);
    EXPECT_EQ(r.outside_b, 0u);
    EXPECT_EQ(r.log10_p, 0);
  }
}

// Sets element `at` of every run to f(element, constant) in the views' algebra, where
// element(i) reads element i and constant(c) makes a constant.
template <class F>
void plant(Views& v, std::size_t at, F f) {
  for (std::size_t r = 0; r < v.runs(); ++r) {
    u128* w = v.elements.data() + r * v.width;
    if (v.algebra == Algebra::kRing) {
      w[at] = f([w](std::size_t i) { return static_cast<Ring>(w[i]); },
                [](std::int64_t c) { return static_cast<Ring>(c); });
    } else {
      w[at] =
          f([w](std::size_t i) { return Fp(w[i]); }, [](std::int64_t c) { return Fp(c); }).value();
    }
  }
}

TEST(LeakageStatistics, APlantedRelationIsFound) {
  // Word 2 = word 0 - word 1 + secret: uniform marginally, so only the relation test sees it.
  for (Algebra algebra : {Algebra::kRing, Algebra::kField}) {
    Views a = uniform(algebra, 6, 400, 3), b = uniform(algebra, 6, 160, 4);
    plant(a, 2, [](auto w, auto c) { return w(0) - w(1) + c(5); });
    plant(b, 2, [](auto w, auto c) { return w(0) - w(1) + c(6); });
    EXPECT_GT(marginal_test(a, b).log10_p_adjusted, kLog10LeakThreshold);
    const RelationResult r = relation_test(a, b, 240, 40);
    EXPECT_EQ(r.outside_a, 0u);
    EXPECT_EQ(r.outside_b, 160u);
    EXPECT_LT(r.log10_p, -90);
  }
}

TEST(LeakageStatistics, AQuadraticRelationIsFound) {
  // Word 3 = word 0 · word 1 + secret · word 2.
  for (Algebra algebra : {Algebra::kRing, Algebra::kField}) {
    Views a = uniform(algebra, 5, 400, 5), b = uniform(algebra, 5, 160, 6);
    plant(a, 3, [](auto w, auto c) { return w(0) * w(1) + c(2) * w(2); });
    plant(b, 3, [](auto w, auto c) { return w(0) * w(1) + c(3) * w(2); });
    const RelationResult r = relation_test(a, b, 240, 40);
    EXPECT_EQ(r.outside_a, 0u);
    EXPECT_GT(r.outside_b, 50u);
    EXPECT_LT(r.log10_p, kLog10LeakThreshold);
  }
}

TEST(LeakageStatistics, AConstantShareIsFoundByTheMarginalTest) {
  Views a = uniform(Algebra::kRing, 4, 400, 7), b = uniform(Algebra::kRing, 4, 160, 8);
  for (std::size_t r = 0; r < a.runs(); ++r) a.elements[r * 4 + 1] = 12345;
  for (std::size_t r = 0; r < b.runs(); ++r) b.elements[r * 4 + 1] = 54321;
  const MarginalResult m = marginal_test(a, b);
  EXPECT_LT(m.log10_p_adjusted, -50);
  EXPECT_EQ(m.position, 1u);
}

}  // namespace
}  // namespace jointly::testing::leakage
