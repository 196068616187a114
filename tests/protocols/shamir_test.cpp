// Shamir-specific properties; the arithmetic itself is in protocol_suite_test.cpp.
#include <gtest/gtest.h>

#include <array>

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

TEST(Shamir, ACorruptedShareIsDetectedWhenOpening) {
  const IntMatrix secret = IntMatrix::Constant(2, 2, 42);
  try {
    run_protocol(shamir(3), 4, [&](Protocol& proto) {
      Shared x = proto.input(0, proto.self() == 0 ? &secret : nullptr, 2, 2);
      if (proto.self() == 2) x.field()(1, 1) += Fp(1);  // party 2 lies about one share
      proto.open(x);
    });
    FAIL() << "an inconsistent share must not be used";
  } catch (const net::PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("inconsistent"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jointly::testing
