#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "protocols/prg.h"
#include "psi/cuckoo.h"
#include "psi/kkrt.h"
#include "tests/psi/harness.h"

namespace jointly::psi {
namespace {

using testing::run_psi;

// Ids of any bytes: commas, quotes, NULs, UTF-8, different lengths.
std::string random_id(std::mt19937_64& rng) {
  std::string s(1 + rng() % 24, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

struct Sets {
  std::vector<std::string> a, b;
  std::set<std::string> common;
};

Sets make_sets(std::size_t na, std::size_t nb, double overlap, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<std::string> used;
  auto fresh = [&] {
    for (;;) {
      std::string s = random_id(rng);
      if (used.insert(s).second) return s;
    }
  };
  Sets s;
  const auto k = static_cast<std::size_t>(overlap * static_cast<double>(std::min(na, nb)));
  for (std::size_t i = 0; i < k; ++i) {
    const std::string id = fresh();
    s.a.push_back(id);
    s.b.push_back(id);
    s.common.insert(id);
  }
  while (s.a.size() < na) s.a.push_back(fresh());
  while (s.b.size() < nb) s.b.push_back(fresh());
  std::shuffle(s.a.begin(), s.a.end(), rng);
  std::shuffle(s.b.begin(), s.b.end(), rng);
  return s;
}

// The plaintext join: both outputs name exactly the common ids, the k-th the same on both.
void expect_join(const Sets& s, const Result& r0, const Result& r1) {
  ASSERT_EQ(r0.rows.size(), s.common.size());
  ASSERT_EQ(r1.rows.size(), s.common.size());
  std::set<std::string> got;
  for (std::size_t k = 0; k < r0.rows.size(); ++k) {
    ASSERT_LT(r0.rows[k], s.a.size());
    ASSERT_LT(r1.rows[k], s.b.size());
    ASSERT_EQ(s.a[r0.rows[k]], s.b[r1.rows[k]]) << "position " << k;
    got.insert(s.a[r0.rows[k]]);
  }
  EXPECT_EQ(got, s.common);
  EXPECT_EQ(r0.peer_size, s.b.size());
  EXPECT_EQ(r1.peer_size, s.a.size());
}

struct Case {
  Protocol protocol;
  std::size_t na, nb;
  double overlap;
};

class PsiJoin : public ::testing::TestWithParam<Case> {};

TEST_P(PsiJoin, MatchesThePlaintextJoin) {
  const Case c = GetParam();
  const Sets s =
      make_sets(c.na, c.nb, c.overlap, c.na * 31 + c.nb + static_cast<int>(c.overlap * 7));
  const auto run = run_psi(s.a, s.b, c.protocol);
  expect_join(s, run.r0, run.r1);
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (Protocol p : {Protocol::kEcdh, Protocol::kOprf})
    for (double overlap : {0.0, 0.5, 1.0})
      for (auto [na, nb] :
           {std::pair<std::size_t, std::size_t>{1000, 1000}, {1, 1}, {300, 2500}, {20000, 700}})
        v.push_back({p, na, nb, overlap});
  return v;
}

INSTANTIATE_TEST_SUITE_P(Psi, PsiJoin, ::testing::ValuesIn(cases()), [](const auto& info) {
  const Case& c = info.param;
  return protocol_name(c.protocol) + "_" + std::to_string(c.na) + "x" + std::to_string(c.nb) +
         "_overlap" + std::to_string(static_cast<int>(c.overlap * 100));
});

TEST(Psi, EmptyIntersectionStopsBothPartiesWithAClearMessage) {
  for (Protocol p : {Protocol::kEcdh, Protocol::kOprf}) {
    const Sets s = make_sets(200, 300, 0.0, 5);
    try {
      run_psi(s.a, s.b, p, /*allow_empty=*/false);
      FAIL() << "no error for " << protocol_name(p);
    } catch (const EmptyIntersection& e) {
      EXPECT_NE(std::string(e.what()).find("intersection is empty"), std::string::npos) << e.what();
    }
  }
}

TEST(Psi, ReportsTrafficAndRounds) {
  const Sets s = make_sets(kChunkItems + 10, 3000, 0.5, 9);
  const auto ecdh = run_psi(s.a, s.b, Protocol::kEcdh);
  // 1 set-up round, then 2 chunks of the larger set + 1: 3 rounds; 32 + 16 bytes per id sent.
  EXPECT_EQ(ecdh.r0.traffic.rounds, 1u + 3u);
  EXPECT_EQ(ecdh.r0.traffic.bytes_sent, 26u + 32u * s.a.size() + 16u * s.b.size());
  const auto oprf = run_psi(s.a, s.b, Protocol::kOprf);
  EXPECT_GT(oprf.r1.traffic.bytes_sent, 3u * 8u * s.b.size());
}

// A peer that sends bytes that are not ristretto255 points is named, not trusted.
TEST(Psi, EcdhRefusesInvalidPointsFromThePeer) {
  const std::vector<std::string> ids = {"a", "b", "c"};
  std::string error;
  try {
    net::run_in_memory(2, [&](net::Transport& t) {
      net::Network network(t);
      if (t.self() == 1) {
        Options o;
        o.protocol = Protocol::kEcdh;
        intersect(network, ids, o);
        return;
      }
      // Party 0 by hand: a well-formed set-up (version 1, ecdh, 3 ids, salt), then 3 "points"
      // of 0xff bytes (not canonical encodings).
      // Its own failure (party 1 stops) is not the one under test.
      try {
        net::Bytes setup(26, 0);
        setup[0] = 1;
        setup[2] = 3;
        network.exchange({net::Bytes{}, setup});
        network.exchange({net::Bytes{}, net::Bytes(3 * 32, 0xff)});
        network.exchange({net::Bytes{}, net::Bytes(3 * 16, 0)});
      } catch (const net::PeerError&) {
      }
    });
    FAIL() << "no error";
  } catch (const net::PeerError& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("invalid group element"), std::string::npos) << error;
}

TEST(Ids, DuplicateIdNamesTheFileAndBothLines) {
  const IdTable t = parse_ids("name,id,x\nann,7,1\nbob,8,2\n\ncid,7,3\n", "bank.csv");
  try {
    check_unique(t);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bank.csv"), std::string::npos) << m;
    EXPECT_NE(m.find("line 5"), std::string::npos) << m;
    EXPECT_NE(m.find("line 2"), std::string::npos) << m;
  }
}

TEST(Ids, ParsesQuotedFieldsAndNamesBadLines) {
  const IdTable t = parse_ids("\"id\",v\r\n\"a,b\",1\r\n\"say \"\"hi\"\"\",2\r\n", "f.csv");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.id(0), "a,b");
  EXPECT_EQ(t.id(1), "say \"hi\"");
  EXPECT_EQ(t.lines[1], 3u);
  EXPECT_THROW(parse_ids("x,y\n1,2\n", "f.csv"), InputError);
  try {
    parse_ids("id,y\n1,2\n3\n", "f.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
}

TEST(Cuckoo, PlacesEveryIdOncePerBin) {
  Prg prg(seed_from_u64(1));
  const std::size_t n = 50000, bins = cuckoo_bins(n);
  std::vector<std::array<std::uint64_t, 3>> words(n);
  prg.fill({reinterpret_cast<std::uint8_t*>(words.data()), words.size() * 24});
  std::vector<CuckooBins> bins_of(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < 3; ++j) bins_of[i][j] = cuckoo_bin(words[i][j], bins);
  const auto table = cuckoo_insert(bins_of, bins, 7);
  std::vector<int> count(n, 0);
  for (std::size_t b = 0; b < bins; ++b) {
    const CuckooSlot& s = table[b];
    if (s.item == CuckooSlot::kEmpty) continue;
    ++count[s.item];
    EXPECT_EQ(cuckoo_bin(words[s.item][s.hash], bins), b);
  }
  EXPECT_TRUE(std::all_of(count.begin(), count.end(), [](int c) { return c == 1; }));
}

TEST(Kkrt, ReceiverOutputIsTheSendersPrfOnTheSameInputOnly) {
  Prg prg(seed_from_u64(2));
  std::vector<ot::BlockPair> pairs(kCodeBits);
  prg.fill({reinterpret_cast<std::uint8_t*>(pairs.data()), pairs.size() * sizeof(ot::BlockPair)});
  Row s;
  prg.fill({reinterpret_cast<std::uint8_t*>(&s), sizeof s});
  std::vector<ot::Block> chosen(kCodeBits);
  for (std::size_t j = 0; j < kCodeBits; ++j) chosen[j] = pairs[j][s.b[j / 128].bit(j % 128)];
  KkrtReceiver receiver(pairs);
  KkrtSender sender(s, chosen);
  const Code code(seed_from_u64(3));
  const std::size_t m = 256;
  std::vector<ot::Block> in(m), other(m);
  prg.fill({reinterpret_cast<std::uint8_t*>(in.data()), m * 16});
  prg.fill({reinterpret_cast<std::uint8_t*>(other.data()), m * 16});
  std::vector<Row> c(m), c_other(m), u(m), t(m), q(m);
  code.encode(in.data(), m, c.data());
  code.encode(other.data(), m, c_other.data());
  receiver.extend(c.data(), m, u.data(), t.data(), 2);
  sender.extend(u.data(), m, q.data(), 2);
  for (std::size_t i = 0; i < m; ++i) {
    EXPECT_EQ(oprf_hash(i, t[i]), oprf_hash(i, q[i] ^ (c[i] & s)));
    EXPECT_NE(oprf_hash(i, t[i]), oprf_hash(i, q[i] ^ (c_other[i] & s)));
  }
}

}  // namespace
}  // namespace jointly::psi
