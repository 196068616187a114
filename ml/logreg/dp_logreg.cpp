#include "ml/logreg/dp_logreg.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "circuits/activations/relu.h"
#include "circuits/compare/compare.h"
#include "ml/logreg/logreg.h"

namespace jointly::ml {
namespace {

void check(const DpConfig& dp) {
  if (!(dp.noise >= 0) || std::isinf(dp.noise)) {
    throw std::invalid_argument("DP-SGD: noise multiplier must be >= 0, got " +
                                std::to_string(dp.noise));
  }
  if (!(dp.clip > 0) || std::isinf(dp.clip)) {
    throw std::invalid_argument("DP-SGD: clip norm must be > 0, got " + std::to_string(dp.clip));
  }
  if (!(dp.max_row_norm_sq > 1)) {
    throw std::invalid_argument("DP-SGD: max_row_norm_sq must be > 1");
  }
}

IntMatrix constant(Eigen::Index rows, Eigen::Index cols, std::int64_t v) {
  return IntMatrix::Constant(rows, cols, v);
}

// Initial value of Newton's 1/√s iteration: it converges for y0 < √(3/s), so for every
// s <= R from y0 = kRsqrtStart / √R.
constexpr double kRsqrtStart = 1.5;

// clamp(e, −t, t) = e − relu(e − t) + relu(−e − t): both ReLUs in the same rounds.
Shared clamp(Protocol& protocol, const Shared& e, const Shared& t) {
  const Eigen::Index rows = e.rows();
  const Shared r = circuits::relu(
      protocol, Shared::vstack({protocol.sub(e, t), protocol.sub(protocol.scale(e, -1), t)}));
  std::vector<Eigen::Index> top(static_cast<std::size_t>(rows)), bottom(top.size());
  for (Eigen::Index i = 0; i < rows; ++i) {
    top[static_cast<std::size_t>(i)] = i;
    bottom[static_cast<std::size_t>(i)] = rows + i;
  }
  return protocol.add(protocol.sub(e, r.gather_rows(top)), r.gather_rows(bottom));
}

class DpLogRegSgd final : public SgdModel {
 public:
  DpLogRegSgd(Protocol& protocol, const Shared& x, const Shared& y, const FixedPoint& fp, Shared w,
              Shared thresholds, Shared noise)
      : protocol_(protocol),
        x_(x),
        y_(y),
        fp_(fp),
        w_(std::move(w)),
        t_(std::move(thresholds)),
        noise_(std::move(noise)) {}

  StepRule step_rule() const override { return StepRule::kFracBits; }

  void step(const SgdStep& step) override {
    const int f = fp_.frac_bits;
    const Shared xb = x_.gather_rows(step.rows);
    const Shared yb = y_.gather_rows(step.rows);
    const Shared err = logreg_residual(protocol_, xb, yb, w_, fp_);
    const Shared clipped = clamp(protocol_, err, t_.gather_rows(step.rows));
    const Index k = step_++;
    const Shared g = protocol_.add(protocol_.trunc(protocol_.matmul(xb.transpose(), clipped), f),
                                   noise_.gather_rows(std::span<const Index>(&k, 1)).transpose());
    w_ = protocol_.sub(
        w_, protocol_.trunc(protocol_.scale(g, step.encoded.factor), step.encoded.shift));
  }

  const Shared& weights() const { return w_; }

 private:
  Protocol& protocol_;
  const Shared& x_;
  const Shared& y_;
  const FixedPoint& fp_;
  Shared w_, t_, noise_;
  Index step_ = 0;
};

class DpLogRegPlainSgd final : public SgdModel {
 public:
  DpLogRegPlainSgd(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const DpConfig& dp,
                   std::uint64_t seed)
      : x_(x), y_(y), dp_(dp), w_(Eigen::VectorXd::Zero(x.cols())), rng_(seed) {}

  StepRule step_rule() const override { return StepRule::kPlain; }

  void step(const SgdStep& step) override {
    Eigen::VectorXd g = Eigen::VectorXd::Zero(x_.cols());
    for (const Eigen::Index i : step.rows) {
      const double e = 1.0 / (1.0 + std::exp(-x_.row(i).dot(w_))) - y_(i);
      const Eigen::VectorXd gi = e * x_.row(i).transpose();
      const double norm = gi.norm();
      g += norm > dp_.clip ? Eigen::VectorXd(gi * (dp_.clip / norm)) : gi;
    }
    std::normal_distribution<double> normal(0.0, dp_.noise * dp_.clip);
    for (Eigen::Index j = 0; j < g.size(); ++j) g(j) += normal(rng_);
    w_ -= step.lr * g;
  }

  const Eigen::VectorXd& weights() const { return w_; }

 private:
  const Eigen::MatrixXd& x_;
  const Eigen::VectorXd& y_;
  DpConfig dp_;
  Eigen::VectorXd w_;
  std::mt19937_64 rng_;
};

}  // namespace

int rsqrt_iterations(double max_row_norm_sq, const FixedPoint& fp) {
  // The slowest start is s = 1 (y grows by at most 3/2 per step while far below 1/√s): run the
  // iteration in doubles over the range and count until every s is within 2^-f relatively.
  const double tolerance = std::ldexp(1.0, -fp.frac_bits);
  int most = 1;
  for (double s = 1; s <= max_row_norm_sq; s *= 1.5) {
    double y = kRsqrtStart / std::sqrt(max_row_norm_sq);
    int it = 0;
    while (std::fabs(y * std::sqrt(s) - 1) > tolerance && it < 200) {
      y = y * (3 - s * y * y) / 2;
      ++it;
    }
    most = std::max(most, it);
  }
  return most;
}

Shared clip_thresholds(Protocol& protocol, const Shared& x, const DpConfig& dp,
                       const FixedPoint& fp) {
  check(dp);
  const int f = fp.frac_bits;
  const Eigen::Index rows = x.rows();
  // s_i = ‖x_i‖² (row sums as a product with a public column of ones: local).
  const Shared s =
      protocol.matmul_public(protocol.trunc(protocol.mul(x, x), f), constant(x.cols(), 1, 1));
  // Newton: y <- y (3 − s y²) / 2 from y0 = kRsqrtStart / √R.
  Shared y = protocol.add_public(
      protocol.scale(s, 0),
      constant(rows, 1, fp.encode(kRsqrtStart / std::sqrt(dp.max_row_norm_sq))));
  const IntMatrix three = constant(rows, 1, fp.encode(3.0));
  const int iterations = rsqrt_iterations(dp.max_row_norm_sq, fp);
  for (int it = 0; it < iterations; ++it) {
    const Shared y2 = protocol.trunc(protocol.mul(y, y), f);
    const Shared sy2 = protocol.trunc(protocol.mul(s, y2), f);
    y = protocol.trunc(protocol.mul(y, protocol.add_public(protocol.scale(sy2, -1), three)), f + 1);
  }
  // in_range = [R − s >= 0] as an integer 0/1 share; t = C_safe · y · in_range.
  const Shared over =
      protocol.add_public(protocol.scale(s, -1), constant(rows, 1, fp.encode(dp.max_row_norm_sq)));
  const Shared in_range = circuits::relu_derivative(protocol, over);
  const Shared t = protocol.trunc(protocol.scale(y, fp.encode(dp.clip * (1 - kClipMargin))), f);
  // t <= C for every row (the bias column makes ‖x‖ >= 1); outside [0, C] a truncation failed.
  return protocol.mul(zero_outside(protocol, t, fp.encode(dp.clip)), in_range);
}

Shared train_logreg_dp(Protocol& protocol, const Shared& x, const Shared& y,
                       const SgdConfig& config, const DpConfig& dp, const ProgressFn& progress) {
  check(dp);
  if (y.rows() != x.rows() || y.cols() != 1) {
    throw std::invalid_argument("train_logreg_dp: labels must be a column with one entry per row");
  }
  const Eigen::Index steps =
      static_cast<Eigen::Index>(config.epochs) * batches_per_epoch(x.rows(), config);
  Shared noise = party_gaussian_noise(protocol, steps, x.cols(),
                                      noise_stddev_per_party(protocol, dp), config.fp);
  Shared thresholds = clip_thresholds(protocol, x, dp, config.fp);
  const IntMatrix zero = IntMatrix::Zero(x.cols(), 1);
  Shared w = protocol.input(0, protocol.self() == 0 ? &zero : nullptr, x.cols(), 1);
  DpLogRegSgd model(protocol, x, y, config.fp, std::move(w), std::move(thresholds),
                    std::move(noise));
  run_sgd(model, x.rows(), config, progress);
  return model.weights();
}

Eigen::VectorXd train_logreg_dp_plain(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                      const SgdConfig& config, const DpConfig& dp,
                                      std::uint64_t noise_seed) {
  check(dp);
  DpLogRegPlainSgd model(x, y, dp, noise_seed);
  run_sgd(model, x.rows(), config);
  return model.weights();
}

}  // namespace jointly::ml
