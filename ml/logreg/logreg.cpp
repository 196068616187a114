#include "ml/logreg/logreg.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "circuits/activations/sigmoid.h"
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

Shared train_logreg(Protocol& protocol, const Shared& x, const Shared& y, const SgdConfig& config,
                    const ProgressFn& progress, const TrainFrom* from,
                    const EpochDoneFn& epoch_done) {
  if (y.rows() != x.rows() || y.cols() != 1) {
    throw std::invalid_argument("train_logreg: labels must be a column with one entry per row");
  }
  if (from != nullptr && (from->epochs_done < 0 || from->epochs_done > config.epochs ||
                          from->weights.rows() != x.cols() || from->weights.cols() != 1)) {
    throw std::invalid_argument("train_logreg: cannot continue from epoch " +
                                std::to_string(from->epochs_done) + " of " +
                                std::to_string(config.epochs) + " with " +
                                std::to_string(from->weights.rows()) + " weights");
  }
  const int f = config.fp.frac_bits;
  Shared w;
  if (from != nullptr) {
    w = from->weights;
  } else {
    const IntMatrix zero = IntMatrix::Zero(x.cols(), 1);
    w = protocol.input(0, protocol.self() == 0 ? &zero : nullptr, x.cols(), 1);
  }

  const auto batches = batch_schedule(x.rows(), config);
  const int per_epoch = static_cast<int>((x.rows() + config.batch - 1) / config.batch);
  const std::size_t first = from == nullptr ? 0
                                            : static_cast<std::size_t>(from->epochs_done) *
                                                  static_cast<std::size_t>(per_epoch);
  for (std::size_t step = first; step < batches.size(); ++step) {
    const auto& rows = batches[step];
    const Shared xb = x.gather_rows(rows);
    const Shared yb = y.gather_rows(rows);
    const Shared z = protocol.trunc(protocol.matmul(xb, w), f);
    const Shared err = protocol.sub(circuits::sigmoid(protocol, z, config.fp), yb);
    // g has 2f fractional bits; bring it to f before scaling so every truncated value stays
    // far below 2^62 (and local truncation's failure probability stays negligible).
    const Shared g = protocol.trunc(protocol.matmul(xb.transpose(), err), f);
    const std::int64_t step_size = config.fp.encode(
        config.learning_rate / static_cast<double>(rows.size()), "learning rate / batch");
    w = protocol.sub(w, protocol.trunc(protocol.scale(g, step_size), f));
    if (epoch_done && static_cast<int>(step) % per_epoch + 1 == per_epoch)
      epoch_done(static_cast<int>(step) / per_epoch + 1, w);
    if (progress) {
      progress({static_cast<int>(step) / per_epoch + 1, config.epochs,
                static_cast<int>(step) % per_epoch + 1, per_epoch});
    }
  }
  return w;
}

Eigen::VectorXd train_logreg_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                   const SgdConfig& config) {
  Eigen::VectorXd w = Eigen::VectorXd::Zero(x.cols());
  for (const auto& rows : batch_schedule(x.rows(), config)) {
    Eigen::MatrixXd xb(static_cast<Eigen::Index>(rows.size()), x.cols());
    Eigen::VectorXd yb(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      xb.row(static_cast<Eigen::Index>(i)) = x.row(rows[i]);
      yb(static_cast<Eigen::Index>(i)) = y(rows[i]);
    }
    const Eigen::VectorXd prob =
        (xb * w).unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    w -= config.learning_rate / static_cast<double>(rows.size()) * (xb.transpose() * (prob - yb));
  }
  return w;
}

Eigen::MatrixXd with_bias(const Eigen::MatrixXd& x) {
  Eigen::MatrixXd out(x.rows(), x.cols() + 1);
  out << x, Eigen::VectorXd::Ones(x.rows());
  return out;
}

double accuracy(const Eigen::MatrixXd& x_with_bias, const Eigen::VectorXd& y,
                const Eigen::VectorXd& w) {
  const Eigen::VectorXd score = x_with_bias * w;
  Eigen::Index right = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) right += ((score(i) >= 0) == (y(i) >= 0.5));
  return static_cast<double>(right) / static_cast<double>(y.size());
}

}  // namespace jointly::ml
