#include "ml/logreg/logreg.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "circuits/activations/sigmoid.h"

namespace jointly::ml {

namespace {

// One step on shares: z = X_B·w, err = sigmoid(z) - y_B, g = X_Bᵀ·err, w -= (lr / B)·g.
class LogRegSgd final : public SgdModel {
 public:
  LogRegSgd(Protocol& protocol, const Shared& x, const Shared& y, const FixedPoint& fp, Shared w)
      : protocol_(protocol), x_(x), y_(y), fp_(fp), w_(std::move(w)) {}

  StepRule step_rule() const override { return StepRule::kFracBits; }

  void step(const SgdStep& step) override {
    const int f = fp_.frac_bits;
    const Shared xb = x_.gather_rows(step.rows);
    const Shared yb = y_.gather_rows(step.rows);
    const Shared err = logreg_residual(protocol_, xb, yb, w_, fp_);
    // g has 2f fractional bits; bring it to f before scaling so every truncated value stays
    // far below 2^62 (and local truncation's failure probability stays negligible).
    const Shared g = protocol_.trunc(protocol_.matmul(xb.transpose(), err), f);
    w_ = protocol_.sub(
        w_, protocol_.trunc(protocol_.scale(g, step.encoded.factor), step.encoded.shift));
  }

  const Shared& weights() const { return w_; }

 private:
  Protocol& protocol_;
  const Shared& x_;
  const Shared& y_;
  const FixedPoint& fp_;
  Shared w_;
};

// The same step in doubles with the exact sigmoid.
class LogRegPlainSgd final : public SgdModel {
 public:
  LogRegPlainSgd(const Eigen::MatrixXd& x, const Eigen::VectorXd& y)
      : x_(x), y_(y), w_(Eigen::VectorXd::Zero(x.cols())) {}

  StepRule step_rule() const override { return StepRule::kPlain; }

  void step(const SgdStep& step) override {
    const auto& rows = step.rows;
    Eigen::MatrixXd xb(static_cast<Eigen::Index>(rows.size()), x_.cols());
    Eigen::VectorXd yb(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      xb.row(static_cast<Eigen::Index>(i)) = x_.row(rows[i]);
      yb(static_cast<Eigen::Index>(i)) = y_(rows[i]);
    }
    const Eigen::VectorXd prob =
        (xb * w_).unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    w_ -= step.lr * (xb.transpose() * (prob - yb));
  }

  const Eigen::VectorXd& weights() const { return w_; }

 private:
  const Eigen::MatrixXd& x_;
  const Eigen::VectorXd& y_;
  Eigen::VectorXd w_;
};

}  // namespace

Shared logreg_residual(Protocol& protocol, const Shared& xb, const Shared& yb, const Shared& w,
                       const FixedPoint& fp) {
  const Shared z = protocol.trunc(protocol.matmul(xb, w), fp.frac_bits);
  return protocol.sub(circuits::sigmoid(protocol, z, fp), yb);
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
  Shared w;
  if (from != nullptr) {
    w = from->weights;
  } else {
    const IntMatrix zero = IntMatrix::Zero(x.cols(), 1);
    w = protocol.input(0, protocol.self() == 0 ? &zero : nullptr, x.cols(), 1);
  }
  LogRegSgd model(protocol, x, y, config.fp, std::move(w));
  EpochEndFn epoch_end;
  if (epoch_done) epoch_end = [&](int epoch) { epoch_done(epoch, model.weights()); };
  run_sgd(model, x.rows(), config, progress, from == nullptr ? 0 : from->epochs_done, epoch_end);
  return model.weights();
}

Eigen::VectorXd train_logreg_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                   const SgdConfig& config) {
  LogRegPlainSgd model(x, y);
  run_sgd(model, x.rows(), config);
  return model.weights();
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
