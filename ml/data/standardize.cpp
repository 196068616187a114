#include "ml/data/standardize.h"

#include <cmath>

#include "protocols/fixed_point.h"

namespace jointly::ml {
namespace {

// Sums need more integer bits than training values but are only added, never multiplied, so
// the 62-bit product headroom does not apply.
constexpr FixedPoint kSumEncoding{.frac_bits = kDefaultFracBits, .int_bits = 44};
// A constant column gets standard deviation 1 (it then only shifts to zero) rather than a
// division by zero.
constexpr double kMinStddev = 1e-9;

}  // namespace

Eigen::MatrixXd Standardizer::apply(const Eigen::MatrixXd& x) const {
  return (x.rowwise() - mean).array().rowwise() / stddev.array();
}

Standardizer Standardizer::fit(const Eigen::MatrixXd& x) {
  Standardizer s;
  const double n = static_cast<double>(x.rows());
  s.mean = x.colwise().sum() / n;
  const Eigen::RowVectorXd mean_sq = x.array().square().colwise().sum() / n;
  s.stddev = (mean_sq.array() - s.mean.array().square()).max(0).sqrt();
  s.stddev = s.stddev.unaryExpr([](double v) { return v < kMinStddev ? 1.0 : v; });
  return s;
}

Standardizer joint_standardizer(Protocol& protocol, const Eigen::MatrixXd& local_features,
                                Eigen::Index total_rows) {
  const Eigen::Index d = local_features.cols();
  Eigen::MatrixXd local(2, d);
  local.row(0) = local_features.colwise().sum();
  local.row(1) = local_features.array().square().colwise().sum();
  const IntMatrix mine = kSumEncoding.encode(local, "local column sums");

  Shared total;
  for (net::PartyId p = 0; p < protocol.parties(); ++p) {
    Shared part = protocol.input(p, p == protocol.self() ? &mine : nullptr, 2, d);
    total = p == 0 ? part : protocol.add(total, part);
  }
  const Eigen::MatrixXd sums = kSumEncoding.decode(protocol.open(total));

  Standardizer s;
  const double n = static_cast<double>(total_rows);
  s.mean = sums.row(0) / n;
  s.stddev = (sums.row(1).array() / n - s.mean.array().square()).max(0).sqrt();
  s.stddev = s.stddev.unaryExpr([](double v) { return v < kMinStddev ? 1.0 : v; });
  return s;
}

}  // namespace jointly::ml
