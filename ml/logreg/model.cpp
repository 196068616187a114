#include "ml/logreg/model.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/bounded_read.h"
#include "ml/data/csv.h"
#include "ml/logreg/logreg.h"

namespace jointly::ml {
namespace {

// A logistic regression model is one weight, mean and deviation per feature: kilobytes.
constexpr std::uintmax_t kMaxModelFileBytes = std::uintmax_t{64} << 20;  // 64 MiB

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }
std::vector<double> to_vector(const Eigen::RowVectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

}  // namespace

Eigen::VectorXd LogRegModel::predict(const Eigen::MatrixXd& features) const {
  const Eigen::VectorXd score = with_bias(standardizer.apply(features)) * weights;
  return score.unaryExpr([](double s) { return 1.0 / (1.0 + std::exp(-s)); });
}

void save_model(const std::filesystem::path& path, const LogRegModel& model,
                const std::string& trained_with, const nlohmann::json& privacy) {
  nlohmann::json j;
  j["format"] = "jointly-logreg-1";
  j["trained_with"] = trained_with;
  j["features"] = model.feature_names;
  j["weights"] = to_vector(Eigen::VectorXd(model.weights.head(model.weights.size() - 1)));
  j["bias"] = model.weights(model.weights.size() - 1);
  j["standardisation"] = {{"mean", to_vector(model.standardizer.mean)},
                          {"stddev", to_vector(model.standardizer.stddev)}};
  j["encoding"] = {{"frac_bits", model.fp.frac_bits}, {"int_bits", model.fp.int_bits}};
  if (!privacy.is_null()) j["differential_privacy"] = privacy;
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    if (!out) throw DataError(tmp + ": cannot write the model");
  }
  std::filesystem::rename(tmp, path);  // never a half-written model under the real name
}

LogRegModel load_model(const std::filesystem::path& path) {
  std::string text;
  try {
    text = io::read_bounded(path, {.max_bytes = kMaxModelFileBytes, .what = "a model file"});
  } catch (const io::FileError& e) {
    throw DataError(e.what());
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
    if (j.at("format") != "jointly-logreg-1")
      throw DataError(path.string() + ": not a jointly logistic regression model");
    LogRegModel m;
    m.feature_names = j.at("features").get<std::vector<std::string>>();
    const auto w = j.at("weights").get<std::vector<double>>();
    const auto mean = j.at("standardisation").at("mean").get<std::vector<double>>();
    const auto sd = j.at("standardisation").at("stddev").get<std::vector<double>>();
    const std::size_t d = m.feature_names.size();
    if (w.size() != d || mean.size() != d || sd.size() != d) {
      throw DataError(path.string() +
                      ": weights and standardisation must have one entry per feature");
    }
    m.weights.resize(static_cast<Eigen::Index>(d + 1));
    for (std::size_t i = 0; i < d; ++i) m.weights(static_cast<Eigen::Index>(i)) = w[i];
    m.weights(static_cast<Eigen::Index>(d)) = j.at("bias").get<double>();
    m.standardizer.mean =
        Eigen::Map<const Eigen::RowVectorXd>(mean.data(), static_cast<Eigen::Index>(d));
    m.standardizer.stddev =
        Eigen::Map<const Eigen::RowVectorXd>(sd.data(), static_cast<Eigen::Index>(d));
    m.fp.frac_bits = j.at("encoding").at("frac_bits").get<int>();
    m.fp.int_bits = j.at("encoding").at("int_bits").get<int>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path.string() + ": malformed model: " + e.what());
  }
}

}  // namespace jointly::ml
