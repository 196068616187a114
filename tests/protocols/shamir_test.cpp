// Shamir-specific properties; the arithmetic itself is in protocol_suite_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "protocols/wrong_shares.h"
#include "tests/protocols/harness.h"

namespace jointly::testing {
namespace {

ProtocolSetup shamir(int n) {
  return {"shamir" + std::to_string(n), n, Truncation::kAuto, Scheme::kShamir};
}

TEST(Shamir, RefusesFewerThanThreeParties) {
  EXPECT_THROW(run_protocol(ProtocolSetup{"shamir2", 2, Truncation::kAuto, Scheme::kShamir}, 1,
                            [](Protocol&) {}),
               std::invalid_argument);
}

TEST(Shamir, ThresholdIsBelowHalf) {
  for (int n : {3, 4, 5, 7}) {
    run_protocol(shamir(n), 2, [&](Protocol& proto) {
      EXPECT_EQ(dynamic_cast<Shamir&>(proto).threshold(), (n - 1) / 2);
    });
  }
}

// Any t parties' shares are uniform whatever the secret: with n = 3 (t = 1), party 1's share
// of 0 and of a huge secret have the same (uniform) byte distribution.
TEST(Shamir, OneShareIsIndependentOfTheSecret) {
  auto histogram_of = [](std::int64_t secret, std::uint64_t seed) {
    std::array<std::array<double, 256>, 15> h{};  // bytes 0..14 of each 127-bit element
    const IntMatrix value = IntMatrix::Constant(64, 64, secret);
    run_protocol(shamir(3), seed, [&](Protocol& proto) {
      Shared x = proto.input(0, proto.self() == 0 ? &value : nullptr, 64, 64);
      if (proto.self() != 1) return;
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(x.field().data());
      for (Index i = 0; i < x.size(); ++i) {
        for (int b = 0; b < 15; ++b) h[b][bytes[16 * i + b]] += 1;
      }
    });
    return h;
  };
  const auto a = histogram_of(0, 11), b = histogram_of(INT64_MAX - 5, 12);
  for (int pos = 0; pos < 15; ++pos) {
    double chi2 = 0;
    for (int v = 0; v < 256; ++v) {
      if (a[pos][v] + b[pos][v] > 0)
        chi2 += (a[pos][v] - b[pos][v]) * (a[pos][v] - b[pos][v]) / (a[pos][v] + b[pos][v]);
    }
    EXPECT_LT(chi2, 330.5) << "byte " << pos;  // 255 degrees of freedom, p = 0.001
  }
}

// What each party concluded from one opening in which some parties add an offset to element
// (1, 1) of their share: thrown or not, the party it blamed (kUnlocated if none) and the
// candidates it named. `receiver` < 0: open to everybody; otherwise open_to(receiver).
struct Verdict {
  bool thrown = false;
  net::PartyId culprit = InconsistentShares::kUnlocated;
  std::vector<net::PartyId> candidates;
  std::string what;
};

std::vector<Verdict> verdicts(int n, const std::map<net::PartyId, Fp>& lies,
                              net::PartyId receiver = -1, std::uint64_t seed = 4) {
  const IntMatrix secret = IntMatrix::Constant(2, 2, 42);
  std::vector<Verdict> out(static_cast<std::size_t>(n));
  run_protocol(shamir(n), seed, [&](Protocol& proto) {
    Shared x = proto.input(0, proto.self() == 0 ? &secret : nullptr, 2, 2);
    if (const auto lie = lies.find(proto.self()); lie != lies.end()) x.field()(1, 1) += lie->second;
    Verdict& v = out[static_cast<std::size_t>(proto.self())];
    try {
      if (receiver < 0) {
        proto.open(x);
      } else {
        proto.open_to(receiver, x);
      }
    } catch (const InconsistentShares& e) {
      v = {true, e.peer(), e.candidates(), e.what()};
    }
  });
  return out;
}

std::vector<net::PartyId> everybody_but(int n, net::PartyId self) {
  std::vector<net::PartyId> out;
  for (net::PartyId p = 0; p < n; ++p) {
    if (p != self) out.push_back(p);
  }
  return out;
}

// One lying party, in every position, for n = 3, 5, 7 (docs/shamir.md, protocols/wrong_shares.h).
// n = 3 (t = 1): any two of the three shares lie on a line, so a wrong share is detected but its
// owner cannot be told from an honest peer: every honest party names both peers as candidates
// and blames nobody. n = 5 and 7: one wrong share is located, and every honest party names the
// liar. The liar, which trusts its own share, never blames an honest party.
TEST(Shamir, AWrongShareIsPinnedOnItsOwnerOrOnNobody) {
  for (int n : {3, 5, 7}) {
    for (net::PartyId liar = 0; liar < n; ++liar) {
      const auto got = verdicts(n, {{liar, Fp(1)}});
      for (net::PartyId p = 0; p < n; ++p) {
        const Verdict& v = got[static_cast<std::size_t>(p)];
        SCOPED_TRACE("n = " + std::to_string(n) + ", liar " + std::to_string(liar) + ", party " +
                     std::to_string(p) + ": " + v.what);
        ASSERT_TRUE(v.thrown) << "a wrong share must not be used";
        EXPECT_NE(v.what.find("inconsistent"), std::string::npos);
        if (p == liar) {
          EXPECT_EQ(v.culprit, InconsistentShares::kUnlocated);
        } else if (n == 3) {
          EXPECT_EQ(v.culprit, InconsistentShares::kUnlocated);
          EXPECT_EQ(v.candidates, everybody_but(n, p));
          EXPECT_NE(v.what.find("cannot tell"), std::string::npos);
        } else {
          EXPECT_EQ(v.culprit, liar);
          EXPECT_EQ(v.candidates, std::vector<net::PartyId>{liar});
          EXPECT_NE(v.what.find("party " + std::to_string(liar) + "'s share"), std::string::npos);
        }
      }
    }
  }
}

// An opening to one party: the receiver alone checks, with the same verdicts.
TEST(Shamir, AWrongShareOpenedToOneReceiverIsPinnedByIt) {
  for (int n : {3, 5, 7}) {
    for (net::PartyId liar = 0; liar < n; ++liar) {
      const net::PartyId receiver = (liar + 1) % n;
      const auto got = verdicts(n, {{liar, Fp(7)}}, receiver);
      for (net::PartyId p = 0; p < n; ++p) {
        const Verdict& v = got[static_cast<std::size_t>(p)];
        SCOPED_TRACE("n = " + std::to_string(n) + ", liar " + std::to_string(liar) + ", party " +
                     std::to_string(p) + ": " + v.what);
        EXPECT_EQ(v.thrown, p == receiver);
        if (p == receiver) {
          EXPECT_EQ(v.culprit, n == 3 ? InconsistentShares::kUnlocated : liar);
          if (n == 3) {
            EXPECT_EQ(v.candidates, everybody_but(n, p));
          }
        }
      }
    }
  }
}

// Two wrong shares among seven (t = 3, one located at most): detected by everybody and pinned
// on nobody, since no polynomial is within one share of what arrived.
TEST(Shamir, TwoWrongSharesOfSevenAreDetectedAndNotPinned) {
  const auto got = verdicts(7, {{1, Fp(3)}, {4, Fp(5)}});
  for (net::PartyId p = 0; p < 7; ++p) {
    const Verdict& v = got[static_cast<std::size_t>(p)];
    ASSERT_TRUE(v.thrown) << "party " << p;
    EXPECT_EQ(v.culprit, InconsistentShares::kUnlocated) << "party " << p << ": " << v.what;
    EXPECT_EQ(v.candidates, everybody_but(7, p)) << v.what;
  }
}

// The documented limit of locating with n = 2t + 1 = 5: two parties that lie together (3 and
// 4 move their shares onto f + c(x - 2)(x - 3), which agrees with f at parties 1 and 2) make
// honest party 0's share the one off the polynomial of the other four. Parties 1 and 2 blame
// party 0 — the message says it assumes at most one wrong share — and party 0, which knows its
// own share, blames nobody. Telling colluders apart needs n >= 3t + 1.
TEST(Shamir, TwoColludingLiarsOfFiveCanFrameAnHonestParty) {
  const Fp c(11);
  const auto h = [&](std::int64_t x) { return c * Fp(x - 2) * Fp(x - 3); };
  const auto got = verdicts(5, {{3, h(4)}, {4, h(5)}});
  for (net::PartyId p : {1, 2}) {
    const Verdict& v = got[static_cast<std::size_t>(p)];
    EXPECT_EQ(v.culprit, 0) << v.what;
    EXPECT_NE(v.what.find("assuming at most 1"), std::string::npos) << v.what;
  }
  EXPECT_TRUE(got[0].thrown);
  EXPECT_EQ(got[0].culprit, InconsistentShares::kUnlocated) << got[0].what;
}

}  // namespace
}  // namespace jointly::testing
