#include "ml/data/standardize.h"

#include <cmath>
#include <stdexcept>

#include "protocols/fixed_point.h"

namespace jointly::ml {
namespace {

// Sums need more integer bits than training values but are only added, never multiplied, so
// the 62-bit product headroom does not apply.
constexpr FixedPoint kSumEncoding{.frac_bits = kDefaultFracBits, .int_bits = 44};
// A constant column gets standard deviation 1 (it then only shifts to zero) rather than a
// division by zero.
constexpr double kMinStddev = 1e-9;

// Sums and sums of squares of this party's columns, encoded for input.
IntMatrix local_sums(const Eigen::MatrixXd& features) {
  Eigen::MatrixXd local(2, features.cols());
  local.row(0) = features.colwise().sum();
  local.row(1) = features.array().square().colwise().sum();
  return kSumEncoding.encode(local, "local column sums");
}

Standardizer from_sums(const Eigen::MatrixXd& sums, Eigen::Index total_rows) {
  Standardizer s;
  const double n = static_cast<double>(total_rows);
  s.mean = sums.row(0) / n;
  s.stddev = (sums.row(1).array() / n - s.mean.array().square()).max(0).sqrt();
  s.stddev = s.stddev.unaryExpr([](double v) { return v < kMinStddev ? 1.0 : v; });
  return s;
}

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
  const IntMatrix mine = local_sums(local_features);
  Shared total;
  for (net::PartyId p = 0; p < protocol.parties(); ++p) {
    Shared part = protocol.input(p, p == protocol.self() ? &mine : nullptr, 2, d);
    total = p == 0 ? part : protocol.add(total, part);
  }
  return from_sums(kSumEncoding.decode(protocol.open(total)), total_rows);
}

Standardizer joint_standardizer_columns(Protocol& protocol, const Eigen::MatrixXd& local_features,
                                        const std::vector<Eigen::Index>& cols, Eigen::Index rows) {
  if (static_cast<int>(cols.size()) != protocol.parties() ||
      local_features.cols() != cols[static_cast<std::size_t>(protocol.self())]) {
    throw std::invalid_argument("joint_standardizer_columns: the layout does not match the data");
  }
  const IntMatrix mine = local_sums(local_features);
  std::vector<Shared> blocks;
  for (net::PartyId p = 0; p < protocol.parties(); ++p) {
    const Eigen::Index c = cols[static_cast<std::size_t>(p)];
    if (c == 0) continue;
    blocks.push_back(protocol.input(p, p == protocol.self() ? &mine : nullptr, 2, c));
  }
  return from_sums(kSumEncoding.decode(protocol.open(Shared::hstack(blocks))), rows);
}

}  // namespace jointly::ml
