// F_p with p = 2^127 - 1 against GMP (mpz) on random and edge values.
#include "protocols/field.h"

#include <gmp.h>
#include <gtest/gtest.h>

#include <vector>

#include "protocols/prg.h"

namespace jointly {
namespace {

class Mpz {
 public:
  Mpz() { mpz_init(v_); }
  explicit Mpz(u128 x) : Mpz() {
    mpz_set_ui(v_, static_cast<unsigned long>(x >> 64));
    mpz_mul_2exp(v_, v_, 64);
    mpz_add_ui(v_, v_, static_cast<unsigned long>(x));
  }
  ~Mpz() { mpz_clear(v_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_t& get() { return v_; }
  u128 to_u128() const {
    Mpz hi, lo;
    mpz_fdiv_q_2exp(hi.get(), v_, 64);
    mpz_fdiv_r_2exp(lo.get(), v_, 64);
    return (u128(mpz_get_ui(hi.get())) << 64) | mpz_get_ui(lo.get());
  }

 private:
  mpz_t v_;
};

std::vector<u128> test_values() {
  const u128 p = Fp::kModulus;
  std::vector<u128> v = {0,
                         1,
                         2,
                         p - 1,
                         p - 2,
                         p / 2,
                         p / 2 + 1,
                         u128{1} << 64,
                         (u128{1} << 64) - 1,
                         u128{1} << 126,
                         (u128{1} << 126) + 12345};
  Prg prg(seed_from_u64(127));
  for (int i = 0; i < 2000; ++i) v.push_back((u128(prg.next()) << 64 | prg.next()) & p);
  for (auto& x : v) x %= p;
  return v;
}

TEST(Field, ArithmeticMatchesGmp) {
  Mpz p((u128{1} << 127) - 1);
  const auto values = test_values();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const u128 a = values[i], b = values[(i * 7 + 3) % values.size()];
    Mpz ma(a), mb(b), r;
    mpz_add(r.get(), ma.get(), mb.get());
    mpz_mod(r.get(), r.get(), p.get());
    ASSERT_EQ((Fp(a) + Fp(b)).value(), r.to_u128());
    mpz_sub(r.get(), ma.get(), mb.get());
    mpz_mod(r.get(), r.get(), p.get());
    ASSERT_EQ((Fp(a) - Fp(b)).value(), r.to_u128());
    mpz_mul(r.get(), ma.get(), mb.get());
    mpz_mod(r.get(), r.get(), p.get());
    ASSERT_EQ((Fp(a) * Fp(b)).value(), r.to_u128());
    if (a != 0) {
      mpz_invert(r.get(), ma.get(), p.get());
      ASSERT_EQ(Fp(a).inverse().value(), r.to_u128());
    }
  }
}

TEST(Field, SignedEmbeddingRoundTrips) {
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1},
                         std::int64_t{123456789}, std::int64_t{-987654321}, INT64_MAX, INT64_MIN}) {
    EXPECT_EQ(Fp(v).to_int64(), v);
  }
  EXPECT_EQ((Fp(std::int64_t{-5}) + Fp(std::int64_t{7})).to_int64(), 2);
  EXPECT_THROW(Fp(u128{1} << 100).to_int64(), std::overflow_error);
  EXPECT_THROW(Fp(0).inverse(), std::domain_error);
  EXPECT_EQ(Fp(Fp::kModulus).value(), 0u);  // p reduces to 0
}

TEST(Field, EigenMatrixProductMatchesScalarLoop) {
  Prg prg(seed_from_u64(3));
  FieldMatrix a(5, 7), b(7, 3);
  for (Index i = 0; i < a.size(); ++i) a.data()[i] = Fp((u128(prg.next()) << 64 | prg.next()));
  for (Index i = 0; i < b.size(); ++i) b.data()[i] = Fp((u128(prg.next()) << 64 | prg.next()));
  const FieldMatrix c = a * b;
  for (Index r = 0; r < 5; ++r) {
    for (Index col = 0; col < 3; ++col) {
      Fp sum(0);
      for (Index k = 0; k < 7; ++k) sum += a(r, k) * b(k, col);
      EXPECT_EQ(c(r, col), sum);
    }
  }
}

}  // namespace
}  // namespace jointly
