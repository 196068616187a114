// protocols/prime_field: F_p for any prime on GMP, cross-checked against the fast Mersenne
// field (two independent implementations must agree), the field laws on a 255-bit prime, and
// Shamir sharing over it for n = 3, 5, 7: reconstruction, locating a corrupted share and a
// share's independence from the secret.
#include "protocols/prime_field.h"

#include <gtest/gtest.h>

#include <array>

#include "protocols/field.h"
#include "protocols/wrong_shares.h"

namespace jointly {
namespace {

constexpr const char* kMersenne127 = "0x7fffffffffffffffffffffffffffffff";
// 2^255 - 19, the Curve25519 prime.
constexpr const char* kP25519 =
    "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed";

PrimeField::Element of(const PrimeField& f, const Fp& x) {
  return f.from_string("0x" + [&] {
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (int i = 124; i >= 0; i -= 4) hex.push_back(digits[(x.value() >> i) & 0xf]);
    return hex;
  }());
}

TEST(PrimeField, RefusesNonPrimesAndNonNumbers) {
  for (const char* bad : {"", "12x", "0x", "1", "2", "15", "0x10000000000000000", "-7",
                          "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}) {
    EXPECT_THROW(PrimeField{bad}, std::invalid_argument) << bad;
  }
  EXPECT_EQ(PrimeField(kP25519).bits(), 255u);
  EXPECT_EQ(PrimeField("65537").bits(), 17u);
}

TEST(PrimeField, AgreesWithTheFastMersenneField) {
  const PrimeField f(kMersenne127);
  Prg prg(seed_from_u64(1));
  std::vector<Fp> values{Fp(0), Fp(1), Fp(std::int64_t{-1}), Fp(Fp::kModulus - 2),
                         Fp(u128{1} << 126)};
  for (int i = 0; i < 300; ++i) values.push_back(Fp((u128(prg.next()) << 64 | prg.next())));
  for (std::size_t i = 0; i + 1 < values.size(); ++i) {
    const Fp a = values[i], b = values[i + 1];
    const auto ea = of(f, a), eb = of(f, b);
    ASSERT_EQ(f.add(ea, eb), of(f, a + b)) << a.to_string() << " + " << b.to_string();
    ASSERT_EQ(f.sub(ea, eb), of(f, a - b));
    ASSERT_EQ(f.mul(ea, eb), of(f, a * b));
    ASSERT_EQ(f.neg(ea), of(f, -a));
    if (a != Fp(0)) {
      ASSERT_EQ(f.inverse(ea), of(f, a.inverse()));
    }
  }
  EXPECT_EQ(f.from_int(-5), of(f, Fp(std::int64_t{-5})));
}

TEST(PrimeField, FieldLawsOnA255BitPrime) {
  const PrimeField f(kP25519);
  Prg prg(seed_from_u64(2));
  const auto one = f.from_int(1);
  const auto p_minus_1 = f.sub(f.from_int(0), one);
  for (int i = 0; i < 100; ++i) {
    const auto a = f.random(prg), b = f.random(prg), c = f.random(prg);
    ASSERT_LT(mpz_cmp(a.raw(), f.modulus().raw()), 0);
    ASSERT_EQ(f.mul(a, f.add(b, c)), f.add(f.mul(a, b), f.mul(a, c)));
    ASSERT_EQ(f.add(a, f.neg(a)), f.from_int(0));
    if (!(a == f.from_int(0))) {
      ASSERT_EQ(f.mul(a, f.inverse(a)), one);
      ASSERT_EQ(f.pow(a, p_minus_1), one) << "Fermat";
    }
  }
  EXPECT_THROW(f.inverse(f.from_int(0)), std::domain_error);
  EXPECT_THROW(f.from_string(kP25519), std::invalid_argument) << "p itself is not an element";
}

// A corrupted share in every position: n = 3 (t = 1) detects it and names all three parties as
// candidates (no trusted share here, and any two points lie on a line); n = 5 and 7 name its
// owner (protocols/wrong_shares.h: one wrong share located when n - t - 1 >= 2).
TEST(PrimeFieldShamir, ReconstructsAndPinsACorruptedShareOnItsOwner) {
  const PrimeField f(kP25519);
  Prg prg(seed_from_u64(3));
  for (int n : {3, 5, 7}) {
    const int t = (n - 1) / 2;
    for (int liar = 0; liar < n; ++liar) {
      for (int trial = 0; trial < 5; ++trial) {
        const auto secret = f.random(prg);
        auto shares = shamir_share(f, secret, t, n, prg);
        ASSERT_EQ(shares.size(), static_cast<std::size_t>(n));
        ASSERT_EQ(shamir_reconstruct(f, shares, t), secret) << "n = " << n;
        auto& lie = shares[static_cast<std::size_t>(liar)];
        lie = f.add(lie, f.random(prg));
        try {
          shamir_reconstruct(f, shares, t);
          ADD_FAILURE() << "n = " << n << ": party " << liar << "'s wrong share was used";
        } catch (const InconsistentShares& e) {
          if (n == 3) {
            EXPECT_EQ(e.peer(), InconsistentShares::kUnlocated) << e.what();
            EXPECT_EQ(e.candidates(), (std::vector<net::PartyId>{0, 1, 2})) << e.what();
          } else {
            EXPECT_EQ(e.peer(), liar) << "n = " << n << ": " << e.what();
            EXPECT_EQ(e.candidates(), std::vector<net::PartyId>{liar}) << e.what();
          }
        }
      }
    }
  }
  EXPECT_THROW(shamir_share(f, f.from_int(1), 3, 3, prg), std::invalid_argument);
}

// Any t shares are independent of the secret: party 0's share (t = 1 of n = 3) for secret 0
// and for secret p - 1 has uniform low bytes with the same distribution (chi-square, 255
// degrees of freedom, 0.1% point).
TEST(PrimeFieldShamir, OneShareIsIndependentOfTheSecret) {
  const PrimeField f(kP25519);
  Prg prg(seed_from_u64(4));
  const auto histogram = [&](const PrimeField::Element& secret) {
    std::array<double, 256> h{};
    for (int i = 0; i < 8192; ++i) {
      const auto shares = shamir_share(f, secret, 1, 3, prg);
      h[mpz_getlimbn(shares[0].raw(), 0) & 0xff] += 1;
    }
    return h;
  };
  const auto a = histogram(f.from_int(0)), b = histogram(f.from_int(-1));
  double uniform = 0, two = 0;
  for (int i = 0; i < 256; ++i) {
    uniform += (a[i] - 32) * (a[i] - 32) / 32;
    if (a[i] + b[i] > 0) two += (a[i] - b[i]) * (a[i] - b[i]) / (a[i] + b[i]);
  }
  EXPECT_LT(uniform, 330.5);
  EXPECT_LT(two, 330.5);
}

}  // namespace
}  // namespace jointly
