// What is particular to the comparison on Shamir shares (protocols/shamir/compare.h): the tree's
// shape, one mask for several thresholds, the random bits, and what the opening reveals. The
// comparison, ReLU, sigmoid and max against plaintext at Shamir::gez_cost run in the suites over
// every protocol (compare_test.cpp, activations_test.cpp).
#include <array>
#include <cmath>
#include <cstring>

#include "circuits/compare/compare.h"
#include "net/in_memory.h"
#include "protocols/shamir/compare.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

// Largest magnitude the comparison is exact for.
constexpr std::int64_t kBound = (std::int64_t{1} << (kFieldCompareBits - 1)) - 1;

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

// What the comparison opens does not depend on x: party 1 of 3 reconstructs c = y + r from
// the two shares it receives in the opening round (t = 1: two shares determine c, exactly
// what it learns) and its bytes are compared for x = 0 and x at the edge of the range. The
// low 4 bytes (the m = 32 masked bits) must be uniform; bytes 4..8 (masked by R) must have the
// same distribution in both runs. Chi-square at the 0.1% point per byte, fixed seeds.
std::vector<Fp> opened_masks(const IntMatrix& x, std::uint64_t seed) {
  struct Recording final : net::Transport {
    net::Transport& inner;
    bool on = false;
    std::vector<std::vector<net::Bytes>> from;  // [peer][message]
    explicit Recording(net::Transport& t) : inner(t), from(3) {}
    net::PartyId self() const override { return inner.self(); }
    int parties() const override { return inner.parties(); }
    void send(net::PartyId p, net::Bytes d) override { inner.send(p, std::move(d)); }
    net::Bytes recv(net::PartyId p) override {
      net::Bytes d = inner.recv(p);
      if (on) from[static_cast<std::size_t>(p)].push_back(d);
      return d;
    }
  };
  std::vector<Fp> c;
  const Seed master = seed_from_u64(seed);
  net::run_in_memory(3, [&](net::Transport& raw) {
    Recording recording(raw);
    net::Network network(raw.self() == 1 ? static_cast<net::Transport&>(recording) : raw);
    Shamir proto(network,
                 {.seed = derive_seed(master, "p", static_cast<std::uint64_t>(raw.self()))});
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, x.rows(), x.cols());
    recording.on = true;
    circuits::gez_times(proto, sx, {});
    if (proto.self() != 1) return;
    // Rounds: bits dealing, a² opening, R dealing, double sharings, then the opening of c.
    const net::Bytes &s0 = recording.from[0].at(4), &s2 = recording.from[2].at(4);
    ASSERT_EQ(s0.size(), static_cast<std::size_t>(x.size()) * sizeof(Fp));
    const Fp inv2 = Fp(2).inverse();
    for (Index i = 0; i < x.size(); ++i) {
      u128 a, b;
      std::memcpy(&a, s0.data() + i * sizeof(Fp), sizeof a);
      std::memcpy(&b, s2.data() + i * sizeof(Fp), sizeof b);
      // f(0) from f(1) and f(3): (3 f(1) - f(3)) / 2.
      c.push_back((Fp(a) * Fp(3) - Fp(b)) * inv2);
    }
  });
  return c;
}

TEST(FieldCompareView, TheOpenedMaskIsIndependentOfTheInput) {
  const Index count = 8192;
  const std::vector<Fp> zero = opened_masks(IntMatrix::Zero(1, count), 31);
  const std::vector<Fp> edge = opened_masks(IntMatrix::Constant(1, count, kBound), 32);
  ASSERT_EQ(zero.size(), static_cast<std::size_t>(count));
  const auto histogram = [](const std::vector<Fp>& v, int byte) {
    std::array<double, 256> h{};
    for (const Fp& f : v) h[static_cast<std::size_t>((f.value() >> (8 * byte)) & 0xff)] += 1;
    return h;
  };
  const auto chi2_uniform = [](const std::array<double, 256>& h) {
    double total = 0, chi2 = 0;
    for (double c : h) total += c;
    for (double c : h) chi2 += (c - total / 256) * (c - total / 256) / (total / 256);
    return chi2;
  };
  const auto chi2_two = [](const std::array<double, 256>& a, const std::array<double, 256>& b) {
    double chi2 = 0;
    for (int i = 0; i < 256; ++i)
      if (a[i] + b[i] > 0) chi2 += (a[i] - b[i]) * (a[i] - b[i]) / (a[i] + b[i]);
    return chi2;
  };
  constexpr double kCritical = 330.5;  // chi-square, 255 degrees of freedom, 0.1%
  for (int byte = 0; byte < 4; ++byte) {
    EXPECT_LT(chi2_uniform(histogram(zero, byte)), kCritical) << "byte " << byte;
    EXPECT_LT(chi2_uniform(histogram(edge, byte)), kCritical) << "byte " << byte;
  }
  for (int byte = 0; byte < 9; ++byte) {
    EXPECT_LT(chi2_two(histogram(zero, byte), histogram(edge, byte)), kCritical) << "byte " << byte;
  }
  // Power: without the mask the two inputs' bytes differ completely.
  std::vector<Fp> y0(count, Fp(u128{1} << 32)), y1(count, Fp(u128{1} << 32) + Fp(kBound));
  EXPECT_GT(chi2_two(histogram(y0, 0), histogram(y1, 0)), 10 * kCritical);
}

INSTANTIATE_TEST_SUITE_P(Shamir, FieldCompareSuite, kShamirSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
