// The suite every protocol must pass: correctness against plaintext, fixed-point error
// bounds, exact round and byte counts (docs/cost.md), and failure paths.
#include <gtest/gtest.h>

#include <array>

#include <algorithm>

#include <cmath>
#include <mutex>

#include "protocols/fixed_point.h"
#include "tests/protocols/costs.h"
#include "tests/protocols/harness.h"

namespace jointly::testing {
namespace {

// Runs `op` and checks this party's online rounds and bytes sent against `want`.
template <class F>
auto expect_cost(Protocol& proto, Cost want, F op, const char* what) {
  const net::Traffic before = online_traffic(proto);
  auto result = op();
  const net::Traffic cost = online_traffic(proto) - before;
  EXPECT_EQ(cost.rounds, want.rounds) << what << ", party " << proto.self();
  EXPECT_EQ(cost.bytes_sent, want.bytes) << what << ", party " << proto.self();
  return result;
}

class ProtocolSuite : public ::testing::TestWithParam<ProtocolSetup> {
 protected:
  const ProtocolSetup& setup() const { return GetParam(); }
  int n() const { return setup().parties; }
  // Each test uses its own seed so that a failure can be replayed alone.
  std::uint64_t seed() const {
    return std::hash<std::string>{}(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
};

TEST_P(ProtocolSuite, InputThenOpenReconstructsEveryOwnersValue) {
  Prg data(seed_from_u64(seed()));
  std::vector<IntMatrix> values;
  for (int p = 0; p < n(); ++p) values.push_back(small_ints(data, 3, 4));
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    for (net::PartyId owner = 0; owner < n(); ++owner) {
      const IntMatrix* mine = proto.self() == owner ? &values[owner] : nullptr;
      Shared x = expect_cost(
          proto, input_cost(setup(), proto.self(), owner, 12),
          [&] { return proto.input(owner, mine, 3, 4); }, "input");
      if (proto.self() != owner) {
        const auto equal = [&](const IntMatrix& share) { return share == values[owner]; };
        if (x.is_ring()) {
          EXPECT_FALSE(equal(to_int(x.ring()))) << "a peer's share equals the secret";
        } else if (x.is_pair()) {
          EXPECT_FALSE(equal(to_int(x.pair().mine))) << "a peer's share equals the secret";
          EXPECT_FALSE(equal(to_int(x.pair().next))) << "a peer's share equals the secret";
        } else {
          EXPECT_FALSE(x.field() == values[owner].unaryExpr([](std::int64_t v) { return Fp(v); }))
              << "a peer's share equals the secret";
        }
      }
      const IntMatrix opened = expect_cost(
          proto, open_cost(setup(), 12), [&] { return proto.open(x); }, "open");
      EXPECT_EQ(opened, values[owner]);
    }
  });
}

TEST_P(ProtocolSuite, OpenToRevealsOnlyToTheReceiver) {
  IntMatrix secret(2, 2);
  secret << 1, -2, 3, -4;
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared x = proto.input(0, proto.self() == 0 ? &secret : nullptr, 2, 2);
    for (net::PartyId receiver = 0; receiver < n(); ++receiver) {
      const auto before = online_traffic(proto);
      auto opened = expect_cost(
          proto, open_to_cost(setup(), proto.self(), receiver, 4),
          [&] { return proto.open_to(receiver, x); }, "open_to");
      if (proto.self() == receiver) {
        ASSERT_TRUE(opened.has_value());
        EXPECT_EQ(*opened, secret);
      } else {
        EXPECT_FALSE(opened.has_value());
        EXPECT_EQ((online_traffic(proto) - before).bytes_received, 0u)
            << "only the receiver receives";
      }
    }
  });
}

TEST_P(ProtocolSuite, LinearOperationsMatchPlaintextAndAreFree) {
  Prg data(seed_from_u64(seed()));
  const IntMatrix x = small_ints(data, 4, 3), y = small_ints(data, 4, 3);
  const IntMatrix c = small_ints(data, 4, 3), left = small_ints(data, 2, 4);
  const IntMatrix right = small_ints(data, 3, 5);
  const std::int64_t k = -12345;
  // Plaintext reference in the ring (wrap-around).
  const RingMatrix X = to_ring(x), Y = to_ring(y), C = to_ring(c);
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 4, 3);
    Shared sy = proto.input(n() - 1, proto.self() == n() - 1 ? &y : nullptr, 4, 3);
    const auto before = online_traffic(proto);
    Shared sum = proto.add(sx, sy), diff = proto.sub(sx, sy);
    Shared plus_c = proto.add_public(sx, c), scaled = proto.scale(sx, k);
    Shared times_c = proto.mul_public(sx, c);
    Shared xr = proto.matmul_public(sx, right), lx = proto.matmul_public(left, sx);
    EXPECT_EQ((online_traffic(proto) - before).bytes_sent, 0u);
    EXPECT_EQ((online_traffic(proto) - before).rounds, 0u);
    EXPECT_EQ(to_ring(proto.open(sum)), RingMatrix(X + Y));
    EXPECT_EQ(to_ring(proto.open(diff)), RingMatrix(X - Y));
    EXPECT_EQ(to_ring(proto.open(plus_c)), RingMatrix(X + C));
    EXPECT_EQ(to_ring(proto.open(scaled)), RingMatrix(X * static_cast<Ring>(k)));
    EXPECT_EQ(to_ring(proto.open(times_c)), RingMatrix(X.cwiseProduct(C)));
    EXPECT_EQ(to_ring(proto.open(xr)), RingMatrix(X * to_ring(right)));
    EXPECT_EQ(to_ring(proto.open(lx)), RingMatrix(to_ring(left) * X));
    EXPECT_EQ(to_ring(proto.open(sx.transpose())), RingMatrix(X.transpose()));
    EXPECT_EQ(to_ring(proto.open(sx.middle_rows(1, 2))), RingMatrix(X.middleRows(1, 2)));
  });
}

TEST_P(ProtocolSuite, MulMatchesPlaintextWithBeaverCost) {
  Prg data(seed_from_u64(seed()));
  const Index rows = 17, cols = 31;
  const IntMatrix x = small_ints(data, rows, cols), y = small_ints(data, rows, cols);
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, rows, cols);
    Shared sy = proto.input(1, proto.self() == 1 ? &y : nullptr, rows, cols);
    const auto before = online_traffic(proto);
    Shared z = proto.mul(sx, sy);
    const auto cost = online_traffic(proto) - before;
    const Cost want = mul_cost(setup(), rows * cols);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes);
    EXPECT_EQ(cost.messages_sent, messages(setup(), want.rounds));  // one per peer per round
    EXPECT_EQ(to_ring(proto.open(z)), RingMatrix(to_ring(x).cwiseProduct(to_ring(y))));
  });
}

TEST_P(ProtocolSuite, MatmulMatchesPlaintextWithMatrixTripleCost) {
  Prg data(seed_from_u64(seed()));
  const Index m = 9, k = 23, p = 6;
  const IntMatrix x = small_ints(data, m, k), y = small_ints(data, k, p);
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, m, k);
    Shared sy = proto.input(n() - 1, proto.self() == n() - 1 ? &y : nullptr, k, p);
    const auto before = online_traffic(proto);
    Shared z = proto.matmul(sx, sy);
    const auto cost = online_traffic(proto) - before;
    // Additive: |X| + |Y| elements to each peer (not |X||Y||Z|); Shamir DN07 and replicated:
    // |Z|.
    const Cost want = matmul_cost(setup(), m, k, p);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes);
    EXPECT_EQ(to_ring(proto.open(z)), RingMatrix(to_ring(x) * to_ring(y)));
  });
}

// Fixed-point: |decode(trunc(x·y)) - x·y| <= (|x| + |y|)·2^-(f+1) (input rounding)
// + 2^-f (one truncation) + 2^-(2f+2) — docs/fixed-point.md.
TEST_P(ProtocolSuite, FixedPointMulAndMatmulStayWithinTheErrorBound) {
  const FixedPoint fp;
  Prg data(seed_from_u64(seed()));
  const Index rows = 40, inner = 30, cols = 8;
  Eigen::MatrixXd a(rows, inner), b(inner, cols), e(rows, inner);
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(data.next() >> 11) / 9007199254740992.0;
  };
  for (Index i = 0; i < a.size(); ++i) a.data()[i] = uniform(-100, 100);
  for (Index i = 0; i < e.size(); ++i) e.data()[i] = uniform(-100, 100);
  for (Index i = 0; i < b.size(); ++i) b.data()[i] = uniform(-2, 2);
  const IntMatrix ea = fp.encode(a), eb = fp.encode(b), ee = fp.encode(e);
  const double ulp = 1.0 / fp.scale();
  // Additive and replicated truncation is off by at most one unit; Shamir's statistical
  // truncation by n. (Local and replicated truncation also fail with probability about
  // |x| / 2^63 per element: below 2^-17 for these products, and these seeds never hit it.)
  const double trunc_ulps = setup().shamir() ? n() : 1;
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared sa = proto.input(0, proto.self() == 0 ? &ea : nullptr, rows, inner);
    Shared se = proto.input(1, proto.self() == 1 ? &ee : nullptr, rows, inner);
    Shared sb = proto.input(1, proto.self() == 1 ? &eb : nullptr, inner, cols);
    const Eigen::MatrixXd prod =
        fp.decode(proto.open(proto.trunc(proto.mul(sa, se), fp.frac_bits)));
    const Eigen::MatrixXd mm =
        fp.decode(proto.open(proto.trunc(proto.matmul(sa, sb), fp.frac_bits)));
    for (Index i = 0; i < prod.size(); ++i) {
      const double x = a.data()[i], y = e.data()[i];
      const double bound = (std::fabs(x) + std::fabs(y)) * ulp / 2 + trunc_ulps * ulp + ulp * ulp;
      ASSERT_NEAR(prod.data()[i], x * y, bound) << "element " << i;
    }
    const Eigen::MatrixXd exact = a * b;
    for (Index r = 0; r < rows; ++r) {
      for (Index c = 0; c < cols; ++c) {
        double bound = trunc_ulps * ulp + ulp * ulp;
        for (Index j = 0; j < inner; ++j) {
          bound += (std::fabs(a(r, j)) + std::fabs(b(j, c))) * ulp / 2 + ulp * ulp / 4;
        }
        ASSERT_NEAR(mm(r, c), exact(r, c), bound) << "element " << r << "," << c;
      }
    }
  });
}

TEST_P(ProtocolSuite, TruncationHandlesEdgeValuesAndCostsWhatTheDocsSay) {
  const int f = kDefaultFracBits;
  const bool local = setup().local_truncation();
  // Local (SecureML) truncation fails with probability about |x| / 2^63 per element, so its
  // largest test value is 2^40 (failure 2^-23); pair truncation is exact up to |x| < 2^62.
  // Replicated Π_trunc1 is exact up to +1 for an input by party 0 (its x_2 is zero, so the
  // 2-out-of-2 view cannot wrap: docs/replicated.md), so it takes the full range too.
  const std::int64_t big = (std::int64_t{1} << (local ? 40 : 61)) + 12345;
  IntMatrix x(1, 7);
  x << 0, 1, -1, (std::int64_t{1} << f) * 3, -(std::int64_t{1} << f) * 3 - 5, big, -big;
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 1, 7);
    const auto before = online_traffic(proto);
    Shared t = proto.trunc(sx, f);
    const auto cost = online_traffic(proto) - before;
    const Cost want = trunc_cost(setup(), proto.self(), 7);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes);
    const IntMatrix got = proto.open(t);
    for (Index i = 0; i < x.size(); ++i) {
      const std::int64_t want = x(0, i) >> f;  // floor
      const std::int64_t diff = got(0, i) - want;
      // docs/fixed-point.md (local and pair) and docs/replicated.md: ⌊x / 2^f⌋ or one more;
      // docs/shamir.md: up to n more. Never less.
      const std::int64_t most = setup().shamir() ? n() : 1;
      EXPECT_TRUE(diff >= 0 && diff <= most) << "x = " << x(0, i) << " off by " << diff;
    }
  });
}

TEST_P(ProtocolSuite, ShapeMismatchesAreErrors) {
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    Shared a = proto.random(2, 3), b = proto.random(3, 2);
    EXPECT_THROW(proto.add(a, b), std::invalid_argument);
    EXPECT_THROW(proto.mul(a, b), std::invalid_argument);
    EXPECT_THROW(proto.matmul(a, a), std::invalid_argument);
    EXPECT_THROW(proto.input(n(), nullptr, 1, 1), std::invalid_argument);
    IntMatrix wrong(1, 1);
    EXPECT_THROW(proto.input(proto.self(), &wrong, 2, 2), std::invalid_argument);
    EXPECT_THROW(proto.trunc(a, 64), std::invalid_argument);
  });
}

TEST_P(ProtocolSuite, MalformedPeerMessageIsAnErrorNamingThePeer) {
  try {
    run_protocol(setup(), seed(), [&](Protocol& proto) {
      Shared a = proto.random(4, 4);
      if (proto.self() == 0) {
        proto.network().broadcast(net::Bytes(5));  // 5 bytes where 128 are due
        proto.network().recv(1);                   // wait for the others to fail
      } else {
        proto.open(a);
      }
    });
    FAIL() << "a 5-byte opening message must not be accepted";
  } catch (const net::PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("party 0"), std::string::npos) << e.what();
  }
}

// shuffle_rows (DP-SGD's secret shuffle, docs/dp.md "Who knows the batches"): on the
// honest-majority backends the rows come back whole and permuted, and the permutation is
// uniform (the position of row 0 over 1,000 shuffles of 4 rows: chi-square, 3 degrees of
// freedom, below 30.7, p = 1e-6); additive sharing has none and says so.
TEST_P(ProtocolSuite, ShuffleRowsIsAUniformPermutationWhereTheBackendHasOne) {
  constexpr Index kRows = 4, kShuffles = 1000;
  IntMatrix x(kRows, 3);
  for (Index i = 0; i < kRows; ++i) x.row(i) << i, 100 + i, -7 * i;
  std::array<int, kRows> where_row0{};
  run_protocol(setup(), seed(), [&](Protocol& proto) {
    const bool can = setup().scheme != Scheme::kAdditive;
    EXPECT_EQ(proto.can_shuffle_rows(), can);
    const Shared xs = proto.input(0, proto.self() == 0 ? &x : nullptr, kRows, 3);
    if (!can) {
      EXPECT_FALSE(proto.shuffle_rows(xs).has_value());
      return;
    }
    const IntMatrix once = proto.open(*proto.shuffle_rows(xs));
    std::vector<Index> seen;
    for (Index i = 0; i < kRows; ++i) {
      const Index r = once(i, 0);
      ASSERT_TRUE(r >= 0 && r < kRows);
      EXPECT_EQ(once.row(i), x.row(r)) << "row " << i << " is not whole";
      seen.push_back(r);
    }
    std::sort(seen.begin(), seen.end());
    for (Index i = 0; i < kRows; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i);
    std::vector<Shared> many;
    for (Index k = 0; k < kShuffles; ++k) many.push_back(*proto.shuffle_rows(xs));
    const IntMatrix all = proto.open(Shared::vstack(many));
    if (proto.self() != 0) return;
    for (Index k = 0; k < kShuffles; ++k) {
      for (Index i = 0; i < kRows; ++i) {
        if (all(k * kRows + i, 0) == 0) ++where_row0[static_cast<std::size_t>(i)];
      }
    }
  });
  if (setup().scheme == Scheme::kAdditive) return;
  double chi2 = 0;
  const double expected = double(kShuffles) / kRows;
  for (const int count : where_row0) chi2 += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi2, 30.7) << setup().name;
}

// Every scheme with every source of correlated randomness: additive with dealer triples (2, 3
// and 5 parties, local and pair truncation) and with OT triples (2 parties), Shamir with DN07
// (both multiplication modes), replicated with its pairwise keys.
INSTANTIATE_TEST_SUITE_P(All, ProtocolSuite,
                         ::testing::Values(additive_setup(2), additive_setup(3), additive_setup(5),
                                           additive_setup(2, Truncation::kPair),
                                           additive_ot_setup(),
                                           additive_ot_setup(Truncation::kPair), shamir_setup(3),
                                           shamir_setup(5), shamir_setup(7),
                                           shamir_setup(3, ShamirMultiplication::kBeaver),
                                           replicated_setup()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
