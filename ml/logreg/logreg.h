// Logistic regression trained by mini-batch SGD on secret shares, and the plaintext float
// reference of exactly the same training (same initial weights, same batches in the same
// order, same learning rate), which tests and jointly-sim print next to the secure result.
//
// Per SGD step on a batch of B rows with d features (+ bias), see docs/cost.md:
//   z = X_B·w (matmul + trunc), p = sigmoid(z), g = X_Bᵀ·(p - y_B) (matmul + trunc),
//   w -= (lr / B)·g (public scale + trunc).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <vector>

#include "protocols/fixed_point.h"
#include "protocols/protocol.h"

namespace jointly::ml {

struct SgdConfig {
  int epochs = 10;
  int batch = 32;
  double learning_rate = 0.1;
  std::uint64_t shuffle_seed = 1;  // public: every party derives the same batch order
  FixedPoint fp{};
};

// Row indices of each mini-batch, epoch after epoch: a fresh public permutation per epoch
// (AES-CTR PRG from shuffle_seed, Fisher–Yates), cut into batches; the last batch of an epoch
// may be shorter.
std::vector<std::vector<Eigen::Index>> batch_schedule(Eigen::Index rows, const SgdConfig& config);

struct StepProgress {
  int epoch, epochs;  // 1-based
  int batch, batches;
};
using ProgressFn = std::function<void(const StepProgress&)>;

// Continuing a run from a checkpoint: `epochs_done` epochs are complete and `weights` are the
// shared weights after them. Training goes on with epoch epochs_done + 1's batches of the same
// schedule; with the protocol's and triple source's randomness restored to where they were,
// the result is that of the uninterrupted run (docs/checkpoints.md).
struct TrainFrom {
  int epochs_done = 0;
  Shared weights;
};
// Called once each epoch is complete (1-based), before that epoch's last progress call, with
// the shared weights at that point: where a checkpoint is taken.
using EpochDoneFn = std::function<void(int epoch, const Shared& weights)>;

// x: N x (d+1) shared features with a final column of ones (the bias), y: N x 1 shared labels
// in {0, 1}; both fixed-point encoded with config.fp. Returns the shared weights (d+1) x 1.
// Without `from`, party 0 inputs the initial (zero) weights; with it, nobody inputs anything.
Shared train_logreg(Protocol& protocol, const Shared& x, const Shared& y, const SgdConfig& config,
                    const ProgressFn& progress = {}, const TrainFrom* from = nullptr,
                    const EpochDoneFn& epoch_done = {});

// The same training in double precision with the exact sigmoid.
Eigen::VectorXd train_logreg_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                   const SgdConfig& config);

// Appends the bias column of ones.
Eigen::MatrixXd with_bias(const Eigen::MatrixXd& x);

// Fraction of rows whose predicted class (sigmoid(x·w) >= 1/2) equals the label.
double accuracy(const Eigen::MatrixXd& x_with_bias, const Eigen::VectorXd& y,
                const Eigen::VectorXd& w);

}  // namespace jointly::ml
