#include "protocols/triples/ot/ot_triples.h"

#include <gtest/gtest.h>

#include <functional>

#include "protocols/additive/additive.h"
#include "protocols/triples/provider.h"
#include "tests/protocols/ot/two_party.h"

namespace jointly {
namespace {

using testing::run_two;

template <class Result>
std::array<Result, 2> with_source(std::uint64_t seed, const std::function<Result(OtTriples&)>& body,
                                  const ot::OtOptions& options = {}) {
  return run_two<Result>([&](net::Network& network) {
    OtTriples source(network, seed_from_u64(seed * 2 + network.self()), options);
    return body(source);
  });
}

RingMatrix sum(const RingMatrix& x, const RingMatrix& y) { return x + y; }
RingMatrix xor_of(const RingMatrix& x, const RingMatrix& y) {
  return x.binaryExpr(y, std::bit_xor<Ring>());
}

void expect_elementwise(const std::array<BeaverTriple, 2>& t) {
  const RingMatrix a = sum(t[0].a, t[1].a), b = sum(t[0].b, t[1].b);
  EXPECT_EQ(sum(t[0].c, t[1].c), a.cwiseProduct(b));
  EXPECT_NE(t[0].a, t[1].a);
}

void expect_matrix(const std::array<BeaverTriple, 2>& t, Index m, Index k, Index n) {
  const RingMatrix a = sum(t[0].a, t[1].a), b = sum(t[0].b, t[1].b);
  ASSERT_EQ(a.rows(), m);
  ASSERT_EQ(a.cols(), k);
  ASSERT_EQ(b.cols(), n);
  EXPECT_EQ(sum(t[0].c, t[1].c), a * b) << m << "x" << k << "·" << k << "x" << n;
}

void expect_trunc(const std::array<TruncPair, 2>& p, int bits) {
  const RingMatrix r = sum(p[0].r, p[1].r), msb = sum(p[0].r_msb, p[1].r_msb),
                   low = sum(p[0].r_low, p[1].r_low);
  for (Index i = 0; i < r.size(); ++i) {
    EXPECT_EQ(msb.data()[i], r.data()[i] >> 63);
    EXPECT_EQ(low.data()[i], (r.data()[i] & ((Ring{1} << 63) - 1)) >> bits);
  }
}

void expect_and(const std::array<BeaverTriple, 2>& t) {
  const RingMatrix a = xor_of(t[0].a, t[1].a), b = xor_of(t[0].b, t[1].b);
  EXPECT_EQ(xor_of(t[0].c, t[1].c), a.binaryExpr(b, std::bit_and<Ring>()));
  EXPECT_NE(a, RingMatrix::Zero(a.rows(), a.cols()));
}

void expect_dabits(const std::array<DaBits, 2>& d) {
  const RingMatrix bit = xor_of(d[0].xor_bits, d[1].xor_bits);
  EXPECT_TRUE((bit.array() <= 1).all());
  EXPECT_EQ(sum(d[0].ring_bits, d[1].ring_bits), bit);
  EXPECT_GT(bit.sum(), 0u);
  EXPECT_LT(bit.sum(), static_cast<Ring>(bit.size()));
}

TEST(OtTriples, ElementwiseTriplesMultiply) {
  auto t = with_source<std::array<BeaverTriple, 2>>(1, [](OtTriples& s) {
    return std::array{s.elementwise(2, 3), s.elementwise(40, 50)};
  });
  expect_elementwise({t[0][0], t[1][0]});
  expect_elementwise({t[0][1], t[1][1]});
}

TEST(OtTriples, MatrixTriplesMultiplyInBothOrientations) {
  const std::vector<std::array<Index, 3>> shapes = {{3, 7, 2}, {2, 5, 9}, {1, 4, 1}, {33, 31, 1}};
  auto t = with_source<std::vector<BeaverTriple>>(2, [&](OtTriples& s) {
    std::vector<BeaverTriple> out;
    for (const auto& [m, k, n] : shapes) out.push_back(s.matrix(m, k, n));
    return out;
  });
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    expect_matrix({t[0][i], t[1][i]}, shapes[i][0], shapes[i][1], shapes[i][2]);
  }
}

TEST(OtTriples, TruncPairsAndTriplesAndDaBitsAreConsistent) {
  struct Out {
    TruncPair p;
    BeaverTriple and_t;
    DaBits d;
  };
  auto o = with_source<Out>(3, [](OtTriples& s) {
    return Out{s.trunc_pair(50, 2, 16), s.and_triples(3, 5), s.dabits(20, 20)};
  });
  expect_trunc({o[0].p, o[1].p}, 16);
  expect_and({o[0].and_t, o[1].and_t});
  expect_dabits({o[0].d, o[1].d});
}

// OT's batch behind the provider: one pass over the whole plan, then served from memory.
TEST(OtTriples, PreparedPlanIsServedInOrder) {
  const std::vector<TripleRequest> plan = {
      TripleRequest::matrix(4, 3, 1),      TripleRequest::elementwise(5, 1),
      TripleRequest::trunc_pair(5, 1, 16), TripleRequest::matrix(4, 3, 1),
      TripleRequest::matrix(3, 4, 2),      TripleRequest::and_triples(2, 2),
      TripleRequest::dabits(7, 1),         TripleRequest::elementwise(1, 9),
      TripleRequest::trunc_pair(1, 9, 8)};
  struct Out {
    std::vector<BeaverTriple> m, e;
    std::vector<TruncPair> p;
    BeaverTriple a;
    DaBits d;
    net::Traffic prepare;
    std::uint64_t last_progress = 0, total = 0;
  };
  auto o = with_source<Out>(4, [&](OtTriples& ot) {
    TripleProvider s(ot);
    Out out;
    const net::Traffic before = s.offline_traffic();
    s.prepare(plan, [&](std::uint64_t done, std::uint64_t total) {
      EXPECT_GE(done, out.last_progress);
      out.last_progress = done;
      out.total = total;
    });
    out.prepare = s.offline_traffic() - before;
    EXPECT_EQ(s.prepared(), plan.size());
    // Served per kind in plan order, whatever the interleaving between kinds.
    out.d = s.dabits(7, 1);
    out.e.push_back(s.elementwise(5, 1));
    out.m.push_back(s.matrix(4, 3, 1));
    out.m.push_back(s.matrix(4, 3, 1));
    out.p.push_back(s.trunc_pair(5, 1, 16));
    out.m.push_back(s.matrix(3, 4, 2));
    out.a = s.and_triples(2, 2);
    out.e.push_back(s.elementwise(1, 9));
    out.p.push_back(s.trunc_pair(1, 9, 8));
    EXPECT_EQ(s.prepared(), 0u);
    EXPECT_EQ(s.offline_traffic().rounds, before.rounds + out.prepare.rounds);  // nothing new
    s.elementwise(1, 1);  // on demand once the plan is used up
    s.prepare(std::vector{TripleRequest::elementwise(2, 2)});
    EXPECT_THROW(s.elementwise(3, 3), std::logic_error);
    return out;
  });
  EXPECT_EQ(o[0].last_progress, o[0].total);
  // One job per kind and matrix shape: a handful of rounds for the whole plan.
  EXPECT_LE(o[0].prepare.rounds, 12u);
  expect_matrix({o[0].m[0], o[1].m[0]}, 4, 3, 1);
  expect_matrix({o[0].m[1], o[1].m[1]}, 4, 3, 1);
  expect_matrix({o[0].m[2], o[1].m[2]}, 3, 4, 2);
  expect_elementwise({o[0].e[0], o[1].e[0]});
  expect_elementwise({o[0].e[1], o[1].e[1]});
  expect_trunc({o[0].p[0], o[1].p[0]}, 16);
  expect_trunc({o[0].p[1], o[1].p[1]}, 8);
  expect_and({o[0].a, o[1].a});
  expect_dabits({o[0].d, o[1].d});
}

// The cost table of docs/ot.md, exactly: 1024 + 260 bytes per element-wise triple,
// 1024·min(mk, kn) + 260·mkn per matrix triple, 16 | 8 bytes per daBit; chunks + 1 rounds.
TEST(OtTriples, CostMatchesTheDocs) {
  auto t = with_source<std::array<net::Traffic, 3>>(
      7,
      [](OtTriples& s) {
        std::array<net::Traffic, 3> out;
        net::Traffic before = s.offline_traffic();
        s.elementwise(1, 1000);  // 64,000 OTs each way: two chunks of at most 32,768
        out[0] = s.offline_traffic() - before;
        before = s.offline_traffic();
        s.matrix(3, 7, 2);  // built on B's bits: 7·2·64 OTs of 3-element vectors
        out[1] = s.offline_traffic() - before;
        before = s.offline_traffic();
        s.dabits(10, 10);
        out[2] = s.offline_traffic() - before;
        return out;
      },
      ot::OtOptions{.extension = ot::Extension::kIknp});
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(t[p][0].bytes_sent, 1000u * (1024 + 260));
    EXPECT_EQ(t[p][0].rounds, 3u);
    EXPECT_EQ(t[p][1].bytes_sent, 1024u * 14 + 260u * 42);
    EXPECT_EQ(t[p][1].rounds, 2u);
    EXPECT_EQ(t[p][2].bytes_sent, 100u * (p == 1 ? 16 : 8) + (p == 1 ? 28 * 16 : 0));
  }
}

TEST(OtTriples, EmptyRequestsKeepTheirShape) {
  with_source<int>(6, [](OtTriples& s) {
    EXPECT_EQ(s.elementwise(0, 5).a.cols(), 5);
    EXPECT_EQ(s.matrix(0, 3, 2).b.rows(), 3);
    EXPECT_EQ(s.trunc_pair(4, 0, 16).r.rows(), 4);
    EXPECT_EQ(s.and_triples(0, 2).c.cols(), 2);
    EXPECT_EQ(s.dabits(3, 0).ring_bits.rows(), 3);
    return 0;
  });
}

TEST(OtTriples, RefusesAnythingButTwoParties) {
  EXPECT_THROW(net::run_in_memory(3,
                                  [](net::Transport& transport) {
                                    net::Network network(transport);
                                    OtTriples source(network, seed_from_u64(1));
                                  }),
               std::invalid_argument);
}

TEST(OtTriples, NamesItselfAndIsNotSimulationOnly) {
  with_source<int>(5, [](OtTriples& s) {
    EXPECT_FALSE(s.simulation_only());
    EXPECT_NE(s.name().find("SoftSpokenOT k=4, 1 thread"), std::string::npos) << s.name();
    return 0;
  });
  with_source<int>(
      5,
      [](OtTriples& s) {
        EXPECT_NE(s.name().find("IKNP"), std::string::npos);
        return 0;
      },
      ot::OtOptions{.extension = ot::Extension::kIknp});
}

// SoftSpokenOT k: ceil(128 / k) bits of u per OT instead of IKNP's 128, the same corrections:
// 64·16/k + 260 bytes per element-wise triple (k = 4: 516), 3 rounds of set-up.
TEST(OtTriples, SoftSpokenCostMatchesTheDocs) {
  for (int k : {2, 4, 8}) {
    auto t = with_source<std::array<net::Traffic, 2>>(
        8,
        [](OtTriples& s) {
          std::array<net::Traffic, 2> out{s.offline_traffic(), {}};
          s.elementwise(1, 1000);
          out[1] = s.offline_traffic() - out[0];
          return out;
        },
        ot::OtOptions{.extension = ot::Extension::kSoftSpoken, .k = k});
    for (int p = 0; p < 2; ++p) {
      EXPECT_EQ(t[p][0].rounds, 3u);
      EXPECT_EQ(t[p][1].bytes_sent, 1000u * (64 * 16 / k + 260)) << "k = " << k;
      EXPECT_EQ(t[p][1].rounds, 3u);
    }
  }
}

// Every extension, k and thread count makes valid triples of every kind, and the additive
// protocol on them multiplies the edge values 0, 1, 2^63 and 2^64 - 1 exactly (mod 2^64).
class OtTriplesEveryExtension : public ::testing::TestWithParam<ot::OtOptions> {};

TEST_P(OtTriplesEveryExtension, TriplesMultiplyAndEdgeInputsComeOutExact) {
  const ot::OtOptions options = GetParam();
  auto t = with_source<std::vector<BeaverTriple>>(
      9,
      [](OtTriples& s) {
        return std::vector{s.elementwise(7, 300), s.matrix(5, 9, 3), s.matrix(9, 4, 2)};
      },
      options);
  expect_elementwise({t[0][0], t[1][0]});
  expect_matrix({t[0][1], t[1][1]}, 5, 9, 3);
  expect_matrix({t[0][2], t[1][2]}, 9, 4, 2);
  auto o = with_source<std::tuple<TruncPair, BeaverTriple, DaBits>>(
      10,
      [](OtTriples& s) {
        return std::tuple{s.trunc_pair(9, 3, 12), s.and_triples(4, 5), s.dabits(30, 3)};
      },
      options);
  expect_trunc({std::get<0>(o[0]), std::get<0>(o[1])}, 12);
  expect_and({std::get<1>(o[0]), std::get<1>(o[1])});
  expect_dabits({std::get<2>(o[0]), std::get<2>(o[1])});

  const std::vector<Ring> edges = {0, 1, Ring{1} << 63, ~Ring{0}};
  RingMatrix x(1, 16), y(1, 16);
  for (int i = 0; i < 16; ++i) {
    x(0, i) = edges[i / 4];
    y(0, i) = edges[i % 4];
  }
  auto products = run_two<RingMatrix>([&](net::Network& network) {
    OtTriples source(network, seed_from_u64(20 + network.self()), options);
    Additive protocol(
        network, source,
        {.truncation = Truncation::kPair, .seed = seed_from_u64(30 + network.self())});
    const IntMatrix xi = to_int(x), yi = to_int(y);
    const Shared sx = protocol.input(0, network.self() == 0 ? &xi : nullptr, 1, 16);
    const Shared sy = protocol.input(1, network.self() == 1 ? &yi : nullptr, 1, 16);
    return to_ring(protocol.open(protocol.mul(sx, sy)));
  });
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(products[0](0, i), x(0, i) * y(0, i)) << x(0, i) << " * " << y(0, i);
  }
  EXPECT_EQ(products[0], products[1]);
}

INSTANTIATE_TEST_SUITE_P(
    Extensions, OtTriplesEveryExtension,
    ::testing::Values(ot::OtOptions{.extension = ot::Extension::kIknp},
                      ot::OtOptions{.extension = ot::Extension::kIknp, .threads = 2},
                      ot::OtOptions{.k = 2}, ot::OtOptions{.k = 3}, ot::OtOptions{.k = 4},
                      ot::OtOptions{.k = 5}, ot::OtOptions{.k = 8},
                      ot::OtOptions{.k = 4, .threads = 2}, ot::OtOptions{.k = 8, .threads = 2}),
    [](const ::testing::TestParamInfo<ot::OtOptions>& info) {
      const ot::OtOptions& o = info.param;
      return (o.extension == ot::Extension::kIknp ? std::string("Iknp")
                                                  : "SoftSpokenK" + std::to_string(o.k)) +
             "Threads" + std::to_string(o.threads);
    });

// The protocol on OT triples: mul, matmul and pair truncation against plaintext, with the
// preprocessing counted apart from the online traffic.
TEST(OtTriples, AdditiveProtocolComputesWithOtTriples) {
  Prg data(seed_from_u64(77));
  auto small = [&](Index r, Index c) -> IntMatrix {
    return to_int(data.ring(r, c)).unaryExpr([](std::int64_t v) { return v % 100000; });
  };
  const IntMatrix x = small(6, 5), y = small(6, 5), w = small(5, 3);
  constexpr int kBits = 8;
  struct Out {
    IntMatrix prod, mm, tr;
    net::Traffic mul_online;
  };
  auto o = run_two<Out>([&](net::Network& network) {
    OtTriples source(network, seed_from_u64(500 + network.self()));
    AdditiveOptions options;
    options.truncation = Truncation::kPair;
    options.seed = seed_from_u64(600 + network.self());
    Additive protocol(network, source, options);
    const Shared sx = protocol.input(0, network.self() == 0 ? &x : nullptr, 6, 5);
    const Shared sy = protocol.input(1, network.self() == 1 ? &y : nullptr, 6, 5);
    const Shared sw = protocol.input(1, network.self() == 1 ? &w : nullptr, 5, 3);
    Out out;
    const net::Traffic net_before = network.traffic();
    const net::Traffic off_before = source.offline_traffic();
    const Shared prod = protocol.mul(sx, sy);
    out.mul_online = (network.traffic() - net_before) - (source.offline_traffic() - off_before);
    out.prod = protocol.open(prod);
    out.mm = protocol.open(protocol.matmul(sx, sw));
    out.tr = protocol.open(protocol.trunc(sx, kBits));
    return out;
  });
  const IntMatrix expected_prod = x.cwiseProduct(y);
  const IntMatrix expected_mm = x * w;
  EXPECT_EQ(o[0].prod, expected_prod);
  EXPECT_EQ(o[0].mm, expected_mm);
  for (Index i = 0; i < x.size(); ++i) {
    const std::int64_t want = x.data()[i] >> kBits;
    EXPECT_LE(std::abs(o[0].tr.data()[i] - want), 1) << x.data()[i];
  }
  for (const Out& p : o) {
    EXPECT_EQ(p.mul_online.rounds, 1u);
    EXPECT_EQ(p.mul_online.bytes_sent, 2u * 30u * sizeof(Ring));
  }
}

}  // namespace
}  // namespace jointly
