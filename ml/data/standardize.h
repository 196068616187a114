// Joint standardisation: every party's columns are scaled with the mean and standard
// deviation of the union of all parties' rows, computed on secret shares. Each party inputs
// its local column sums and sums of squares; the shares are added (rows split) or put side by
// side (columns split) and only the two global aggregates per column are opened (logged by
// the caller). With rows split a party's own statistics are never opened; with columns split
// a column's global statistics are those of the one party holding it (docs/security.md).
#pragma once

#include <Eigen/Core>
#include <vector>

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

// Columns-split standardisation (every party holds all rows of its own columns, `cols[p]` of
// them, in party order). Each party inputs the sums of its own columns; the blocks are put
// side by side and the 2 x sum(cols) tensor is opened: the same opening as the rows split,
// 1 round, and the result covers the joint feature order.
Standardizer joint_standardizer_columns(Protocol& protocol, const Eigen::MatrixXd& local_features,
                                        const std::vector<Eigen::Index>& cols, Eigen::Index rows);

}  // namespace jointly::ml
