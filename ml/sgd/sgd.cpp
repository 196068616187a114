#include "ml/sgd/sgd.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "protocols/prg.h"

namespace jointly::ml {

std::vector<std::vector<Eigen::Index>> batch_schedule(Eigen::Index rows, const SgdConfig& config) {
  if (rows <= 0 || config.batch <= 0 || config.epochs <= 0) {
    throw std::invalid_argument("batch_schedule: rows, batch and epochs must be positive");
  }
  Prg prg(derive_seed(seed_from_u64(config.shuffle_seed), "sgd.shuffle"));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(rows));
  std::vector<std::vector<Eigen::Index>> batches;
  for (int e = 0; e < config.epochs; ++e) {
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    for (std::size_t i = order.size() - 1; i > 0; --i) {
      // Rejection-free modulo bias is below 2^-40 for any realistic row count.
      const std::size_t j = static_cast<std::size_t>(prg.next() % (i + 1));
      std::swap(order[i], order[j]);
    }
    for (std::size_t at = 0; at < order.size(); at += static_cast<std::size_t>(config.batch)) {
      const std::size_t end = std::min(order.size(), at + static_cast<std::size_t>(config.batch));
      batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(at),
                           order.begin() + static_cast<std::ptrdiff_t>(end));
    }
  }
  return batches;
}

int batches_per_epoch(Eigen::Index rows, const SgdConfig& config) {
  if (rows <= 0 || config.batch <= 0) {
    throw std::invalid_argument("batches_per_epoch: rows and batch must be positive");
  }
  return static_cast<int>((rows + config.batch - 1) / config.batch);
}

namespace {

StepEncoding widened(double step, const FixedPoint& fp) {
  const int f = fp.frac_bits;
  // factor · G < 2^62 with |G| < 2^int_bits at f fractional bits.
  const double cap = std::ldexp(1.0, 62 - f - fp.int_bits);
  if (!(step > 0) || std::ldexp(step, f) >= cap) {
    throw std::invalid_argument("sgd: learning rate / batch = " + std::to_string(step) +
                                " is outside the fixed-point range");
  }
  int shift = f;
  while (shift < 2 * f && std::ldexp(step, shift) < std::ldexp(1.0, kStepSignificantBits) &&
         std::ldexp(step, shift + 1) < cap) {
    ++shift;
  }
  const auto factor = static_cast<std::int64_t>(std::llround(std::ldexp(step, shift)));
  if (factor == 0) {
    throw std::invalid_argument("sgd: learning rate / batch = " + std::to_string(step) +
                                " rounds to zero in fixed point");
  }
  return {factor, shift};
}

}  // namespace

StepEncoding encode_step(double learning_rate, std::size_t batch_rows, const FixedPoint& fp,
                         StepRule rule) {
  if (batch_rows == 0) throw std::invalid_argument("encode_step: empty batch");
  const double step = learning_rate / static_cast<double>(batch_rows);
  switch (rule) {
    case StepRule::kPlain:
      return {};
    case StepRule::kFracBits:
      return {fp.encode(step, "learning rate / batch"), fp.frac_bits};
    case StepRule::kWidened:
      return widened(step, fp);
  }
  throw std::invalid_argument("encode_step: unknown rule");
}

void run_sgd(SgdModel& model, Eigen::Index rows, const SgdConfig& config,
             const ProgressFn& progress, int epochs_done, const EpochEndFn& epoch_end) {
  if (epochs_done < 0 || epochs_done > config.epochs) {
    throw std::invalid_argument("run_sgd: cannot continue after epoch " +
                                std::to_string(epochs_done) + " of " +
                                std::to_string(config.epochs));
  }
  const auto batches = batch_schedule(rows, config);
  const int per_epoch = batches_per_epoch(rows, config);
  const StepRule rule = model.step_rule();
  const std::size_t first =
      static_cast<std::size_t>(epochs_done) * static_cast<std::size_t>(per_epoch);
  for (std::size_t at = first; at < batches.size(); ++at) {
    const auto& batch = batches[at];
    model.step({batch, config.learning_rate / static_cast<double>(batch.size()),
                encode_step(config.learning_rate, batch.size(), config.fp, rule)});
    const int epoch = static_cast<int>(at) / per_epoch + 1;
    const int in_epoch = static_cast<int>(at) % per_epoch + 1;
    if (epoch_end && in_epoch == per_epoch) epoch_end(epoch);
    if (progress) progress({epoch, config.epochs, in_epoch, per_epoch});
  }
}

}  // namespace jointly::ml
