// Comparison, ReLU, sigmoid and max on Shamir shares (circuits/compare/field_compare.h) against
// their plaintext definitions, with the exact round and byte counts of docs/circuits.md, for 3 and
// 5 parties (softmax: activations_test.cpp's SoftmaxSuite).
#include <cmath>

#include "circuits/activations/relu.h"
#include "circuits/activations/sigmoid.h"
#include "circuits/compare/field_compare.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

const FixedPoint kFp;
const double kUlp = 1.0 / kFp.scale();
using RowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Largest magnitude the comparison is exact for.
constexpr std::int64_t kBound = (std::int64_t{1} << (circuits::kFieldCompareBits - 1)) - 1;

IntMatrix in_range_with_edges(Prg& prg, Index rows, Index cols) {
  IntMatrix x = random_ints(prg, rows, cols).unaryExpr([](std::int64_t v) { return v % kBound; });
  const std::int64_t edges[] = {0,
                                1,
                                -1,
                                kBound,
                                -kBound,
                                kBound - 1,
                                -kBound + 1,
                                std::int64_t{1} << 31,
                                -(std::int64_t{1} << 31)};
  for (std::size_t i = 0; i < std::size(edges) && static_cast<Index>(i) < x.size(); ++i) {
    x.data()[i] = edges[i];
  }
  return x;
}

void expect_cost(const net::Traffic& got, const circuits::Cost& want, int parties) {
  EXPECT_EQ(got.rounds, want.rounds);
  EXPECT_EQ(got.bytes_sent, want.bytes_sent);
  EXPECT_EQ(got.messages_sent, want.rounds * static_cast<std::uint64_t>(parties - 1))
      << "one message per peer per round";
}

using FieldCompareSuite = CircuitSuite;

TEST_P(FieldCompareSuite, TreeShapeForTheDefaultWidth) {
  // 32 groups: 32 -> 16 -> 8 -> 4 -> 2 -> 1.
  EXPECT_EQ(circuits::field_compare_depth(), 5);
  EXPECT_EQ(circuits::field_compare_products(), 32 + 16 + 8 + 4 + 1);
  // 39 groups: 39 -> 20 -> 10 -> 5 -> 3 -> 2 -> 1 (an odd top group waits a level).
  EXPECT_EQ(circuits::field_compare_depth(39), 6);
  EXPECT_EQ(circuits::field_compare_products(39), 38 + 20 + 10 + 4 + 2 + 1);
  EXPECT_EQ(circuits::field_compare_depth(1), 0);
  EXPECT_EQ(circuits::field_compare_products(2), 1);
  EXPECT_EQ(circuits::field_gez_cost(3, 1, 0).rounds, 10u);
  EXPECT_EQ(circuits::field_gez_cost(3, 1, 1).rounds, 11u);
}

TEST_P(FieldCompareSuite, GezAndProductsMatchPlaintextAtTheStatedCost) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 5, cols = 13;
  const IntMatrix x = in_range_with_edges(data, rows, cols);
  const IntMatrix v = small_ints(data, rows, cols);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(n() - 1, proto.self() == n() - 1 ? &x : nullptr, rows, cols);
    const Shared sv = proto.input(0, proto.self() == 0 ? &v : nullptr, rows, cols);
    const auto before = proto.network().traffic();
    const circuits::BitProducts got = circuits::gez_times(proto, sx, {sv, sx});
    expect_cost(proto.network().traffic() - before, circuits::field_gez_cost(n(), x.size(), 2),
                n());
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

TEST_P(FieldCompareSuite, SeveralThresholdsShareOneMask) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 2, cols = 7;
  const IntMatrix x = small_ints(data, rows, cols);
  const std::vector<std::int64_t> offsets{0, -1000, 1000, -(std::int64_t{1} << 19), 77};
  const Index k = static_cast<Index>(offsets.size());
  const IntMatrix v = small_ints(data, k * rows, cols);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    const Shared sv = proto.input(1, proto.self() == 1 ? &v : nullptr, k * rows, cols);
    const auto before = proto.network().traffic();
    const circuits::BitProducts got = circuits::gez_offsets_times(proto, sx, offsets, {sv});
    expect_cost(proto.network().traffic() - before,
                circuits::field_gez_cost(n(), x.size(), 1, static_cast<int>(k)), n());
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
  // One mask for all thresholds: cheaper than k separate comparisons.
  EXPECT_LT(circuits::field_gez_cost(3, 100, 1, 5).bytes_sent,
            5 * circuits::field_gez_cost(3, 100, 1, 1).bytes_sent);
}

TEST_P(FieldCompareSuite, LtzAndLessThanMatchPlaintext) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 3, cols = 11;
  const IntMatrix a = small_ints(data, rows, cols), b = small_ints(data, rows, cols);
  IntMatrix b_with_ties = b;
  b_with_ties(0, 0) = a(0, 0);
  run([&](Protocol& proto) {
    const Shared sa = proto.input(0, proto.self() == 0 ? &a : nullptr, rows, cols);
    const Shared sb = proto.input(1, proto.self() == 1 ? &b_with_ties : nullptr, rows, cols);
    const IntMatrix lt = proto.open(circuits::less_than(proto, sa, sb));
    const IntMatrix neg = proto.open(circuits::ltz(proto, sa));
    for (Index i = 0; i < a.size(); ++i) {
      ASSERT_EQ(lt.data()[i], a.data()[i] < b_with_ties.data()[i] ? 1 : 0);
      ASSERT_EQ(neg.data()[i], a.data()[i] < 0 ? 1 : 0);
    }
  });
}

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

TEST_P(FieldCompareSuite, ReluSigmoidAndMaxMatchPlaintext) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 4, cols = 9;
  Eigen::MatrixXd v(rows, cols);
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = uniform(data, -10, 10);
  const double edges[] = {0.0, kUlp, -kUlp, 8.0, -8.0, 20, -20};
  for (std::size_t i = 0; i < std::size(edges); ++i) v.data()[i] = edges[i];
  v(3, 2) = v(3, 7);  // a tie for max
  const IntMatrix x = kFp.encode(v);
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    Shared derivative;
    const IntMatrix relu = proto.open(circuits::relu(proto, sx, &derivative));
    const IntMatrix d = proto.open(derivative);
    const RowMajorXd sig = kFp.decode(proto.open(circuits::sigmoid(proto, sx)));
    const circuits::RowMax max = circuits::max_rows(proto, sx, true);
    const IntMatrix m = proto.open(max.max), arg = proto.open(max.argmax);
    for (Index i = 0; i < x.size(); ++i) {
      ASSERT_EQ(relu.data()[i], std::max<std::int64_t>(x.data()[i], 0));
      ASSERT_EQ(d.data()[i], x.data()[i] >= 0 ? 1 : 0);
      const double xi = kFp.decode(x.data()[i]);
      ASSERT_NEAR(sig.data()[i], 1 / (1 + std::exp(-xi)), circuits::kSigmoidMaxError);
    }
    for (Index r = 0; r < rows; ++r) {
      ASSERT_EQ(m(r, 0), x.row(r).maxCoeff());
      ASSERT_EQ(x(r, arg(r, 0)), x.row(r).maxCoeff()) << "argmax picks a maximal column";
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Shamir, FieldCompareSuite, kShamirSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
