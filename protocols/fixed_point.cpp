#include "protocols/fixed_point.h"

#include <cmath>
#include <sstream>

namespace jointly {

std::int64_t FixedPoint::encode(double value, std::string_view where) const {
  if (!std::isfinite(value) || std::fabs(value) >= limit()) {
    std::ostringstream msg;
    if (!where.empty()) msg << where << ": ";
    msg.precision(17);
    msg << "value " << value << " is outside the fixed-point range (-" << limit() << ", " << limit()
        << ") of " << int_bits << " integer and " << frac_bits << " fractional bits";
    throw FixedPointRangeError(msg.str());
  }
  return static_cast<std::int64_t>(std::llround(value * scale()));
}

IntMatrix FixedPoint::encode(const Eigen::MatrixXd& values, std::string_view where) const {
  IntMatrix out(values.rows(), values.cols());
  for (Index r = 0; r < values.rows(); ++r) {
    for (Index c = 0; c < values.cols(); ++c) {
      try {
        out(r, c) = encode(values(r, c));
      } catch (const FixedPointRangeError& e) {
        std::ostringstream msg;
        if (!where.empty()) msg << where << " ";
        msg << "row " << r << " column " << c << ": " << e.what();
        throw FixedPointRangeError(msg.str());
      }
    }
  }
  return out;
}

Eigen::MatrixXd FixedPoint::decode(const IntMatrix& encoded) const {
  return encoded.cast<double>() / scale();
}

}  // namespace jointly
