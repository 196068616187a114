// The statistics of the leakage harness (views.h collects the samples): does a party's view
// have the same distribution when another party's secret is A as when it is B?
//
// A view is a vector of elements (ring words, or field elements for Shamir), the same length in
// every run. Two tests, each with a p-value, and the harness flags a leak if either is below
// kLeakThreshold:
//
// 1. Marginal: for every element position and every 4-bit nibble of it, a two-sample
//    chi-square test (16 bins) of the nibble's values under A against B. Catches an element
//    whose distribution depends on the secret (an unmasked share, a biased mask). Bonferroni
//    over all positions and nibbles.
// 2. Relations: a correct protocol's view may satisfy fixed algebraic relations (a party's
//    own shares and what it receives combine to public values), but the same ones, with the
//    same constants, for every secret. A reused triple or mask, a dropped mask or an opening
//    to the wrong party all show up as a relation whose constant is the secret (d - d' = x - x'
//    for one triple used twice; x_0 + x_1 = x for a share sent unmasked). The test learns the
//    affine hull of the views' features from `train` runs with secret A (Gaussian elimination:
//    over GF(2) on the low bit-planes of ring words, over F_p for field elements; with the
//    pairwise products of the low bits / elements as extra features when the view is small,
//    so quadratic relations such as an unmasked product share are caught too), then counts
//    fresh runs outside that hull: m_A of n_A further runs with A, m_B of n_B with B. Under
//    "no leak" the A and B test runs are exchangeable given the training runs, so
//    P(m_B or more of the outside runs fall in B) is a hypergeometric tail — Fisher's exact
//    test, valid for any view distribution. A leak that is an exact relation puts every B run
//    outside (m_B = n_B, m_A = 0): p = 1 / C(n_A + n_B, n_B).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/field.h"

namespace jointly::testing::leakage {

enum class Algebra { kRing, kField };

// Both tests' threshold: a view is "leaky" when a p-value (Bonferroni-adjusted for the
// marginal test) is below 10^-6. Real protocols with the fixed seeds stay far above it; the
// leaky variants are far below (docs/security.md, "Leakage tests").
inline constexpr double kLog10LeakThreshold = -6;

// Views of one secret: `runs` rows of `width` elements (ring words zero-extended).
struct Views {
  Algebra algebra = Algebra::kRing;
  std::size_t width = 0;
  std::vector<u128> elements;  // row-major: run r is [r * width, (r + 1) * width)
  std::size_t runs() const { return width == 0 ? 0 : elements.size() / width; }
  const u128* run(std::size_t r) const { return elements.data() + r * width; }
};

struct MarginalResult {
  std::size_t tests = 0;        // positions x nibbles with any spread
  double chi2 = 0;              // the largest statistic ...
  int df = 0;                   // ... its degrees of freedom
  double log10_p_adjusted = 0;  // Bonferroni: log10(min p * tests), at most 0
  std::size_t position = 0;     // where: element and nibble
  int nibble = 0;
};

struct RelationResult {
  std::size_t features = 0;  // dimension of the feature space (constant included)
  std::size_t rank = 0;      // dimension of the training runs' span
  std::size_t train = 0;
  std::size_t outside_a = 0, tests_a = 0;  // A test runs outside the learned hull
  std::size_t outside_b = 0, tests_b = 0;  // B runs outside it
  double log10_p = 0;                      // Fisher's exact test, one-sided
  bool quadratic = false;
};

// log10 of P(chi-square with df degrees of freedom >= x).
double log10_chi2_survival(double x, int df);
// log10 of P(X >= k) for X hypergeometric: k or more of `draws` draws from a population of
// `total` holding `marked` marked items.
double log10_hypergeometric_tail(std::size_t total, std::size_t marked, std::size_t draws,
                                 std::size_t k);

MarginalResult marginal_test(const Views& a, const Views& b);
// Learns the hull from a's first `train` runs and tests a's remaining runs against all of b.
// `quadratic_limit`: add pairwise products when the view has at most this many elements.
RelationResult relation_test(const Views& a, const Views& b, std::size_t train,
                             std::size_t quadratic_limit);

// Features per view for relation_test (for choosing `train`: a few more runs than features).
std::size_t relation_features(Algebra algebra, std::size_t width, std::size_t quadratic_limit);

}  // namespace jointly::testing::leakage
