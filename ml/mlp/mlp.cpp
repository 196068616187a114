#include "ml/mlp/mlp.h"

#include <cmath>
#include <stdexcept>
#include <string>

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

// The public step lr/B as an integer with `bits` fractional bits: at least 12 significant
// bits (relative error below 2^-12), but no more than needed, so that step·G (G below 2^15
// with f fractional bits) stays below 2^62 and local truncation's failure probability, which
// grows with the magnitude, stays small (docs/fixed-point.md).
struct StepSize {
  std::int64_t value;
  int bits;
};

StepSize step_size(double step, const FixedPoint& fp) {
  const int f = fp.frac_bits;
  const double cap = std::ldexp(1.0, 62 - f - fp.int_bits);
  if (!(step > 0) || std::ldexp(step, f) >= cap) {
    throw std::invalid_argument("mlp: learning rate / batch = " + std::to_string(step) +
                                " is outside the fixed-point range");
  }
  int bits = f;
  while (bits < 2 * f && std::ldexp(step, bits) < 4096.0 && std::ldexp(step, bits + 1) < cap) {
    ++bits;
  }
  const auto value = static_cast<std::int64_t>(std::llround(std::ldexp(step, bits)));
  if (value == 0) {
    throw std::invalid_argument("mlp: learning rate / batch = " + std::to_string(step) +
                                " rounds to zero in fixed point");
  }
  return {value, bits};
}

// A shared column of fixed-point ones (the bias input), made locally from any share.
Shared ones_column(Protocol& protocol, const Shared& like, const FixedPoint& fp) {
  const Index rows = like.rows();
  return protocol.add_public(protocol.scale(like.block(0, 0, rows, 1), 0),
                             IntMatrix::Constant(rows, 1, std::int64_t{1} << fp.frac_bits));
}

void report(const ProgressFn& progress, std::size_t step, int per_epoch, int epochs) {
  if (!progress) return;
  progress({static_cast<int>(step) / per_epoch + 1, epochs, static_cast<int>(step) % per_epoch + 1,
            per_epoch});
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

// Forward and backward pass in doubles; `dz_scale` multiplies the output error (1 for the
// summed loss, 1/N for the mean). Returns the gradient with respect to every parameter.
MlpPlain backprop(const MlpPlain& model, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                  double dz_scale) {
  const std::size_t layers = model.weights.size();
  std::vector<Eigen::MatrixXd> a{x}, z;
  for (std::size_t l = 0; l < layers; ++l) {
    z.push_back((a.back() * model.weights[l]).rowwise() + model.biases[l]);
    if (l + 1 < layers) a.push_back(z.back().cwiseMax(0.0));
  }
  Eigen::MatrixXd dz = (softmax_rows(z.back()) - y) * dz_scale;
  MlpPlain grad;
  grad.weights.resize(layers);
  grad.biases.resize(layers);
  for (std::size_t l = layers; l-- > 0;) {
    grad.weights[l] = a[l].transpose() * dz;
    grad.biases[l] = dz.colwise().sum();
    if (l > 0) {
      const Eigen::MatrixXd da = dz * model.weights[l].transpose();
      // relu'(0) = 1, as circuits::relu's derivative.
      dz = da.array() * (z[l - 1].array() >= 0.0).cast<double>();
    }
  }
  return grad;
}

}  // namespace

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

MlpShares train_mlp(Protocol& protocol, const Shared& x, const Shared& y_onehot,
                    const MlpConfig& config, const ProgressFn& progress) {
  check_layers(config);
  const FixedPoint& fp = config.sgd.fp;
  const int f = fp.frac_bits;
  const std::size_t layers = depth(config);
  if (x.cols() != config.layers.front() || y_onehot.cols() != config.layers.back() ||
      y_onehot.rows() != x.rows()) {
    throw std::invalid_argument("train_mlp: x must be N x " +
                                std::to_string(config.layers.front()) + " and y N x " +
                                std::to_string(config.layers.back()));
  }

  // W[l] = [weights; bias], (d_l + 1) x d_{l+1}: the bias rides on a column of ones.
  const MlpPlain init = mlp_init(config);
  std::vector<Shared> w;
  for (std::size_t l = 0; l < layers; ++l) {
    const Eigen::Index in = config.layers[l], out = config.layers[l + 1];
    Eigen::MatrixXd stacked(in + 1, out);
    stacked << init.weights[l], init.biases[l];
    const IntMatrix encoded = fp.encode(stacked, "initial weights");
    w.push_back(protocol.input(0, protocol.self() == 0 ? &encoded : nullptr, in + 1, out));
  }

  const auto batches = batch_schedule(x.rows(), config.sgd);
  const int per_epoch = static_cast<int>((x.rows() + config.sgd.batch - 1) / config.sgd.batch);
  std::vector<Shared> inputs(layers), derivatives(layers);
  for (std::size_t step = 0; step < batches.size(); ++step) {
    const auto& rows = batches[step];
    const StepSize lr = step_size(config.sgd.learning_rate / static_cast<double>(rows.size()), fp);

    // Forward: inputs[l] = [A_l 1], derivatives[l] = relu'(Z_l) for the hidden layers.
    Shared a = x.gather_rows(rows);
    const Shared ones = ones_column(protocol, a, fp);
    Shared out;
    for (std::size_t l = 0; l < layers; ++l) {
      inputs[l] = Shared::hstack({a, ones});
      const Shared z = protocol.trunc(protocol.matmul(inputs[l], w[l]), f);
      if (l + 1 < layers) {
        a = circuits::relu(protocol, z, &derivatives[l]);
      } else {
        out = circuits::softmax_rows(protocol, z, fp);
      }
    }

    // Backward, updating each layer once its weights have been used.
    Shared dz = protocol.sub(out, y_onehot.gather_rows(rows));
    for (std::size_t l = layers; l-- > 0;) {
      Shared g;
      if (l > 0) {
        // G_lᵀ and dA_l both have d_l + 1 columns: one truncation for the two.
        const Shared gt = protocol.matmul(dz.transpose(), inputs[l]);  // d_{l+1} x (d_l+1)
        const Shared da = protocol.matmul(dz, w[l].transpose());       // B x (d_l+1)
        const Shared both = protocol.trunc(Shared::vstack({gt, da}), f);
        g = both.middle_rows(0, gt.rows()).transpose();
        const Shared da_t = both.block(gt.rows(), 0, da.rows(), da.cols() - 1);
        dz = protocol.mul(da_t, derivatives[l - 1]);  // 0/1 integer factor: exact
      } else {
        g = protocol.trunc(protocol.matmul(inputs[l].transpose(), dz), f);
      }
      w[l] = protocol.sub(w[l], protocol.trunc(protocol.scale(g, lr.value), lr.bits));
    }
    report(progress, step, per_epoch, config.sgd.epochs);
  }

  MlpShares result;
  for (std::size_t l = 0; l < layers; ++l) {
    const Index in = config.layers[l];
    result.weights.push_back(w[l].middle_rows(0, in));
    result.biases.push_back(w[l].middle_rows(in, 1));
  }
  return result;
}

MlpPlain train_mlp_plain(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                         const MlpConfig& config, const ProgressFn& progress) {
  check_layers(config);
  if (x.cols() != config.layers.front() || static_cast<Eigen::Index>(labels.size()) != x.rows()) {
    throw std::invalid_argument("train_mlp_plain: x must be N x " +
                                std::to_string(config.layers.front()) + " with N labels");
  }
  const Eigen::MatrixXd y = one_hot(labels, config.layers.back());
  MlpPlain model = mlp_init(config);
  const auto batches = batch_schedule(x.rows(), config.sgd);
  const int per_epoch = static_cast<int>((x.rows() + config.sgd.batch - 1) / config.sgd.batch);
  for (std::size_t step = 0; step < batches.size(); ++step) {
    const auto& rows = batches[step];
    const MlpPlain g = backprop(model, gather(x, rows), gather(y, rows), 1.0);
    const double lr = config.sgd.learning_rate / static_cast<double>(rows.size());
    for (std::size_t l = 0; l < model.weights.size(); ++l) {
      model.weights[l] -= lr * g.weights[l];
      model.biases[l] -= lr * g.biases[l];
    }
    report(progress, step, per_epoch, config.sgd.epochs);
  }
  return model;
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
