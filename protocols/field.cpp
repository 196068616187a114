#include "protocols/field.h"

#include <stdexcept>

namespace jointly {

Fp Fp::pow(u128 e) const {
  Fp base = *this, out(1);
  while (e != 0) {
    if (e & 1) out *= base;
    base *= base;
    e >>= 1;
  }
  return out;
}

Fp Fp::inverse() const {
  if (v_ == 0) throw std::domain_error("Fp: 0 has no inverse");
  return pow(kModulus - 2);  // Fermat
}

std::int64_t Fp::to_int64() const {
  constexpr u128 kHalf = kModulus / 2;
  constexpr u128 kLimit = u128{1} << 63;
  if (v_ <= kHalf) {
    if (v_ >= kLimit) throw std::overflow_error("field element " + to_string() + " exceeds int64");
    return static_cast<std::int64_t>(v_);
  }
  const u128 neg = kModulus - v_;
  if (neg > kLimit)
    throw std::overflow_error("field element -" + Fp(neg).to_string() + " exceeds int64");
  return neg == kLimit ? INT64_MIN : -static_cast<std::int64_t>(neg);
}

std::string Fp::to_string() const {
  if (v_ == 0) return "0";
  std::string s;
  for (u128 v = v_; v != 0; v /= 10)
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
  return s;
}

}  // namespace jointly
