// Logistic regression trained by mini-batch SGD on secret shares, and the plaintext float
// reference of exactly the same training (same initial weights, same batches in the same
// order, same learning rate), which tests and jointly-sim print next to the secure result.
// Both are models of the one SGD driver (ml/sgd/sgd.h, docs/sgd.md), which owns the schedule,
// the epochs, resuming and the step's fixed-point encoding (StepRule::kFracBits).
//
// Per SGD step on a batch of B rows with d features (+ bias), see docs/cost.md:
//   z = X_B·w (matmul + trunc), p = sigmoid(z), g = X_Bᵀ·(p - y_B) (matmul + trunc),
//   w -= (lr / B)·g (public scale + trunc).
#pragma once

#include <Eigen/Core>

#include "ml/sgd/sgd.h"  // SgdConfig, batch_schedule, StepProgress, TrainFrom, EpochDoneFn, run_sgd
#include "protocols/protocol.h"

namespace jointly::ml {

// x: N x (d+1) shared features with a final column of ones (the bias), y: N x 1 shared labels
// in {0, 1}; both fixed-point encoded with config.fp. Returns the shared weights (d+1) x 1.
// Without `from`, party 0 inputs the initial (zero) weights; with it, nobody inputs anything.
Shared train_logreg(Protocol& protocol, const Shared& x, const Shared& y, const SgdConfig& config,
                    const ProgressFn& progress = {}, const TrainFrom* from = nullptr,
                    const EpochDoneFn& epoch_done = {});

// One step's residual on shares: sigmoid(X_B·w) − y_B, at the encoding's f fractional bits
// (shared by the plain and the DP-SGD step, ml/logreg/dp_logreg.h).
Shared logreg_residual(Protocol& protocol, const Shared& xb, const Shared& yb, const Shared& w,
                       const FixedPoint& fp);

// The same training in double precision with the exact sigmoid.
Eigen::VectorXd train_logreg_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                   const SgdConfig& config);

// Appends the bias column of ones.
Eigen::MatrixXd with_bias(const Eigen::MatrixXd& x);

// Fraction of rows whose predicted class (sigmoid(x·w) >= 1/2) equals the label.
double accuracy(const Eigen::MatrixXd& x_with_bias, const Eigen::VectorXd& y,
                const Eigen::VectorXd& w);

}  // namespace jointly::ml
