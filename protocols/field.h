// The prime field F_p with p = 2^127 - 1 (a Mersenne prime), for Shamir sharing.
//
// Why this prime: reduction modulo 2^127 - 1 is two shifts and adds (2^127 ≡ 1), products fit
// the 256 bits of four 64-bit multiplications, and 127 bits leave room for a fixed-point
// product (2 x 64 bits before truncation would not fit, so values are kept below 2^63 and
// products below 2^126 - 2^104 — see docs/shamir.md) plus 40 bits of statistical masking.
// General primes go through GMP in the tests, which are also the reference for this type.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>

namespace jointly {

using u128 = unsigned __int128;

class Fp {
 public:
  static constexpr u128 kModulus = (u128{1} << 127) - 1;
  static constexpr int kBits = 127;

  constexpr Fp() = default;
  // Reduces any 128-bit value; negative integers map to p - |v| (the field's -v).
  constexpr explicit Fp(u128 v) : v_(reduce(v)) {}
  constexpr Fp(int v) : Fp(static_cast<std::int64_t>(v)) {}  // NOLINT: Eigen needs Scalar(0)
  constexpr explicit Fp(std::int64_t v)
      : v_(v >= 0 ? u128(static_cast<std::uint64_t>(v))
                  : kModulus - u128(static_cast<std::uint64_t>(-(v + 1))) - 1) {}

  constexpr u128 value() const { return v_; }
  std::uint64_t lo() const { return static_cast<std::uint64_t>(v_); }
  std::uint64_t hi() const { return static_cast<std::uint64_t>(v_ >> 64); }

  friend constexpr Fp operator+(Fp a, Fp b) {
    u128 s = a.v_ + b.v_;  // < 2^128: both operands are below 2^127
    if (s >= kModulus) s -= kModulus;
    return from_reduced(s);
  }
  friend constexpr Fp operator-(Fp a, Fp b) {
    return from_reduced(a.v_ >= b.v_ ? a.v_ - b.v_ : a.v_ + (kModulus - b.v_));
  }
  constexpr Fp operator-() const { return from_reduced(v_ == 0 ? 0 : kModulus - v_); }
  friend Fp operator*(Fp a, Fp b) { return from_reduced(mul_reduce(a.v_, b.v_)); }
  Fp& operator+=(Fp b) { return *this = *this + b; }
  Fp& operator-=(Fp b) { return *this = *this - b; }
  Fp& operator*=(Fp b) { return *this = *this * b; }
  friend constexpr bool operator==(Fp a, Fp b) { return a.v_ == b.v_; }
  friend constexpr bool operator!=(Fp a, Fp b) { return a.v_ != b.v_; }

  Fp pow(u128 e) const;
  Fp inverse() const;  // throws std::domain_error for 0

  // The centred representative as a signed integer; throws std::overflow_error if it does
  // not fit in 64 bits (an opened value outside the encodable range).
  std::int64_t to_int64() const;
  std::string to_string() const;

 private:
  static constexpr u128 reduce(u128 v) {
    v = (v & kModulus) + (v >> 127);
    return v >= kModulus ? v - kModulus : v;
  }
  static constexpr Fp from_reduced(u128 v) {
    Fp f;
    f.v_ = v;
    return f;
  }
  // (a·b) mod 2^127 - 1 for a, b < 2^127: the 254-bit product h·2^128 + l ≡ l + 2h.
  static u128 mul_reduce(u128 a, u128 b) {
    const std::uint64_t a0 = static_cast<std::uint64_t>(a),
                        a1 = static_cast<std::uint64_t>(a >> 64);
    const std::uint64_t b0 = static_cast<std::uint64_t>(b),
                        b1 = static_cast<std::uint64_t>(b >> 64);
    const u128 p00 = u128(a0) * b0, p01 = u128(a0) * b1, p10 = u128(a1) * b0, p11 = u128(a1) * b1;
    const u128 mid =
        (p00 >> 64) + static_cast<std::uint64_t>(p01) + static_cast<std::uint64_t>(p10);
    const u128 lo = (mid << 64) | static_cast<std::uint64_t>(p00);
    const u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);  // < 2^126
    return reduce(reduce(lo) + (hi << 1));  // reduce(lo) < 2^127, 2·hi < 2^127: no overflow
  }

  u128 v_ = 0;
};

using FieldMatrix = Eigen::Matrix<Fp, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace jointly

namespace Eigen {
template <>
struct NumTraits<jointly::Fp> : GenericNumTraits<jointly::Fp> {
  using Real = jointly::Fp;
  using NonInteger = jointly::Fp;
  using Literal = jointly::Fp;
  using Nested = jointly::Fp;
  enum {
    IsComplex = 0,
    IsInteger = 1,
    IsSigned = 0,
    RequireInitialization = 1,
    ReadCost = 2,
    AddCost = 3,
    MulCost = 12,
  };
};
}  // namespace Eigen
