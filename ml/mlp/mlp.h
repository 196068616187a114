// A multi-layer perceptron (SecureML's "network A": 784-128-128-10, ReLU, softmax
// cross-entropy) trained by mini-batch SGD on secret shares, and the plaintext double
// reference of exactly the same training: same public initial weights (from init_seed), same
// batches in the same order (ml::batch_schedule), same learning rate; exact ReLU and softmax.
// Both are models of the one SGD driver (ml/sgd/sgd.h, docs/sgd.md), which owns the schedule,
// the epochs and the step's fixed-point encoding (StepRule::kWidened: the s below).
//
// Per SGD step on a batch of B rows, layers d_0, ..., d_L (docs/mlp.md has the cost):
//   forward, l = 0..L-1:  Z_l = trunc([A_l 1]·W_l)   (W_l = [weights; bias], (d_l+1) x d_{l+1})
//                          A_{l+1} = relu(Z_l) (keeping relu'(Z_l)), last layer P = softmax(Z_L-1)
//   backward:              dZ_{L-1} = P - Y        (gradient of the summed cross-entropy)
//                          G_l = [A_l 1]ᵀ·dZ_l, dA_l = dZ_l·W_lᵀ, one truncation for both,
//                          dZ_{l-1} = dA_l ⊙ relu'(Z_{l-1})  (0/1 factor: no truncation)
//   update:                W_l -= trunc(round((lr/B)·2^s)·G_l, s)
// Every product of two shared tensors is a Protocol::matmul (one matrix triple, one round).
// G is truncated to f fractional bits before the public step is applied, as in ml/logreg,
// so every truncated value stays far below 2^62 (docs/fixed-point.md).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <vector>

#include "ml/sgd/sgd.h"  // SgdConfig, batch_schedule, StepProgress, ProgressFn, run_sgd
#include "protocols/fixed_point.h"
#include "protocols/protocol.h"

namespace jointly::ml {

struct MlpConfig {
  // d_0 (features), hidden widths, number of classes. At least two entries.
  std::vector<int> layers{784, 128, 128, 10};
  // 1 epoch, batch 128, learning rate 0.1 (applied to the batch mean gradient).
  SgdConfig sgd{1, 128, 0.1, 1, FixedPoint{}};
  // Public: every party (and the plaintext reference) derives the same initial weights.
  std::uint64_t init_seed = 1;
};

// Plaintext parameters: weights[l] is d_l x d_{l+1}, biases[l] is 1 x d_{l+1}.
struct MlpPlain {
  std::vector<Eigen::MatrixXd> weights;
  std::vector<Eigen::RowVectorXd> biases;
};

// Shared parameters, fixed-point encoded with config.sgd.fp; same shapes as MlpPlain.
struct MlpShares {
  std::vector<Shared> weights, biases;
};

// Deterministic public initialisation from config.init_seed (AES-CTR PRG): hidden layers
// (followed by ReLU) He-uniform U(±sqrt(6/d_in)), the output layer Glorot-uniform
// U(±sqrt(6/(d_in+d_out))); biases zero.
MlpPlain mlp_init(const MlpConfig& config);

// x: N x d_0 shared features, y_onehot: N x d_L shared one-hot labels (1.0 encoded), both with
// config.sgd.fp. The initial weights are entered by party 0 (free: no communication).
MlpShares train_mlp(Protocol& protocol, const Shared& x, const Shared& y_onehot,
                    const MlpConfig& config, const ProgressFn& progress = {});

// Party `owner` enters `model` as shares, each layer's [weights; bias] in one input (as
// train_mlp enters the initial weights).
MlpShares input_mlp(Protocol& protocol, const MlpPlain& model, const FixedPoint& fp,
                    net::PartyId owner = 0);

// One step's forward pass on shares for a batch x_batch (B x d_0) through the stacked weights
// w[l] = [weights; bias]: inputs[l] = [A_l 1], derivatives[l] = relu'(Z_l) for the hidden
// layers (0/1 integers), probabilities = softmax(Z_{L-1}) (fixed point with fp).
struct MlpForward {
  std::vector<Shared> inputs, derivatives;
  Shared probabilities;
};
MlpForward mlp_forward(Protocol& protocol, const std::vector<Shared>& w, const Shared& x_batch,
                       const FixedPoint& fp);

// The same pass and the backward one in doubles on a batch: a[l] = A_l (B x d_l, a[0] = x),
// dz[l] = dZ_l (B x d_{l+1}), the gradient of the summed cross-entropy at layer l's
// pre-activations; layer l's weight gradient is a[l]ᵀ·dz[l], its bias gradient dz[l]'s column
// sums.
struct MlpPass {
  std::vector<Eigen::MatrixXd> a, dz;
};
MlpPass mlp_pass(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y_onehot);

// One SGD step of the MLP on shares: the model train_mlp hands to run_sgd. Public so that
// training can go on from shares held after some epoch: with the protocol's and triple
// source's randomness restored to that point, run_sgd(model, N, config.sgd, {}, epochs_done)
// ends where the uninterrupted train_mlp does (tests/ml/sgd_test.cpp).
class MlpSgd final : public SgdModel {
 public:
  // x and y_onehot as for train_mlp; they (and `protocol`) must outlive the model.
  MlpSgd(Protocol& protocol, const Shared& x, const Shared& y_onehot, const MlpConfig& config,
         const MlpShares& start);

  StepRule step_rule() const override { return StepRule::kWidened; }
  void step(const SgdStep& step) override;
  MlpShares shares() const;

  // With `on`, every step also adds the batch's summed squared error of the class
  // probabilities, sum over rows and classes of (p_k - y_k)^2 (the Brier score's numerator),
  // to a shared 1 x 1 total at 2f fractional bits: one more element-wise product (1 round,
  // B x d_L elements) per step. take_squared_error() hands the total over and restarts it.
  // Cross-entropy would need a logarithm on shares; the squared error falls with it.
  void track_squared_error(bool on) { track_error_ = on; }
  Shared take_squared_error();

 private:
  Protocol& protocol_;
  const Shared& x_;
  const Shared& y_;
  FixedPoint fp_;
  std::vector<Index> in_;  // d_l per layer
  // W[l] = [weights; bias], (d_l + 1) x d_{l+1}: the bias rides on a column of ones.
  std::vector<Shared> w_;
  bool track_error_ = false;
  Shared error_;  // 1 x 1, empty until the first tracked step
};

// The model's parameters as one column, layer by layer ([weights; bias] of each, column-major):
// what a checkpoint stores. unflatten_mlp() undoes it for the layer sizes `layers` (d_0, ...,
// d_L) and throws std::invalid_argument if the sizes do not add up.
Shared flatten_mlp(const MlpShares& model);
MlpShares unflatten_mlp(const Shared& flat, const std::vector<int>& layers);
// The number of parameters of a network with these layer sizes.
Index mlp_parameters(const std::vector<int>& layers);
// Mean over rows of sum_k (p_k - y_k)^2, p the softmax of the model's logits: what
// MlpSgd::track_squared_error() reports, in doubles.
double mlp_squared_error(const MlpPlain& model, const Eigen::MatrixXd& x,
                         const Eigen::MatrixXd& y_onehot);
// Row-wise softmax of the logits: N x d_L class probabilities.
Eigen::MatrixXd mlp_probabilities(const MlpPlain& model, const Eigen::MatrixXd& x);

// The same training in double precision, exact ReLU and softmax. With `epoch_errors`, also
// what MlpSgd::track_squared_error() opens: per epoch, the sum over its batches of
// sum (p - y)^2 with the weights before each step, divided by the training rows.
MlpPlain train_mlp_plain(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                         const MlpConfig& config, const ProgressFn& progress = {},
                         std::vector<double>* epoch_errors = nullptr);

// Opens the model to every party (one round per layer: [weights; bias] together) and decodes
// it; or to `receiver` only (the others get nullopt). Callers log the opening.
MlpPlain open_mlp(Protocol& protocol, const MlpShares& model, const FixedPoint& fp = {});
std::optional<MlpPlain> open_mlp_to(Protocol& protocol, net::PartyId receiver,
                                    const MlpShares& model, const FixedPoint& fp = {});

// N x classes one-hot matrix; a label outside [0, classes) is std::invalid_argument.
Eigen::MatrixXd one_hot(const std::vector<int>& labels, int classes);

// Logits (pre-softmax outputs), N x d_L.
Eigen::MatrixXd mlp_logits(const MlpPlain& model, const Eigen::MatrixXd& x);
// Argmax class per row (ties: the lowest index).
std::vector<int> mlp_predict(const MlpPlain& model, const Eigen::MatrixXd& x);
// Fraction of rows whose argmax class equals the label.
double mlp_accuracy(const MlpPlain& model, const Eigen::MatrixXd& x,
                    const std::vector<int>& labels);

// Mean softmax cross-entropy over the rows and its gradient with respect to every parameter
// (what train_mlp_plain steps along, times lr); for the finite-difference check.
double mlp_loss(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y_onehot);
MlpPlain mlp_gradient(const MlpPlain& model, const Eigen::MatrixXd& x,
                      const Eigen::MatrixXd& y_onehot);

// Largest |a - b| over all parameters (shapes must agree).
double max_abs_diff(const MlpPlain& a, const MlpPlain& b);

}  // namespace jointly::ml
