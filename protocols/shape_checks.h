// Shape checks that the Z_2^64 backends share: each throws std::invalid_argument naming the
// operation and both shapes.
#pragma once

#include <stdexcept>
#include <string>

#include "protocols/shared.h"

namespace jointly::shape_checks {

inline std::string shape(const Shared& x) {
  return std::to_string(x.rows()) + "x" + std::to_string(x.cols());
}

inline void require_same_shape(const Shared& x, const Shared& y, const char* op) {
  if (x.rows() != y.rows() || x.cols() != y.cols()) {
    throw std::invalid_argument(std::string(op) + ": shapes " + shape(x) + " and " + shape(y) +
                                " differ");
  }
}

inline void require_same_shape(const Shared& x, const IntMatrix& c, const char* op) {
  if (x.rows() != c.rows() || x.cols() != c.cols()) {
    throw std::invalid_argument(std::string(op) + ": shared " + shape(x) + " and public " +
                                std::to_string(c.rows()) + "x" + std::to_string(c.cols()) +
                                " differ");
  }
}

inline void require_inner(Index left_cols, Index right_rows, const char* op) {
  if (left_cols != right_rows) {
    throw std::invalid_argument(std::string(op) + ": inner dimensions " +
                                std::to_string(left_cols) + " and " + std::to_string(right_rows) +
                                " differ");
  }
}

}  // namespace jointly::shape_checks
