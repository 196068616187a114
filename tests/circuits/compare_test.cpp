// Comparison, bit-to-arithmetic and max / argmax against their plaintext definitions, with the
// exact round and byte counts of docs/circuits.md: CompareSuite over every protocol (each
// backend's own circuit, Protocol::gez_cost, inputs within its range), BinaryCompareSuite for
// the XOR-shared functions of backends with Protocol::binary().
#include "circuits/compare/compare.h"
#include "circuits/gmw/gmw.h"
#include "protocols/additive/gmw.h"
#include "protocols/fixed_point.h"

#include <cmath>
#include <limits>

#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
// Largest magnitude FixedPoint accepts with the default parameters (2^(15+16) - 1).
constexpr std::int64_t kLargestEncodable =
    (std::int64_t{1} << (kDefaultIntBits + kDefaultFracBits)) - 1;

// Random values with |x| <= bound and the edge cases of that range in the first elements.
IntMatrix values_with_edges(Prg& prg, Index rows, Index cols, std::int64_t bound = kMax) {
  IntMatrix x = random_ints(prg, rows, cols);
  if (bound < kMax) x = x.unaryExpr([bound](std::int64_t v) { return v % (bound + 1); });
  const std::int64_t edges[] = {0,
                                1,
                                -1,
                                kMin,
                                kMax,
                                kMin + 1,
                                kLargestEncodable,
                                -kLargestEncodable,
                                std::int64_t{1} << 62,
                                -(std::int64_t{1} << 62),
                                bound,
                                -bound,
                                bound - 1};
  Index at = 0;
  for (const std::int64_t e : edges) {
    if (at < x.size() && (bound == kMax || (e >= -bound && e <= bound))) x.data()[at++] = e;
  }
  return x;
}

// The 2-party GMW comparison's figures (protocols/additive/gmw.h).
TEST(GmwCompareCost, CostFormulaMatchesTheBudget) {
  // 2 parties: 1 generate round + 6 carry-tree rounds + 1 B2A round.
  EXPECT_EQ(ltz_cost(2, 1).rounds, 8u);
  EXPECT_EQ(csa_layers(2), 0);
  EXPECT_EQ(csa_layers(3), 1);
  EXPECT_EQ(csa_layers(5), 3);
  // Per element (large N), 2 parties: 190 AND gates · 2 bits + 1 bit = 381 bits.
  const std::uint64_t big = 64 * 1000;
  EXPECT_EQ(ltz_cost(2, big).bytes_sent * 8, 381u * big);
}

using CompareSuite = CircuitSuite;

TEST_P(CompareSuite, LtzMatchesPlaintextOnRandomAndEdgeValues) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 7, cols = 19;  // 133 elements: the packed layers have partial words
  const IntMatrix x = values_with_edges(data, rows, cols, setup().compare_bound());
  run([&](Protocol& proto) {
    const Shared sx = proto.input(n() - 1, proto.self() == n() - 1 ? &x : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    const Shared bit = circuits::ltz(proto, sx);
    const net::Traffic cost = online_traffic(proto) - before;
    expect_cost(cost, proto.gez_cost(x.size()));
    if (setup().binary()) {
      EXPECT_EQ(cost.bytes_received, cost.bytes_sent) << "every party sends what it receives";
    }
    const IntMatrix got = proto.open(bit);
    for (Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(got.data()[i], x.data()[i] < 0 ? 1 : 0) << "x = " << x.data()[i];
    }
  });
}

TEST_P(CompareSuite, GezAndProductsMatchPlaintextAtTheStatedCost) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 5, cols = 13;
  const IntMatrix x = values_with_edges(data, rows, cols, setup().compare_bound());
  const IntMatrix v = small_ints(data, rows, cols);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(n() - 1, proto.self() == n() - 1 ? &x : nullptr, rows, cols);
    const Shared sv = proto.input(0, proto.self() == 0 ? &v : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    const circuits::BitProducts got = circuits::gez_times(proto, sx, {sv, sx});
    expect_cost(online_traffic(proto) - before, proto.gez_cost(x.size(), 2));
    const IntMatrix bit = proto.open(got.bit), bv = proto.open(got.products[0]),
                    bx = proto.open(got.products[1]);
    for (Index i = 0; i < x.size(); ++i) {
      const std::int64_t want = x.data()[i] >= 0 ? 1 : 0;
      ASSERT_EQ(bit.data()[i], want) << "x = " << x.data()[i];
      ASSERT_EQ(bv.data()[i], want * v.data()[i]) << "x = " << x.data()[i];
      ASSERT_EQ(bx.data()[i], want * x.data()[i]) << "x = " << x.data()[i];
    }
  });
}

TEST_P(CompareSuite, SeveralThresholdsAtTheStatedCost) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 2, cols = 7;
  const IntMatrix x = small_ints(data, rows, cols);
  const std::vector<std::int64_t> offsets{0, -1000, 1000, -(std::int64_t{1} << 19), 77};
  const Index k = static_cast<Index>(offsets.size());
  const IntMatrix v = small_ints(data, k * rows, cols);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const Shared sv = proto.input(1, proto.self() == 1 ? &v : nullptr, k * rows, cols);
    const auto before = online_traffic(proto);
    const circuits::BitProducts got = circuits::gez_offsets_times(proto, sx, offsets, {sv});
    expect_cost(online_traffic(proto) - before, proto.gez_cost(x.size(), 1, static_cast<int>(k)));
    const IntMatrix bit = proto.open(got.bit), bv = proto.open(got.products[0]);
    ASSERT_EQ(bit.rows(), k * rows);
    for (Index j = 0; j < k; ++j) {
      for (Index r = 0; r < rows; ++r) {
        for (Index c = 0; c < cols; ++c) {
          const std::int64_t want = x(r, c) + offsets[static_cast<std::size_t>(j)] >= 0 ? 1 : 0;
          ASSERT_EQ(bit(j * rows + r, c), want) << "x = " << x(r, c) << ", offset " << j;
          ASSERT_EQ(bv(j * rows + r, c), want * v(j * rows + r, c));
        }
      }
    }
  });
}

using BinaryCompareSuite = CircuitSuite;

TEST_P(BinaryCompareSuite, BitsOpenToTheSignAndItsComplement) {
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
  // |a - b| within the backend's range is the stated domain: draw both from half of it
  // ((-2^62, 2^62) where every 64-bit x compares exactly).
  const std::int64_t half = setup().compare_bound() / 2 + 1;
  for (Index i = 0; i < a.size(); ++i) {
    a.data()[i] = static_cast<std::int64_t>(data.next()) % half;
    b.data()[i] = static_cast<std::int64_t>(data.next()) % half;
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

TEST_P(BinaryCompareSuite, BitTimesValueRidesInTheConversionRound) {
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
    const auto before = online_traffic(proto);
    const circuits::BitProducts r = circuits::b2a_times(proto, b, {sv, sw});
    const auto cost = online_traffic(proto) - before;
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
      const auto before = online_traffic(proto);
      const circuits::RowMax m = circuits::max_rows(proto, sx, true);
      const auto cost = online_traffic(proto) - before;
      // ceil(log2(cols)) layers, each one comparison of the halves with two products (the
      // maximum and the argmax); an odd last column waits for the next layer.
      OpCost want;
      for (Index c = cols; c > 1; c = c / 2 + c % 2) {
        const OpCost layer = proto.gez_cost(static_cast<std::uint64_t>(rows * (c / 2)), 2);
        want.rounds += layer.rounds;
        want.bytes_sent += layer.bytes_sent;
      }
      EXPECT_EQ(cost.rounds, want.rounds);
      EXPECT_EQ(cost.rounds, static_cast<std::uint64_t>(std::ceil(std::log2(cols))) *
                                 proto.gez_cost(1, 2).rounds);
      EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
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
  // Shamir's comparison costs about 6.5 KB per element and party: a smaller tensor shows the
  // same thing there.
  const Index big = setup().shamir() ? 1024 + 17 : 4096 + 17;
  const IntMatrix x = values_with_edges(data, 1, big, setup().compare_bound());
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 1, big);
    const auto before = online_traffic(proto);
    const IntMatrix got = proto.open(circuits::ltz(proto, sx));
    EXPECT_EQ((online_traffic(proto) - before).rounds,
              proto.gez_cost(1).rounds + 1);  // + the opening
    for (Index i = 0; i < big; ++i) ASSERT_EQ(got(0, i), x(0, i) < 0 ? 1 : 0);
  });
}

INSTANTIATE_TEST_SUITE_P(All, CompareSuite, kEverySetup,
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Binary, BinaryCompareSuite, kBinarySetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
