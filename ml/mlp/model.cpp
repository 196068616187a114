#include "ml/mlp/model.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "ml/data/csv.h"

namespace jointly::ml {
namespace {

// The largest model file read back: W5's network (784-128-128-10) is about 4 MB of JSON.
constexpr std::uintmax_t kMaxModelBytes = std::uintmax_t{256} << 20;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw DataError(path.string() + ": cannot read the model (not a regular file)");
  if (std::filesystem::file_size(path, ec) > kMaxModelBytes)
    throw DataError(path.string() + ": larger than any model file jointly writes");
  std::ifstream in(path);
  if (!in) throw DataError(path.string() + ": cannot read the model");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path.string() + ": malformed model: " + e.what());
  }
}

std::vector<double> row_vector(const Eigen::RowVectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

Eigen::RowVectorXd to_row(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::RowVectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

std::vector<int> MlpModel::layers() const {
  std::vector<int> sizes;
  if (params.weights.empty()) return sizes;
  sizes.push_back(static_cast<int>(params.weights.front().rows()));
  for (const auto& w : params.weights) sizes.push_back(static_cast<int>(w.cols()));
  return sizes;
}

Eigen::MatrixXd MlpModel::probabilities(const Eigen::MatrixXd& features) const {
  return mlp_probabilities(params, standardizer.apply(features));
}

void save_mlp_model(const std::filesystem::path& path, const MlpModel& model,
                    const std::string& trained_with, const nlohmann::json& privacy) {
  nlohmann::json j;
  j["format"] = kMlpModelFormat;
  j["trained_with"] = trained_with;
  j["input"] = model.input;
  j["features"] = model.feature_names;
  j["layers"] = model.layers();
  j["activation"] = model.activation;
  j["output"] = "softmax";
  for (std::size_t l = 0; l < model.params.weights.size(); ++l) {
    const Eigen::MatrixXd& w = model.params.weights[l];
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index r = 0; r < w.rows(); ++r) rows.push_back(row_vector(w.row(r)));
    // weights[i][j]: from input i to output j (d_l x d_{l+1}), then one bias per output.
    j["parameters"].push_back({{"weights", rows}, {"bias", row_vector(model.params.biases[l])}});
  }
  j["standardisation"] = {{"mean", row_vector(model.standardizer.mean)},
                          {"stddev", row_vector(model.standardizer.stddev)}};
  j["encoding"] = {{"frac_bits", model.fp.frac_bits}, {"int_bits", model.fp.int_bits}};
  if (!privacy.is_null()) j["differential_privacy"] = privacy;
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(1) << "\n";
    if (!out) throw DataError(tmp + ": cannot write the model");
  }
  std::filesystem::rename(tmp, path);  // never a half-written model under the real name
}

std::string model_format(const std::filesystem::path& path) {
  const nlohmann::json j = read_json(path);
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string())
    throw DataError(path.string() + ": not a jointly model (no \"format\")");
  return j["format"].get<std::string>();
}

MlpModel load_mlp_model(const std::filesystem::path& path) {
  const nlohmann::json j = read_json(path);
  const auto bad = [&](const std::string& what) { return DataError(path.string() + ": " + what); };
  try {
    if (j.at("format") != kMlpModelFormat) throw bad("not a jointly MLP model");
    MlpModel m;
    m.feature_names = j.at("features").get<std::vector<std::string>>();
    m.input = j.at("input").get<std::string>();
    if (m.input != "csv" && m.input != "idx") throw bad("'input' must be \"csv\" or \"idx\"");
    m.activation = j.at("activation").get<std::string>();
    if (m.activation != "relu") throw bad("'activation' must be \"relu\"");
    const auto layers = j.at("layers").get<std::vector<int>>();
    const auto& parameters = j.at("parameters");
    if (layers.size() < 2 || parameters.size() != layers.size() - 1)
      throw bad("'layers' and 'parameters' disagree on the number of layers");
    if (static_cast<std::size_t>(layers.front()) != m.feature_names.size())
      throw bad("the first layer must have one input per feature");
    for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
      const auto rows = parameters[l].at("weights").get<std::vector<std::vector<double>>>();
      const auto bias = parameters[l].at("bias").get<std::vector<double>>();
      const int in = layers[l], out = layers[l + 1];
      if (in < 1 || out < 1 || rows.size() != static_cast<std::size_t>(in) ||
          bias.size() != static_cast<std::size_t>(out))
        throw bad("layer " + std::to_string(l + 1) + "'s parameters do not match 'layers'");
      Eigen::MatrixXd w(in, out);
      for (int r = 0; r < in; ++r) {
        if (rows[static_cast<std::size_t>(r)].size() != static_cast<std::size_t>(out))
          throw bad("layer " + std::to_string(l + 1) + "'s parameters do not match 'layers'");
        w.row(r) = to_row(rows[static_cast<std::size_t>(r)]);
      }
      m.params.weights.push_back(std::move(w));
      m.params.biases.push_back(to_row(bias));
    }
    const auto mean = j.at("standardisation").at("mean").get<std::vector<double>>();
    const auto sd = j.at("standardisation").at("stddev").get<std::vector<double>>();
    if (mean.size() != m.feature_names.size() || sd.size() != m.feature_names.size())
      throw bad("the standardisation must have one entry per feature");
    m.standardizer.mean = to_row(mean);
    m.standardizer.stddev = to_row(sd);
    m.fp.frac_bits = j.at("encoding").at("frac_bits").get<int>();
    m.fp.int_bits = j.at("encoding").at("int_bits").get<int>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw bad(std::string("malformed model: ") + e.what());
  }
}

}  // namespace jointly::ml
