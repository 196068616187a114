// The OT extension's views (protocols/ot/extension): what party 0 receives while party 1
// extends correlated OTs in both directions must not depend on party 1's choice bits (the IKNP
// matrix u or SoftSpokenOT's corrections c_b = u_b ⊕ r, the receiver's message) nor on its
// correlations (the corrections, the sender's
// message). Same statistics as every protocol (statistics.h). One channel per session, as in a
// deployment: its base OTs run once, and every run is one job of fresh extended OTs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <utility>

#include "net/in_memory.h"
#include "protocols/ot/extension/cot_channel.h"
#include "protocols/ot/extension/iknp.h"
#include "protocols/ot/extension/softspoken.h"
#include "tests/protocols/leakage/statistics.h"

namespace jointly::testing::leakage {
namespace {

constexpr std::size_t kOts = 128;  // one IKNP block: u is 128 rows of 16 bytes

// Rows of 16 bytes in the chooser's message for 128 OTs: 128 (IKNP), ceil(128 / k) (SoftSpokenOT).
std::size_t u_rows(const ot::OtOptions& o) {
  return o.extension == ot::Extension::kIknp ? ot::kBaseOts : ot::softspoken_blocks(o.k);
}

// Party 1's secret inputs to a job: its choice bits (as the extension receiver) and its
// correlations (as the sender).
struct OtSecret {
  std::vector<std::uint8_t> choices;  // kOts bits
  std::vector<Ring> delta;            // kOts correlations
};

OtSecret ot_secret(std::uint64_t seed) {
  Prg prg(seed_from_u64(seed));
  OtSecret s{std::vector<std::uint8_t>(kOts / 8), std::vector<Ring>(kOts)};
  prg.fill(s.choices);
  for (Ring& d : s.delta) d = prg.next();
  return s;
}

// Records what party 0 receives during a job; on party 1, may replace its first message of
// each job (the leaky variant).
class OtRecorder final : public net::Transport {
 public:
  explicit OtRecorder(net::Transport& inner) : inner_(inner) {}
  net::PartyId self() const override { return inner_.self(); }
  int parties() const override { return inner_.parties(); }
  void send(net::PartyId peer, net::Bytes data) override {
    if (!replacement.empty()) data = std::exchange(replacement, {});
    inner_.send(peer, std::move(data));
  }
  net::Bytes recv(net::PartyId peer) override {
    net::Bytes data = inner_.recv(peer);
    if (recording) seen.insert(seen.end(), data.begin(), data.end());
    return data;
  }
  bool recording = false;
  net::Bytes seen, replacement;

 private:
  net::Transport& inner_;
};

// Party 0's view of `runs` jobs in which party 1 uses `secret`. With `leak_choices`, party 1
// sends u_j = r for every row j, what IKNP sends when the receiver's two base-key streams are
// one (G(k0_j) = G(k1_j), so t_j and G(k1_j) cancel), and SoftSpokenOT when a block's leaf
// streams sum to zero.
Views cot_views(const OtSecret& secret, std::size_t runs, std::uint64_t seed, bool leak_choices,
                const ot::OtOptions& options) {
  Views views;
  views.algebra = Algebra::kRing;
  net::run_in_memory(2, [&](net::Transport& raw) {
    OtRecorder transport(raw);
    net::Network network(transport);
    const net::PartyId self = network.self();
    ot::CotChannel channel(network, derive_seed(seed_from_u64(seed), "ot", self), options);
    Prg own(derive_seed(seed_from_u64(seed), "own", self));
    std::vector<std::uint8_t> choices(kOts / 8);
    std::vector<Ring> delta(kOts);
    for (std::size_t r = 0; r < runs; ++r) {
      if (self == 1) {
        choices = secret.choices;
        delta = secret.delta;
        if (leak_choices) {
          for (std::size_t j = 0; j < u_rows(options); ++j)
            transport.replacement.insert(transport.replacement.end(), choices.begin(),
                                         choices.end());
        }
      } else {
        own.fill(choices);
        for (Ring& d : delta) d = own.next();
      }
      ot::CotJob job;
      job.mode = ot::CotJob::Mode::kCorrelated;
      job.recv_ots = job.send_ots = kOts;
      job.choices = [&](std::size_t first, std::size_t count, std::uint8_t* bits) {
        std::copy_n(choices.begin() + static_cast<std::ptrdiff_t>(first / 8), count / 8, bits);
      };
      job.correlations = [&](std::size_t first, std::size_t count, Ring* d) {
        std::copy_n(delta.begin() + static_cast<std::ptrdiff_t>(first), count, d);
      };
      job.received = [](std::size_t, std::size_t, const Ring*) {};
      job.sent = [](std::size_t, std::size_t, const Ring*, const Ring*) {};
      transport.recording = self == 0;
      channel.run(job);
      if (self != 0) continue;
      const std::size_t words = transport.seen.size() / sizeof(Ring);
      if (r == 0) views.width = words;
      ASSERT_EQ(words, views.width);
      for (std::size_t w = 0; w < words; ++w) {
        Ring v;
        std::memcpy(&v, transport.seen.data() + w * sizeof(Ring), sizeof v);
        views.elements.push_back(v);
      }
      transport.seen.clear();
    }
  });
  return views;
}

struct OtResult {
  MarginalResult marginal;
  RelationResult relation;
  bool leaks() const {
    return marginal.log10_p_adjusted < kLog10LeakThreshold ||
           relation.log10_p < kLog10LeakThreshold;
  }
};

OtResult ot_experiment(const std::string& name, bool leak_choices,
                       const ot::OtOptions& options = {.extension = ot::Extension::kIknp}) {
  constexpr std::size_t kTests = 160;
  const OtSecret a = ot_secret(501), b = ot_secret(502);
  // u (rows of 16 bytes) and the corrections (one word per OT).
  const std::size_t width = u_rows(options) * 16 / sizeof(Ring) + kOts;
  const std::size_t train = relation_features(Algebra::kRing, width, 0) + 64;
  const Views va = cot_views(a, train + kTests, 510, leak_choices, options);
  const Views vb = cot_views(b, kTests, 520, leak_choices, options);
  EXPECT_EQ(va.width, width);
  OtResult r{marginal_test(va, vb), relation_test(va, vb, train, 0)};
  std::cout << "[leakage] " << name << ": " << width << " elements x " << va.runs() + vb.runs()
            << " runs; marginal chi2 " << r.marginal.chi2 << " (df " << r.marginal.df
            << "), Bonferroni p 10^" << r.marginal.log10_p_adjusted << " over " << r.marginal.tests
            << " tests; relations " << r.relation.features << " features, rank " << r.relation.rank
            << ", outside A " << r.relation.outside_a << "/" << r.relation.tests_a << ", B "
            << r.relation.outside_b << "/" << r.relation.tests_b << ", Fisher p 10^"
            << r.relation.log10_p << "\n";
  return r;
}

TEST(OtViews, TheSendersViewDependsOnNeitherTheChoicesNorTheCorrelations) {
  const OtResult r = ot_experiment("IKNP correlated OT (party 0's view)", false);
  EXPECT_FALSE(r.leaks());
  EXPECT_EQ(r.relation.outside_a, 0u);
}

TEST(OtViews, SoftSpokenSendersViewDependsOnNeitherTheChoicesNorTheCorrelations) {
  for (int k : {2, 4, 8}) {
    const OtResult r = ot_experiment("SoftSpokenOT k=" + std::to_string(k) + " (party 0's view)",
                                     false, {.extension = ot::Extension::kSoftSpoken, .k = k});
    EXPECT_FALSE(r.leaks()) << "k = " << k;
    EXPECT_EQ(r.relation.outside_a, 0u);
  }
}

TEST(OtViews, SoftSpokenSendingTheChoicesIsCaught) {
  const OtResult r = ot_experiment("SoftSpokenOT k=4, c_b = r", true,
                                   {.extension = ot::Extension::kSoftSpoken, .k = 4});
  EXPECT_TRUE(r.leaks());
}

TEST(OtViews, OneBaseKeyStreamForBothKeysIsCaught) {
  const OtResult r = ot_experiment("reused PRG stream (IKNP u = r)", true);
  EXPECT_TRUE(r.leaks());
}

// The bug the variant above stands for, in IknpReceiver itself: with k1_j = k0_j its message
// u is the choice vector in every row.
TEST(OtViews, IknpWithOneStreamPerKeyPairSendsTheChoices) {
  std::vector<ot::BlockPair> keys(ot::kBaseOts);
  Prg prg(seed_from_u64(530));
  for (ot::BlockPair& k : keys) {
    prg.fill({reinterpret_cast<std::uint8_t*>(&k[0]), sizeof(ot::Block)});
    k[1] = k[0];
  }
  ot::IknpReceiver receiver(keys);
  const OtSecret s = ot_secret(531);
  std::vector<std::uint8_t> u(ot::kBaseOts * kOts / 8);
  std::vector<ot::Block> t(kOts);
  receiver.extend(s.choices.data(), kOts, u.data(), t.data());
  for (std::size_t j = 0; j < ot::kBaseOts; ++j) {
    ASSERT_TRUE(std::equal(s.choices.begin(), s.choices.end(), u.begin() + j * kOts / 8));
  }
}

}  // namespace
}  // namespace jointly::testing::leakage
