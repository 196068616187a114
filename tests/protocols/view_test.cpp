// What one party sees must not depend on the secrets: its shares of another party's inputs
// and every message it receives during a multiplication are uniformly random bytes, whether
// the secrets are all zero or huge. Checked with chi-square tests per byte position (so a
// bias in, say, the top byte of each element is not averaged away).
#include <gtest/gtest.h>

#include <array>

#include "tests/protocols/harness.h"

namespace jointly::testing {
namespace {

constexpr int kPositions = 8;  // byte position within a 64-bit element
using Histogram = std::array<std::array<double, 256>, kPositions>;

// Upper 0.1% point of chi-square with 255 (one sample) and 255 (two samples, 256 bins)
// degrees of freedom. Eight positions are tested, so a correct protocol fails with
// probability below 1% per view — and the seeds are fixed, so never flakily.
constexpr double kChi2Critical = 330.5;

void count(Histogram& h, const std::uint8_t* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) h[i % kPositions][data[i]] += 1;
}

double chi2_uniform(const std::array<double, 256>& h) {
  double total = 0;
  for (double c : h) total += c;
  const double expected = total / 256;
  double chi2 = 0;
  for (double c : h) chi2 += (c - expected) * (c - expected) / expected;
  return chi2;
}

double chi2_two_sample(const std::array<double, 256>& a, const std::array<double, 256>& b) {
  double chi2 = 0;
  for (int i = 0; i < 256; ++i) {
    if (a[i] + b[i] > 0) chi2 += (a[i] - b[i]) * (a[i] - b[i]) / (a[i] + b[i]);
  }
  return chi2;
}

// Party `observer`'s view of: x and y input by party 0, then z = x·y and z' = X·Y (matmul).
Histogram view_of(const ProtocolSetup& setup, net::PartyId observer, const IntMatrix& x,
                  std::uint64_t seed) {
  Histogram h{};
  // Record the observer's received bytes by wrapping its transport.
  struct Recording final : net::Transport {
    net::Transport& inner;
    Histogram& h;
    Recording(net::Transport& t, Histogram& hist) : inner(t), h(hist) {}
    net::PartyId self() const override { return inner.self(); }
    int parties() const override { return inner.parties(); }
    void send(net::PartyId p, net::Bytes d) override { inner.send(p, std::move(d)); }
    net::Bytes recv(net::PartyId p) override {
      net::Bytes d = inner.recv(p);
      if (d.size() > kSeedBytes) count(h, d.data(), d.size());  // skip the set-up seed
      return d;
    }
  };
  const Seed master = seed_from_u64(seed);
  net::run_in_memory(setup.parties, [&](net::Transport& raw) {
    Recording recording(raw, h);
    net::Transport& transport = raw.self() == observer ? recording : raw;
    net::Network network(transport);
    Dealer dealer(derive_seed(master, "dealer"), raw.self(), setup.parties);
    AdditiveOptions options;
    options.seed = derive_seed(master, "party", static_cast<std::uint64_t>(raw.self()));
    Additive proto(network, dealer, options);
    const bool owner = proto.self() == 0;
    Shared sx = proto.input(0, owner ? &x : nullptr, x.rows(), x.cols());
    Shared sy = proto.input(0, owner ? &x : nullptr, x.rows(), x.cols());
    proto.mul(sx, sy);
    proto.matmul(sx, sy.transpose());
    if (proto.self() == observer) {
      count(h, reinterpret_cast<const std::uint8_t*>(sx.ring().data()), sx.size() * sizeof(Ring));
      count(h, reinterpret_cast<const std::uint8_t*>(sy.ring().data()), sy.size() * sizeof(Ring));
    }
  });
  return h;
}

class ViewTest : public ::testing::TestWithParam<ProtocolSetup> {};

TEST_P(ViewTest, ObserverViewIsUniformAndIndependentOfTheSecret) {
  const Index rows = 64, cols = 64;
  const IntMatrix zeros = IntMatrix::Zero(rows, cols);
  const IntMatrix huge = IntMatrix::Constant(rows, cols, (std::int64_t{1} << 62) - 3);
  for (net::PartyId observer = 1; observer < GetParam().parties; ++observer) {
    const Histogram a = view_of(GetParam(), observer, zeros, 1000 + observer);
    const Histogram b = view_of(GetParam(), observer, huge, 2000 + observer);
    for (int pos = 0; pos < kPositions; ++pos) {
      EXPECT_LT(chi2_uniform(a[pos]), kChi2Critical) << "observer " << observer << " byte " << pos;
      EXPECT_LT(chi2_uniform(b[pos]), kChi2Critical) << "observer " << observer << " byte " << pos;
      EXPECT_LT(chi2_two_sample(a[pos], b[pos]), kChi2Critical)
          << "observer " << observer << " byte " << pos;
    }
  }
}

// The test above must be able to fail: the same statistics on the secrets themselves (what
// a party would see without masking) are far beyond the critical value.
TEST(ViewTestPower, DetectsAnUnmaskedView) {
  Prg prg(seed_from_u64(4));
  IntMatrix x = to_int(prg.ring(64, 64));
  x = x.unaryExpr([](std::int64_t v) { return v % 1000000; });  // small secrets, top bytes 0
  Histogram h{};
  count(h, reinterpret_cast<const std::uint8_t*>(x.data()), x.size() * sizeof(std::int64_t));
  EXPECT_GT(chi2_uniform(h[7]), 100 * kChi2Critical);
}

INSTANTIATE_TEST_SUITE_P(All, ViewTest,
                         ::testing::Values(ProtocolSetup{"additive2", 2},
                                           ProtocolSetup{"additive3", 3}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
