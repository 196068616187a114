// Comparison, bit-to-arithmetic and max / argmax against their plaintext definitions, with the
// exact round and byte counts of docs/circuits.md.
#include "circuits/compare/compare.h"
#include "circuits/gmw/gmw.h"
#include "protocols/additive/gmw.h"
#include "protocols/fixed_point.h"

#include <cmath>
#include <limits>

#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

using circuits::Cost;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
// Largest magnitude FixedPoint accepts with the default parameters (2^(15+16) - 1).
constexpr std::int64_t kLargestEncodable =
    (std::int64_t{1} << (kDefaultIntBits + kDefaultFracBits)) - 1;

// Random values with the edge cases in the first elements.
IntMatrix values_with_edges(Prg& prg, Index rows, Index cols) {
  IntMatrix x = random_ints(prg, rows, cols);
  const std::int64_t edges[] = {0,
                                1,
                                -1,
                                kMin,
                                kMax,
                                kMin + 1,
                                kLargestEncodable,
                                -kLargestEncodable,
                                std::int64_t{1} << 62,
                                -(std::int64_t{1} << 62)};
  for (std::size_t i = 0; i < std::size(edges) && static_cast<Index>(i) < x.size(); ++i) {
    x.data()[i] = edges[i];
  }
  return x;
}

void expect_cost(const net::Traffic& got, const Cost& want, int parties) {
  EXPECT_EQ(got.rounds, want.rounds);
  EXPECT_EQ(got.bytes_sent, want.bytes_sent);
  EXPECT_EQ(got.bytes_received, want.bytes_sent) << "every party sends what it receives";
  EXPECT_EQ(got.messages_sent, want.rounds * static_cast<std::uint64_t>(parties - 1))
      << "one message per peer per round";
}

using CompareSuite = CircuitSuite;

TEST_P(CompareSuite, CostFormulaMatchesTheBudget) {
  // 2 parties: 1 generate round + 6 carry-tree rounds + 1 B2A round.
  EXPECT_EQ(ltz_cost(2, 1).rounds, 8u);
  EXPECT_EQ(csa_layers(2), 0);
  EXPECT_EQ(csa_layers(3), 1);
  EXPECT_EQ(csa_layers(5), 3);
  // Per element (large N), 2 parties: 190 AND gates · 2 bits + 1 bit = 381 bits.
  const std::uint64_t big = 64 * 1000;
  EXPECT_EQ(ltz_cost(2, big).bytes_sent * 8, 381u * big);
}

TEST_P(CompareSuite, LtzMatchesPlaintextOnRandomAndEdgeValues) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 7, cols = 19;  // 133 elements: the packed layers have partial words
  const IntMatrix x = values_with_edges(data, rows, cols);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(n() - 1, proto.self() == n() - 1 ? &x : nullptr, rows, cols);
    const auto before = proto.network().traffic();
    const Shared bit = circuits::ltz(proto, sx);
    expect_cost(proto.network().traffic() - before, ltz_cost(n(), x.size()), n());
    const IntMatrix got = proto.open(bit);
    for (Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(got.data()[i], x.data()[i] < 0 ? 1 : 0) << "x = " << x.data()[i];
    }
  });
}

TEST_P(CompareSuite, BitsOpenToTheSignAndItsComplement) {
  Prg data(seed_from_u64(seed()));
  const IntMatrix x = values_with_edges(data, 3, 50);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 3, 50);
    const RingMatrix neg = circuits::open_bits(proto, circuits::ltz_bits(proto, sx));
    const RingMatrix nonneg = circuits::open_bits(proto, circuits::gez_bits(proto, sx));
    for (Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(neg.data()[i], x.data()[i] < 0 ? 1u : 0u);
      ASSERT_EQ(nonneg.data()[i], x.data()[i] >= 0 ? 1u : 0u);
    }
  });
}

TEST_P(CompareSuite, LessThanMatchesPlaintext) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 5, cols = 40;
  IntMatrix a(rows, cols), b(rows, cols);
  // |a - b| < 2^63 is the stated domain: draw both from (-2^62, 2^62).
  for (Index i = 0; i < a.size(); ++i) {
    a.data()[i] = static_cast<std::int64_t>(data.next()) >> 2;
    b.data()[i] = static_cast<std::int64_t>(data.next()) >> 2;
  }
  b.data()[0] = a.data()[0];      // equal
  b.data()[1] = a.data()[1] + 1;  // off by one either way
  b.data()[2] = a.data()[2] - 1;
  run([&](Protocol& proto) {
    const Shared sa = proto.input(0, proto.self() == 0 ? &a : nullptr, rows, cols);
    const Shared sb = proto.input(1, proto.self() == 1 ? &b : nullptr, rows, cols);
    const IntMatrix got = proto.open(circuits::less_than(proto, sa, sb));
    for (Index i = 0; i < a.size(); ++i) {
      ASSERT_EQ(got.data()[i], a.data()[i] < b.data()[i] ? 1 : 0) << "element " << i;
    }
  });
}

TEST_P(CompareSuite, BitTimesValueRidesInTheConversionRound) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 4, cols = 33;
  const IntMatrix bits = to_int(data.bits(rows, cols));
  const RingMatrix bits_ring = to_ring(bits);
  const IntMatrix v = random_ints(data, rows, cols), w = random_ints(data, rows, cols);
  run([&](Protocol& proto) {
    circuits::BoolShared b =
        circuits::input_bits(proto, 1, proto.self() == 1 ? &bits_ring : nullptr, rows, cols);
    const Shared sv = proto.input(0, proto.self() == 0 ? &v : nullptr, rows, cols);
    const Shared sw = proto.input(0, proto.self() == 0 ? &w : nullptr, rows, cols);
    const auto before = proto.network().traffic();
    const circuits::BitProducts r = circuits::b2a_times(proto, b, {sv, sw});
    const auto cost = proto.network().traffic() - before;
    EXPECT_EQ(cost.rounds, 1u);
    EXPECT_EQ(cost.bytes_sent,
              (n() - 1) * sizeof(Ring) * (circuits::chunk_words(rows * cols, 1) + 4 * rows * cols));
    EXPECT_EQ(proto.open(r.bit), bits);
    EXPECT_EQ(to_ring(proto.open(r.products[0])),
              RingMatrix(to_ring(bits).cwiseProduct(to_ring(v))));
    EXPECT_EQ(to_ring(proto.open(r.products[1])),
              RingMatrix(to_ring(bits).cwiseProduct(to_ring(w))));
  });
}

TEST_P(CompareSuite, MaxAndArgmaxOverRows) {
  Prg data(seed_from_u64(seed()));
  for (const Index cols : {Index{1}, Index{2}, Index{5}, Index{10}}) {
    const Index rows = 9;
    IntMatrix x(rows, cols);
    for (Index i = 0; i < x.size(); ++i) {
      x.data()[i] = static_cast<std::int64_t>(uniform(data, -1e6, 1e6));
    }
    x.row(0).setConstant(-7);                          // all tied
    if (cols > 1) x(1, cols - 1) = kLargestEncodable;  // maximum in the odd last column
    if (cols > 1) x(2, 0) = x(2, 1) = kLargestEncodable;
    run([&](Protocol& proto) {
      const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
      const auto before = proto.network().traffic();
      const circuits::RowMax m = circuits::max_rows(proto, sx, true);
      const auto cost = proto.network().traffic() - before;
      const auto layers = static_cast<std::uint64_t>(std::ceil(std::log2(cols)));
      EXPECT_EQ(cost.rounds, layers * ltz_cost(n(), 1).rounds);
      const IntMatrix max = proto.open(m.max), arg = proto.open(m.argmax);
      for (Index r = 0; r < rows; ++r) {
        ASSERT_EQ(max(r, 0), x.row(r).maxCoeff()) << "row " << r << " cols " << cols;
        ASSERT_GE(arg(r, 0), 0);
        ASSERT_LT(arg(r, 0), cols);
        ASSERT_EQ(x(r, arg(r, 0)), max(r, 0)) << "argmax of row " << r;
      }
    });
  }
}

TEST_P(CompareSuite, RoundsDoNotGrowWithTheTensor) {
  Prg data(seed_from_u64(seed()));
  const Index big = 4096 + 17;
  const IntMatrix x = random_ints(data, 1, big);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 1, big);
    const auto before = proto.network().traffic();
    const IntMatrix got = proto.open(circuits::ltz(proto, sx));
    EXPECT_EQ((proto.network().traffic() - before).rounds,
              ltz_cost(n(), 1).rounds + 1);  // + the opening
    for (Index i = 0; i < big; ++i) ASSERT_EQ(got(0, i), x(0, i) < 0 ? 1 : 0);
  });
}

INSTANTIATE_TEST_SUITE_P(Additive, CompareSuite, kAdditiveSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
