// Joint standardisation: every party's columns are scaled with the mean and standard
// deviation of the union of all parties' rows, computed on secret shares. Each party inputs
// its local column sums and sums of squares; the shares are added and only the two global
// aggregates are opened (logged by the caller) — never a party's own statistics.
#pragma once

#include <Eigen/Core>

#include "ml/data/csv.h"
#include "protocols/protocol.h"

namespace jointly::ml {

struct Standardizer {
  Eigen::RowVectorXd mean, stddev;  // one entry per feature

  Eigen::MatrixXd apply(const Eigen::MatrixXd& x) const;
  // The plaintext rule, for the reference and the tests.
  static Standardizer fit(const Eigen::MatrixXd& x);
};

// Rows-split standardisation (every party holds the same columns). 1 round: one opening of a
// 2 x features tensor. Sums are encoded with 44 integer bits so up to 4 parties' sums of
// squares of values below 2^15 over millions of rows fit without overflow.
Standardizer joint_standardizer(Protocol& protocol, const Eigen::MatrixXd& local_features,
                                Eigen::Index total_rows);

}  // namespace jointly::ml
