// The one mini-batch SGD driver of jointly (docs/sgd.md). It owns everything the models have in
// common: the public batch schedule, the loop over epochs and batches, continuing after a
// checkpointed epoch, the progress and end-of-epoch callbacks, and the fixed-point encoding of
// the public step lr / B. A model (ml/logreg, ml/mlp, and their plaintext references) supplies
// only its step on one batch, through SgdModel.
#pragma once

#include <Eigen/Core>
#include <cstddef>
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
// may be shorter. The first k epochs do not depend on config.epochs.
std::vector<std::vector<Eigen::Index>> batch_schedule(Eigen::Index rows, const SgdConfig& config);

// Batches per epoch: ceil(rows / batch).
int batches_per_epoch(Eigen::Index rows, const SgdConfig& config);

struct StepProgress {
  int epoch, epochs;  // 1-based
  int batch, batches;
};
using ProgressFn = std::function<void(const StepProgress&)>;

// Continuing a logistic regression run from a checkpoint: `epochs_done` epochs are complete
// and `weights` are the shared weights after them. Training goes on with epoch
// epochs_done + 1's batches of the same schedule; with the protocol's and triple source's
// randomness restored to where they were, the result is that of the uninterrupted run
// (docs/checkpoints.md).
struct TrainFrom {
  int epochs_done = 0;
  Shared weights;
};
// Called once each epoch is complete (1-based), before that epoch's last progress call, with
// the shared weights at that point: where a checkpoint is taken.
using EpochDoneFn = std::function<void(int epoch, const Shared& weights)>;

// --- The public step lr / B in fixed point -------------------------------------------------
//
// Every secure model applies its step the same way: with the gradient G at f fractional bits,
//   w -= trunc(factor · G, shift),   factor = round(lr / B · 2^shift),
// B the rows of the batch at hand (the last batch of an epoch may be shorter). The models differ
// only in how `shift` is chosen, and each keeps its rule so that results stay bit-identical to
// the runs, tests and checkpoints made before the driver existed (docs/sgd.md).
struct StepEncoding {
  std::int64_t factor = 0;
  int shift = 0;
};

enum class StepRule {
  // No encoding: a plaintext reference uses lr / B as a double (SgdStep::encoded is {0, 0}).
  kPlain,
  // shift = f, factor = fp.encode(lr / B) (FixedPointRangeError when |lr / B| >= 2^int_bits).
  // Logistic regression (0.1 / 32 -> 205 at f = 16: 0.1% relative error).
  kFracBits,
  // shift in [f, 2f], the smallest that gives factor kStepSignificantBits significant bits
  // (factor >= 2^12, relative error below 2^-12), but no more than keeps factor · G below 2^62
  // (G below 2^int_bits at f fractional bits), since local truncation's failure probability
  // grows with the magnitude (docs/fixed-point.md). std::invalid_argument when lr / B is not
  // positive, too large for the range or rounds to zero. The MLP (0.1 / 128 -> 6554 at
  // shift 23: 6e-5 relative error, where shift f would give 51: 0.4%).
  kWidened,
};
inline constexpr int kStepSignificantBits = 12;

StepEncoding encode_step(double learning_rate, std::size_t batch_rows, const FixedPoint& fp,
                         StepRule rule);

// --- The driver ----------------------------------------------------------------------------

// What the driver hands a model for one step.
struct SgdStep {
  const std::vector<Eigen::Index>& rows;  // the batch: row indices into the training set
  double lr;                              // learning_rate / rows.size()
  StepEncoding encoded;                   // lr by the model's step_rule()
};

// A model trained by run_sgd. It holds its parameters (shared or plain) and the training data;
// step() updates the parameters on one batch. Whatever a checkpoint needs is read from the
// model in the end-of-epoch callback.
class SgdModel {
 public:
  virtual ~SgdModel() = default;
  virtual StepRule step_rule() const = 0;
  virtual void step(const SgdStep& step) = 0;
};

// Called when an epoch is complete (1-based), before that epoch's last progress call.
using EpochEndFn = std::function<void(int epoch)>;

// Trains `model` on `rows` training rows: the batches of batch_schedule(rows, config) from
// epoch epochs_done + 1 to config.epochs (epochs_done in [0, config.epochs], else
// std::invalid_argument; epochs_done = config.epochs does nothing). After every step:
// epoch_end(epoch) if the step completed an epoch, then progress.
void run_sgd(SgdModel& model, Eigen::Index rows, const SgdConfig& config,
             const ProgressFn& progress = {}, int epochs_done = 0,
             const EpochEndFn& epoch_end = {});

}  // namespace jointly::ml
