#include "ml/mlp/dp_mlp.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace jointly::ml {
namespace {

void check(const MlpConfig& config, const DpConfig& dp, Index x_cols, Index y_cols) {
  if (config.layers.size() < 2) throw std::invalid_argument("DP-SGD: the MLP needs two layers");
  if (x_cols != config.layers.front() || y_cols != config.layers.back()) {
    throw std::invalid_argument("DP-SGD: x must have " + std::to_string(config.layers.front()) +
                                " columns and y " + std::to_string(config.layers.back()));
  }
  if (!(dp.noise >= 0) || std::isinf(dp.noise)) {
    throw std::invalid_argument("DP-SGD: noise multiplier must be >= 0, got " +
                                std::to_string(dp.noise));
  }
  check_clip_norm(dp.clip);
}

// This step's noise, P x 1 (every parameter, layer by layer as flatten_mlp orders them): the
// parties input it in chunks of steps, at most kChunkValues values each, as needed.
class NoiseStream {
 public:
  static constexpr Index kChunkValues = Index{1} << 21;

  NoiseStream(Protocol& protocol, Index params, Index steps, double stddev, const FixedPoint& fp)
      : protocol_(protocol), params_(params), left_(steps), stddev_(stddev), fp_(fp) {}

  Shared next() {
    if (used_ == chunk_.cols()) {
      if (left_ <= 0) throw std::logic_error("DP-SGD: more steps than the noise was planned for");
      const Index steps = std::min(left_, std::max<Index>(1, kChunkValues / params_));
      chunk_ = party_gaussian_noise(protocol_, params_, steps, stddev_, fp_);
      left_ -= steps;
      used_ = 0;
    }
    return chunk_.block(0, used_++, params_, 1);
  }

 private:
  Protocol& protocol_;
  const Index params_;
  Index left_;
  const double stddev_;
  const FixedPoint fp_;
  Shared chunk_;
  Index used_ = 0;
};

IntMatrix ones(Index rows, Index cols) { return IntMatrix::Ones(rows, cols); }

class DpMlpSgd final : public SgdModel {
 public:
  DpMlpSgd(Protocol& protocol, const Shared& x, const Shared& y, const MlpConfig& config,
           const DpConfig& dp, const MlpShares& start, Index steps)
      : protocol_(protocol),
        x_(x),
        y_(y),
        fp_(config.sgd.fp),
        dp_(dp),
        noise_(protocol, mlp_parameters(config.layers), steps, noise_stddev_per_party(protocol, dp),
               config.sgd.fp) {
    for (std::size_t l = 0; l < start.weights.size(); ++l) {
      in_.push_back(start.weights[l].rows());
      w_.push_back(Shared::vstack({start.weights[l], start.biases[l]}));
    }
  }

  StepRule step_rule() const override { return StepRule::kWidened; }

  void step(const SgdStep& step) override {
    const int f = fp_.frac_bits, F = clip_frac_bits(fp_);
    const std::size_t layers = w_.size();
    const MlpForward forward = mlp_forward(protocol_, w_, x_.gather_rows(step.rows), fp_);
    const Index b = forward.probabilities.rows();

    // Every layer's output error, top down (the weights before this step's update).
    std::vector<Shared> dz(layers);
    dz[layers - 1] = protocol_.sub(forward.probabilities, y_.gather_rows(step.rows));
    for (std::size_t l = layers - 1; l > 0; --l) {
      const Shared da =
          protocol_.trunc(protocol_.matmul(dz[l], w_[l].middle_rows(0, in_[l]).transpose()), f);
      dz[l - 1] = protocol_.mul(da, forward.derivatives[l - 1]);  // 0/1 factor: exact
    }

    // Squared norms ‖dz_l‖² and ‖[a_l 1]‖² of every example: one product, local row sums
    // (exact at 2f bits), one truncation.
    std::vector<Shared> parts = dz;
    parts.insert(parts.end(), forward.inputs.begin(), forward.inputs.end());
    const Shared all = Shared::hstack(parts);
    IntMatrix sums_of = IntMatrix::Zero(all.cols(), static_cast<Index>(2 * layers));
    Index at = 0;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      sums_of.block(at, static_cast<Index>(j), parts[j].cols(), 1).setOnes();
      at += parts[j].cols();
    }
    const Shared sums =
        protocol_.trunc(protocol_.matmul_public(protocol_.mul(all, all), sums_of), f);
    const auto L = static_cast<Index>(layers);
    // n_i = Σ_l (‖dz‖² + ulp)(‖[a 1]‖² + ulp) + L ulps >= the exact squared norm.
    const Shared product =
        protocol_.trunc(protocol_.mul(protocol_.add_public(sums.block(0, 0, b, L), ones(b, L)),
                                      protocol_.add_public(sums.block(0, L, b, L), ones(b, L))),
                        f);
    const Shared norm_sq =
        protocol_.add_public(protocol_.matmul_public(product, ones(L, 1)), ones(b, 1) * L);
    const Shared s = clip_factors(protocol_, norm_sq, dp_.clip, fp_);  // F bits

    // s ∘ dz_l for every layer in one product, kept at F bits.
    std::vector<Shared> factors;
    for (const Shared& d : dz) factors.push_back(protocol_.matmul_public(s, ones(1, d.cols())));
    const Shared scaled =
        protocol_.trunc(protocol_.mul(Shared::hstack(dz), Shared::hstack(factors)), f);

    // G_l = [A_l 1]ᵀ·(s ∘ dz_l) at f + F bits, the noise added at that scale, all layers
    // flattened (as flatten_mlp) and truncated once: the rounding follows the noise.
    const Shared noise = protocol_.scale(noise_.next(), std::int64_t{1} << F);
    std::vector<Shared> gradients;
    at = 0;
    Index column = 0;
    for (std::size_t l = 0; l < layers; ++l) {
      const Shared scaled_dz = scaled.block(0, column, b, dz[l].cols());
      column += dz[l].cols();
      const Shared g = protocol_.matmul(forward.inputs[l].transpose(), scaled_dz);
      gradients.push_back(protocol_.add(g.reshaped(g.size(), 1), noise.middle_rows(at, g.size())));
      at += g.size();
    }
    const Shared g = protocol_.trunc(Shared::vstack(gradients), F);
    const Shared update =
        protocol_.trunc(protocol_.scale(g, step.encoded.factor), step.encoded.shift);
    at = 0;
    for (std::size_t l = 0; l < layers; ++l) {
      const Index size = w_[l].size();
      w_[l] =
          protocol_.sub(w_[l], update.middle_rows(at, size).reshaped(w_[l].rows(), w_[l].cols()));
      at += size;
    }
  }

  MlpShares shares() const {
    MlpShares result;
    for (std::size_t l = 0; l < w_.size(); ++l) {
      result.weights.push_back(w_[l].middle_rows(0, in_[l]));
      result.biases.push_back(w_[l].middle_rows(in_[l], 1));
    }
    return result;
  }

 private:
  Protocol& protocol_;
  const Shared& x_;
  const Shared& y_;
  const FixedPoint fp_;
  const DpConfig dp_;
  NoiseStream noise_;
  std::vector<Index> in_;
  std::vector<Shared> w_;  // [weights; bias] per layer
};

class DpMlpPlainSgd final : public SgdModel {
 public:
  DpMlpPlainSgd(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const DpConfig& dp,
                MlpPlain start, std::uint64_t seed)
      : x_(x), y_(y), dp_(dp), model_(std::move(start)), rng_(seed) {}

  StepRule step_rule() const override { return StepRule::kPlain; }

  void step(const SgdStep& step) override {
    Eigen::MatrixXd xb(static_cast<Index>(step.rows.size()), x_.cols());
    Eigen::MatrixXd yb(xb.rows(), y_.cols());
    for (std::size_t i = 0; i < step.rows.size(); ++i) {
      xb.row(static_cast<Index>(i)) = x_.row(step.rows[i]);
      yb.row(static_cast<Index>(i)) = y_.row(step.rows[i]);
    }
    const MlpPass pass = mlp_pass(model_, xb, yb);
    const double clip = dp_.clip;
    const Eigen::VectorXd s = mlp_gradient_norms(pass).unaryExpr(
        [clip](double norm) { return norm > clip ? clip / norm : 1.0; });
    std::normal_distribution<double> normal(0.0, dp_.noise * dp_.clip);
    const auto noisy = [&](Eigen::MatrixXd g) {
      for (Index k = 0; k < g.size(); ++k) g.data()[k] += normal(rng_);
      return g;
    };
    for (std::size_t l = 0; l < pass.dz.size(); ++l) {
      const Eigen::MatrixXd scaled = s.asDiagonal() * pass.dz[l];
      model_.weights[l] -= step.lr * noisy(pass.a[l].transpose() * scaled);
      model_.biases[l] -= step.lr * noisy(scaled.colwise().sum());
    }
  }

  const MlpPlain& model() const { return model_; }

 private:
  const Eigen::MatrixXd& x_;
  const Eigen::MatrixXd& y_;
  DpConfig dp_;
  MlpPlain model_;
  std::mt19937_64 rng_;
};

}  // namespace

Eigen::VectorXd mlp_gradient_norms(const MlpPass& pass) {
  Eigen::VectorXd norm_sq = Eigen::VectorXd::Zero(pass.a.front().rows());
  for (std::size_t l = 0; l < pass.dz.size(); ++l) {
    norm_sq += (pass.dz[l].rowwise().squaredNorm().array() *
                (pass.a[l].rowwise().squaredNorm().array() + 1.0))
                   .matrix();
  }
  return norm_sq.cwiseSqrt();
}

MlpShares train_mlp_dp(Protocol& protocol, const Shared& x, const Shared& y_onehot,
                       const MlpConfig& config, const DpConfig& dp, const ProgressFn& progress) {
  check(config, dp, x.cols(), y_onehot.cols());
  if (y_onehot.rows() != x.rows()) throw std::invalid_argument("DP-SGD: one label row per row");
  const Index steps =
      static_cast<Index>(config.sgd.epochs) * batches_per_epoch(x.rows(), config.sgd);
  DpMlpSgd model(protocol, x, y_onehot, config, dp,
                 input_mlp(protocol, mlp_init(config), config.sgd.fp), steps);
  run_sgd(model, x.rows(), config.sgd, progress);
  return model.shares();
}

MlpPlain train_mlp_dp_plain(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                            const MlpConfig& config, const DpConfig& dp, std::uint64_t noise_seed) {
  check(config, dp, x.cols(), config.layers.back());
  if (static_cast<Index>(labels.size()) != x.rows()) {
    throw std::invalid_argument("DP-SGD: one label per row");
  }
  const Eigen::MatrixXd y = one_hot(labels, config.layers.back());
  DpMlpPlainSgd model(x, y, dp, mlp_init(config), noise_seed);
  run_sgd(model, x.rows(), config.sgd);
  return model.model();
}

}  // namespace jointly::ml
