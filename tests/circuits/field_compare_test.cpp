// Comparison, ReLU, sigmoid and max on Shamir shares (protocols/shamir/compare.h) against
// their plaintext definitions, with the exact round and byte counts of docs/circuits.md, for 3 and
// 5 parties (softmax: activations_test.cpp's SoftmaxSuite).
#include <array>
#include <cmath>
#include <cstring>

#include "circuits/activations/relu.h"
#include "circuits/activations/sigmoid.h"
#include "net/in_memory.h"
#include "protocols/shamir/compare.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

const FixedPoint kFp;
const double kUlp = 1.0 / kFp.scale();
using RowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Largest magnitude the comparison is exact for.
constexpr std::int64_t kBound = (std::int64_t{1} << (kFieldCompareBits - 1)) - 1;

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
    expect_cost(proto.network().traffic() - before, field_gez_cost(n(), x.size(), 2), n());
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
                field_gez_cost(n(), x.size(), 1, static_cast<int>(k)), n());
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
  EXPECT_LT(field_gez_cost(3, 100, 1, 5).bytes_sent, 5 * field_gez_cost(3, 100, 1, 1).bytes_sent);
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
