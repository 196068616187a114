#include "ml/mlp/mlp.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "circuits/activations/relu.h"
#include "circuits/activations/softmax.h"
#include "protocols/prg.h"

namespace jointly::ml {
namespace {

void check_layers(const MlpConfig& config) {
  if (config.layers.size() < 2) throw std::invalid_argument("mlp: need at least two layer sizes");
  for (int d : config.layers) {
    if (d <= 0) throw std::invalid_argument("mlp: layer sizes must be positive");
  }
}

std::size_t depth(const MlpConfig& config) { return config.layers.size() - 1; }

void check_shares(const MlpConfig& config, const Shared& x, const Shared& y_onehot) {
  check_layers(config);
  if (x.cols() != config.layers.front() || y_onehot.cols() != config.layers.back() ||
      y_onehot.rows() != x.rows()) {
    throw std::invalid_argument("train_mlp: x must be N x " +
                                std::to_string(config.layers.front()) + " and y N x " +
                                std::to_string(config.layers.back()));
  }
}

// A shared column of fixed-point ones (the bias input), made locally from any share.
Shared ones_column(Protocol& protocol, const Shared& like, const FixedPoint& fp) {
  const Index rows = like.rows();
  return protocol.add_public(protocol.scale(like.block(0, 0, rows, 1), 0),
                             IntMatrix::Constant(rows, 1, std::int64_t{1} << fp.frac_bits));
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& z) {
  Eigen::MatrixXd p = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
  p.array().colwise() /= p.rowwise().sum().array();
  return p;
}

Eigen::MatrixXd gather(const Eigen::MatrixXd& m, const std::vector<Eigen::Index>& rows) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}

// The gradient with respect to every parameter, the output error scaled by `dz_scale` (1 for
// the summed loss, 1/N for the mean).
MlpPlain backprop(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                  double dz_scale) {
  const MlpPass pass = mlp_pass(model, x, y);
  MlpPlain grad;
  for (std::size_t l = 0; l < pass.dz.size(); ++l) {
    grad.weights.push_back(dz_scale * pass.a[l].transpose() * pass.dz[l]);
    grad.biases.push_back(dz_scale * pass.dz[l].colwise().sum());
  }
  return grad;
}

}  // namespace

MlpPass mlp_pass(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  const std::size_t layers = model.weights.size();
  MlpPass pass;
  pass.a.push_back(x);
  std::vector<Eigen::MatrixXd> z;
  for (std::size_t l = 0; l < layers; ++l) {
    z.push_back((pass.a.back() * model.weights[l]).rowwise() + model.biases[l]);
    if (l + 1 < layers) pass.a.push_back(z.back().cwiseMax(0.0));
  }
  pass.dz.resize(layers);
  pass.dz[layers - 1] = softmax_rows(z.back()) - y;
  for (std::size_t l = layers - 1; l > 0; --l) {
    // relu'(0) = 1, as circuits::relu's derivative.
    pass.dz[l - 1] = (pass.dz[l] * model.weights[l].transpose()).array() *
                     (z[l - 1].array() >= 0.0).cast<double>();
  }
  return pass;
}

MlpPlain mlp_init(const MlpConfig& config) {
  check_layers(config);
  Prg prg(derive_seed(seed_from_u64(config.init_seed), "mlp.init"));
  MlpPlain model;
  for (std::size_t l = 0; l < depth(config); ++l) {
    const int in = config.layers[l], out = config.layers[l + 1];
    const bool last = l + 1 == depth(config);
    const double bound = last ? std::sqrt(6.0 / (in + out)) : std::sqrt(6.0 / in);
    Eigen::MatrixXd w(in, out);
    for (Eigen::Index i = 0; i < in; ++i) {
      for (Eigen::Index j = 0; j < out; ++j) {
        const double u = std::ldexp(static_cast<double>(prg.next() >> 11), -53);  // [0, 1)
        w(i, j) = (2 * u - 1) * bound;
      }
    }
    model.weights.push_back(std::move(w));
    model.biases.push_back(Eigen::RowVectorXd::Zero(out));
  }
  return model;
}

MlpShares input_mlp(Protocol& protocol, const MlpPlain& model, const FixedPoint& fp,
                    net::PartyId owner) {
  MlpShares shares;
  for (std::size_t l = 0; l < model.weights.size(); ++l) {
    const Eigen::Index in = model.weights[l].rows(), out = model.weights[l].cols();
    Eigen::MatrixXd stacked(in + 1, out);
    stacked << model.weights[l], model.biases[l];
    const IntMatrix encoded = fp.encode(stacked, "initial weights");
    const Shared w =
        protocol.input(owner, protocol.self() == owner ? &encoded : nullptr, in + 1, out);
    shares.weights.push_back(w.middle_rows(0, in));
    shares.biases.push_back(w.middle_rows(in, 1));
  }
  return shares;
}

MlpSgd::MlpSgd(Protocol& protocol, const Shared& x, const Shared& y_onehot, const MlpConfig& config,
               const MlpShares& start)
    : protocol_(protocol), x_(x), y_(y_onehot), fp_(config.sgd.fp) {
  check_shares(config, x, y_onehot);
  if (start.weights.size() != depth(config) || start.biases.size() != depth(config)) {
    throw std::invalid_argument("MlpSgd: the shares have " + std::to_string(start.weights.size()) +
                                " layers, the config " + std::to_string(depth(config)));
  }
  for (std::size_t l = 0; l < depth(config); ++l) {
    in_.push_back(config.layers[l]);
    w_.push_back(Shared::vstack({start.weights[l], start.biases[l]}));
    if (w_.back().rows() != config.layers[l] + 1 || w_.back().cols() != config.layers[l + 1]) {
      throw std::invalid_argument("MlpSgd: layer " + std::to_string(l) +
                                  " shares do not match the config");
    }
  }
}

MlpForward mlp_forward(Protocol& protocol, const std::vector<Shared>& w, const Shared& x_batch,
                       const FixedPoint& fp) {
  const std::size_t layers = w.size();
  MlpForward out;
  out.inputs.resize(layers);
  out.derivatives.resize(layers);
  Shared a = x_batch;
  const Shared ones = ones_column(protocol, a, fp);
  for (std::size_t l = 0; l < layers; ++l) {
    out.inputs[l] = Shared::hstack({a, ones});
    const Shared z = protocol.trunc(protocol.matmul(out.inputs[l], w[l]), fp.frac_bits);
    if (l + 1 < layers) {
      a = circuits::relu(protocol, z, &out.derivatives[l]);
    } else {
      out.probabilities = circuits::softmax_rows(protocol, z, fp);
    }
  }
  return out;
}

void MlpSgd::step(const SgdStep& step) {
  const int f = fp_.frac_bits;
  const std::size_t layers = w_.size();
  const MlpForward forward = mlp_forward(protocol_, w_, x_.gather_rows(step.rows), fp_);
  const std::vector<Shared>& inputs = forward.inputs;

  // Backward, updating each layer once its weights have been used.
  Shared dz = protocol_.sub(forward.probabilities, y_.gather_rows(step.rows));
  if (track_error_) {
    // sum over the batch of (p - y)^2: local sums of one product, kept at 2f bits.
    const Shared squared = protocol_.mul(dz, dz);
    const Shared total = protocol_.matmul_public(
        protocol_.matmul_public(IntMatrix::Ones(1, squared.rows()), squared),
        IntMatrix::Ones(squared.cols(), 1));
    error_ = error_.size() == 0 ? total : protocol_.add(error_, total);
  }
  for (std::size_t l = layers; l-- > 0;) {
    Shared g;
    if (l > 0) {
      // G_lᵀ and dA_l both have d_l + 1 columns: one truncation for the two.
      const Shared gt = protocol_.matmul(dz.transpose(), inputs[l]);  // d_{l+1} x (d_l+1)
      const Shared da = protocol_.matmul(dz, w_[l].transpose());      // B x (d_l+1)
      const Shared both = protocol_.trunc(Shared::vstack({gt, da}), f);
      g = both.middle_rows(0, gt.rows()).transpose();
      const Shared da_t = both.block(gt.rows(), 0, da.rows(), da.cols() - 1);
      dz = protocol_.mul(da_t, forward.derivatives[l - 1]);  // 0/1 integer factor: exact
    } else {
      g = protocol_.trunc(protocol_.matmul(inputs[l].transpose(), dz), f);
    }
    w_[l] = protocol_.sub(
        w_[l], protocol_.trunc(protocol_.scale(g, step.encoded.factor), step.encoded.shift));
  }
}

MlpShares MlpSgd::shares() const {
  MlpShares result;
  for (std::size_t l = 0; l < w_.size(); ++l) {
    result.weights.push_back(w_[l].middle_rows(0, in_[l]));
    result.biases.push_back(w_[l].middle_rows(in_[l], 1));
  }
  return result;
}

Shared MlpSgd::take_squared_error() {
  if (error_.size() == 0)
    throw std::logic_error("MlpSgd: no step tracked its squared error since the last take");
  Shared total = std::move(error_);
  error_ = Shared();
  return total;
}

Index mlp_parameters(const std::vector<int>& layers) {
  Index total = 0;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l)
    total += Index{layers[l] + 1} * Index{layers[l + 1]};
  return total;
}

Shared flatten_mlp(const MlpShares& model) {
  std::vector<Shared> columns;
  for (std::size_t l = 0; l < model.weights.size(); ++l) {
    const Shared w = Shared::vstack({model.weights[l], model.biases[l]});
    columns.push_back(w.reshaped(w.size(), 1));
  }
  return Shared::vstack(columns);
}

MlpShares unflatten_mlp(const Shared& flat, const std::vector<int>& layers) {
  if (layers.size() < 2 || flat.cols() != 1 || flat.rows() != mlp_parameters(layers)) {
    throw std::invalid_argument("unflatten_mlp: " + std::to_string(flat.size()) +
                                " parameters do not fit the layer sizes");
  }
  MlpShares model;
  Index at = 0;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    const Index in = layers[l], out = layers[l + 1], count = (in + 1) * out;
    const Shared w = flat.middle_rows(at, count).reshaped(in + 1, out);
    model.weights.push_back(w.middle_rows(0, in));
    model.biases.push_back(w.middle_rows(in, 1));
    at += count;
  }
  return model;
}

MlpShares train_mlp(Protocol& protocol, const Shared& x, const Shared& y_onehot,
                    const MlpConfig& config, const ProgressFn& progress) {
  check_shares(config, x, y_onehot);
  // The initial weights are public; party 0 enters them.
  MlpSgd model(protocol, x, y_onehot, config, input_mlp(protocol, mlp_init(config), config.sgd.fp));
  run_sgd(model, x.rows(), config.sgd, progress);
  return model.shares();
}

namespace {

// The same step in doubles.
class MlpPlainSgd final : public SgdModel {
 public:
  MlpPlainSgd(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, MlpPlain start)
      : x_(x), y_(y), model_(std::move(start)) {}

  StepRule step_rule() const override { return StepRule::kPlain; }

  void step(const SgdStep& step) override {
    if (track_error_) {
      const Eigen::MatrixXd p = softmax_rows(mlp_logits(model_, gather(x_, step.rows)));
      error_ += (p - gather(y_, step.rows)).squaredNorm();
    }
    const MlpPlain g = backprop(model_, gather(x_, step.rows), gather(y_, step.rows), 1.0);
    for (std::size_t l = 0; l < model_.weights.size(); ++l) {
      model_.weights[l] -= step.lr * g.weights[l];
      model_.biases[l] -= step.lr * g.biases[l];
    }
  }

  const MlpPlain& model() const { return model_; }
  void track_squared_error() { track_error_ = true; }
  double take_squared_error() { return std::exchange(error_, 0.0); }

 private:
  const Eigen::MatrixXd& x_;
  const Eigen::MatrixXd& y_;
  MlpPlain model_;
  bool track_error_ = false;
  double error_ = 0;
};

}  // namespace

MlpPlain train_mlp_plain(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                         const MlpConfig& config, const ProgressFn& progress,
                         std::vector<double>* epoch_errors) {
  check_layers(config);
  if (x.cols() != config.layers.front() || static_cast<Eigen::Index>(labels.size()) != x.rows()) {
    throw std::invalid_argument("train_mlp_plain: x must be N x " +
                                std::to_string(config.layers.front()) + " with N labels");
  }
  const Eigen::MatrixXd y = one_hot(labels, config.layers.back());
  MlpPlainSgd model(x, y, mlp_init(config));
  EpochEndFn epoch_end;
  if (epoch_errors != nullptr) {
    model.track_squared_error();
    epoch_end = [&](int) {
      epoch_errors->push_back(model.take_squared_error() / static_cast<double>(x.rows()));
    };
  }
  run_sgd(model, x.rows(), config.sgd, progress, 0, epoch_end);
  return model.model();
}

namespace {

MlpPlain decode(const std::vector<IntMatrix>& stacked, const FixedPoint& fp) {
  MlpPlain model;
  for (const IntMatrix& m : stacked) {
    const Eigen::MatrixXd d = fp.decode(m);
    model.weights.push_back(d.topRows(d.rows() - 1));
    model.biases.push_back(d.bottomRows(1));
  }
  return model;
}

}  // namespace

MlpPlain open_mlp(Protocol& protocol, const MlpShares& model, const FixedPoint& fp) {
  std::vector<IntMatrix> opened;
  for (std::size_t l = 0; l < model.weights.size(); ++l) {
    opened.push_back(protocol.open(Shared::vstack({model.weights[l], model.biases[l]})));
  }
  return decode(opened, fp);
}

std::optional<MlpPlain> open_mlp_to(Protocol& protocol, net::PartyId receiver,
                                    const MlpShares& model, const FixedPoint& fp) {
  std::vector<IntMatrix> opened;
  for (std::size_t l = 0; l < model.weights.size(); ++l) {
    auto m = protocol.open_to(receiver, Shared::vstack({model.weights[l], model.biases[l]}));
    if (m) opened.push_back(std::move(*m));
  }
  if (protocol.self() != receiver) return std::nullopt;
  return decode(opened, fp);
}

Eigen::MatrixXd one_hot(const std::vector<int>& labels, int classes) {
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(labels.size()), classes);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw std::invalid_argument("one_hot: label " + std::to_string(labels[i]) + " at row " +
                                  std::to_string(i) + " is outside [0, " + std::to_string(classes) +
                                  ")");
    }
    y(static_cast<Eigen::Index>(i), labels[i]) = 1.0;
  }
  return y;
}

Eigen::MatrixXd mlp_logits(const MlpPlain& model, const Eigen::MatrixXd& x) {
  Eigen::MatrixXd a = x;
  for (std::size_t l = 0; l < model.weights.size(); ++l) {
    Eigen::MatrixXd z = (a * model.weights[l]).rowwise() + model.biases[l];
    a = l + 1 < model.weights.size() ? Eigen::MatrixXd(z.cwiseMax(0.0)) : z;
  }
  return a;
}

std::vector<int> mlp_predict(const MlpPlain& model, const Eigen::MatrixXd& x) {
  const Eigen::MatrixXd logits = mlp_logits(model, x);
  std::vector<int> out(static_cast<std::size_t>(logits.rows()));
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    Eigen::Index best = 0;
    logits.row(i).maxCoeff(&best);
    out[static_cast<std::size_t>(i)] = static_cast<int>(best);
  }
  return out;
}

double mlp_accuracy(const MlpPlain& model, const Eigen::MatrixXd& x,
                    const std::vector<int>& labels) {
  if (static_cast<Eigen::Index>(labels.size()) != x.rows() || labels.empty()) {
    throw std::invalid_argument("mlp_accuracy: need one label per row");
  }
  const std::vector<int> predicted = mlp_predict(model, x);
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) right += predicted[i] == labels[i];
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

Eigen::MatrixXd mlp_probabilities(const MlpPlain& model, const Eigen::MatrixXd& x) {
  return softmax_rows(mlp_logits(model, x));
}

double mlp_squared_error(const MlpPlain& model, const Eigen::MatrixXd& x,
                         const Eigen::MatrixXd& y_onehot) {
  return (mlp_probabilities(model, x) - y_onehot).squaredNorm() / static_cast<double>(x.rows());
}

double mlp_loss(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y_onehot) {
  const Eigen::MatrixXd z = mlp_logits(model, x);
  const Eigen::VectorXd max = z.rowwise().maxCoeff();
  const Eigen::VectorXd log_sum =
      (z.colwise() - max).array().exp().rowwise().sum().log().matrix() + max;
  // -sum_j y_j (z_j - logsumexp(z)), averaged over rows.
  const double total = -((z.colwise() - log_sum).array() * y_onehot.array()).sum();
  return total / static_cast<double>(x.rows());
}

MlpPlain mlp_gradient(const MlpPlain& model, const Eigen::MatrixXd& x,
                      const Eigen::MatrixXd& y_onehot) {
  return backprop(model, x, y_onehot, 1.0 / static_cast<double>(x.rows()));
}

double max_abs_diff(const MlpPlain& a, const MlpPlain& b) {
  if (a.weights.size() != b.weights.size()) throw std::invalid_argument("max_abs_diff: depth");
  double worst = 0;
  for (std::size_t l = 0; l < a.weights.size(); ++l) {
    if (a.weights[l].rows() != b.weights[l].rows() || a.weights[l].cols() != b.weights[l].cols()) {
      throw std::invalid_argument("max_abs_diff: shapes differ");
    }
    worst = std::max(worst, (a.weights[l] - b.weights[l]).cwiseAbs().maxCoeff());
    worst = std::max(worst, (a.biases[l] - b.biases[l]).cwiseAbs().maxCoeff());
  }
  return worst;
}

}  // namespace jointly::ml
