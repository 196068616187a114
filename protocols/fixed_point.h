// Fixed-point encoding of reals as signed 64-bit integers: x -> round(x * 2^f).
//
// Range: a value must satisfy |x| < 2^int_bits. The defaults (f = 16, int_bits = 15) keep the
// product of two encodable values below 2^(2*(15+16)) = 2^62 before truncation, which is what
// the truncation protocols need (docs/fixed-point.md). Anything outside — including NaN and
// infinities — is an error that names the value and the allowed range; never a silent wrap.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "protocols/ring.h"

namespace jointly {

inline constexpr int kDefaultFracBits = 16;
inline constexpr int kDefaultIntBits = 15;

class FixedPointRangeError : public std::range_error {
 public:
  using std::range_error::range_error;
};

struct FixedPoint {
  int frac_bits = kDefaultFracBits;
  int int_bits = kDefaultIntBits;

  double scale() const { return static_cast<double>(std::int64_t{1} << frac_bits); }
  // Largest magnitude accepted (exclusive).
  double limit() const { return static_cast<double>(std::int64_t{1} << int_bits); }

  // `where` (e.g. "data/a.csv row 12 column 'age'") is prefixed to the error message.
  std::int64_t encode(double value, std::string_view where = {}) const;
  double decode(std::int64_t encoded) const { return static_cast<double>(encoded) / scale(); }

  IntMatrix encode(const Eigen::MatrixXd& values, std::string_view where = {}) const;
  Eigen::MatrixXd decode(const IntMatrix& encoded) const;
};

}  // namespace jointly
