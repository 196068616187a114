#include "protocols/triples/dealer.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace jointly {
namespace {

// Collects every party's output of `make` from dealers built on one master seed.
template <class Make>
auto from_all_parties(int parties, Make make) {
  std::vector<decltype(make(std::declval<Dealer&>()))> out;
  for (net::PartyId p = 0; p < parties; ++p) {
    Dealer dealer(seed_from_u64(99), p, parties);
    out.push_back(make(dealer));
  }
  return out;
}

class DealerTest : public ::testing::TestWithParam<int> {};

TEST_P(DealerTest, ElementwiseTriplesMultiply) {
  const int n = GetParam();
  auto shares = from_all_parties(n, [](Dealer& d) {
    d.elementwise(2, 3);  // the second request must stay in step too
    return d.elementwise(4, 5);
  });
  RingMatrix a = RingMatrix::Zero(4, 5), b = a, c = a;
  for (const auto& t : shares) {
    a += t.a;
    b += t.b;
    c += t.c;
  }
  EXPECT_EQ(c, a.cwiseProduct(b));
  EXPECT_NE(a, RingMatrix::Zero(4, 5));
}

TEST_P(DealerTest, MatrixTriplesMultiply) {
  const int n = GetParam();
  auto shares = from_all_parties(n, [](Dealer& d) { return d.matrix(3, 7, 2); });
  RingMatrix a = RingMatrix::Zero(3, 7), b = RingMatrix::Zero(7, 2), c = RingMatrix::Zero(3, 2);
  for (const auto& t : shares) {
    a += t.a;
    b += t.b;
    c += t.c;
  }
  EXPECT_EQ(c, a * b);
}

TEST_P(DealerTest, TruncPairsAreConsistent) {
  const int n = GetParam();
  const int bits = 16;
  auto shares = from_all_parties(n, [&](Dealer& d) { return d.trunc_pair(50, 2, bits); });
  RingMatrix r = RingMatrix::Zero(50, 2), msb = r, low = r;
  for (const auto& t : shares) {
    r += t.r;
    msb += t.r_msb;
    low += t.r_low;
  }
  for (Index i = 0; i < r.size(); ++i) {
    EXPECT_EQ(msb.data()[i], r.data()[i] >> 63);
    EXPECT_EQ(low.data()[i], (r.data()[i] & ((Ring{1} << 63) - 1)) >> bits);
  }
}

TEST_P(DealerTest, AndTriplesAndDaBitsAreConsistent) {
  const int n = GetParam();
  struct Out {
    BeaverTriple t;
    DaBits d;
  };
  auto shares = from_all_parties(n, [](Dealer& dealer) {
    Out o;
    o.t = dealer.and_triples(3, 5);
    o.d = dealer.dabits(4, 4);
    return o;
  });
  RingMatrix a = RingMatrix::Zero(3, 5), b = a, c = a;
  RingMatrix bit = RingMatrix::Zero(4, 4), ring = bit;
  for (const auto& o : shares) {
    a = a.binaryExpr(o.t.a, std::bit_xor<Ring>());
    b = b.binaryExpr(o.t.b, std::bit_xor<Ring>());
    c = c.binaryExpr(o.t.c, std::bit_xor<Ring>());
    bit = bit.binaryExpr(o.d.xor_bits, std::bit_xor<Ring>());
    ring += o.d.ring_bits;
  }
  EXPECT_EQ(c, a.binaryExpr(b, std::bit_and<Ring>()));
  EXPECT_TRUE((bit.array() <= 1).all());
  EXPECT_EQ(ring, bit);
  EXPECT_GT(bit.sum(), 0u);
}

TEST_P(DealerTest, CountsOnlySeedForAllButTheLastParty) {
  const int n = GetParam();
  for (net::PartyId p = 0; p < n; ++p) {
    Dealer dealer(seed_from_u64(5), p, n);
    dealer.elementwise(10, 10);
    const auto expected = kSeedBytes + (p == n - 1 ? 100 * sizeof(Ring) : 0);
    EXPECT_EQ(dealer.offline_traffic().bytes_received, expected) << "party " << p;
    EXPECT_TRUE(dealer.simulation_only());
    EXPECT_NE(dealer.name().find("SIMULATION ONLY"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Parties, DealerTest, ::testing::Values(2, 3, 5));

}  // namespace
}  // namespace jointly
