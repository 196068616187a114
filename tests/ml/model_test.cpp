// ml/logreg/model: the receivers' JSON model file.
#include "ml/logreg/model.h"
#include "ml/mlp/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ml/data/csv.h"
#include "ml/logreg/logreg.h"
#include "temp_dir.h"

namespace jointly::ml {
namespace {

using jointly::testing::TempDir;
using ::testing::HasSubstr;

LogRegModel trained_model(const Table& train) {
  const Standardizer s = Standardizer::fit(train.features);
  SgdConfig sgd;
  sgd.epochs = 2;
  LogRegModel m;
  m.feature_names = train.feature_names;
  m.weights = train_logreg_plain(with_bias(s.apply(train.features)), train.labels, sgd);
  m.standardizer = s;
  m.fp = sgd.fp;
  return m;
}

TEST(ModelTest, SaveLoadRoundTrip) {
  TempDir dir;
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const LogRegModel m = trained_model(train);
  const auto path = dir.path() / "model.json";
  save_model(path, m, "additive/3");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));

  const LogRegModel back = load_model(path);
  EXPECT_EQ(back.feature_names, m.feature_names);
  ASSERT_EQ(back.weights.size(), m.weights.size());
  EXPECT_EQ(back.weights, m.weights);  // doubles survive the JSON text exactly
  EXPECT_EQ(back.standardizer.mean, m.standardizer.mean);
  EXPECT_EQ(back.standardizer.stddev, m.standardizer.stddev);
  EXPECT_EQ(back.fp.frac_bits, m.fp.frac_bits);
  EXPECT_EQ(back.fp.int_bits, m.fp.int_bits);

  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("trained_with"), "additive/3");
  EXPECT_EQ(j.at("weights").size(), m.feature_names.size());
  EXPECT_EQ(j.at("bias").get<double>(), m.weights(m.weights.size() - 1));
}

TEST(ModelTest, PredictAgreesWithAccuracy) {
  const Table train = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const Table test = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_test.csv", "label");
  const LogRegModel m = trained_model(train);
  const Eigen::VectorXd prob = m.predict(test.features);
  ASSERT_EQ(prob.size(), test.rows());
  Eigen::Index right = 0;
  for (Eigen::Index i = 0; i < prob.size(); ++i) {
    EXPECT_GE(prob(i), 0);
    EXPECT_LE(prob(i), 1);
    right += (prob(i) >= 0.5) == (test.labels(i) >= 0.5);
  }
  const double expected =
      accuracy(with_bias(m.standardizer.apply(test.features)), test.labels, m.weights);
  EXPECT_DOUBLE_EQ(static_cast<double>(right) / static_cast<double>(test.rows()), expected);
  EXPECT_GT(expected, 0.9);
}

TEST(ModelTest, MalformedModelIsADataErrorNamingTheFile) {
  TempDir dir;
  const std::string valid =
      R"({"format": "jointly-logreg-1", "trained_with": "x", "features": ["a", "b"],
          "weights": [1, 2], "bias": 0.5,
          "standardisation": {"mean": [0, 0], "stddev": [1, 1]},
          "encoding": {"frac_bits": 16, "int_bits": 30}})";
  EXPECT_NO_THROW(load_model(dir.write("valid.json", valid)));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not-json.json", "{ this is not json"},
      {"empty.json", ""},
      {"wrong-format.json", R"({"format": "something-else"})"},
      {"array.json", "[1, 2, 3]"},
      {"missing-bias.json",
       R"({"format": "jointly-logreg-1", "features": ["a"], "weights": [1],
           "standardisation": {"mean": [0], "stddev": [1]},
           "encoding": {"frac_bits": 16, "int_bits": 30}})"},
      {"wrong-type.json",
       R"({"format": "jointly-logreg-1", "features": ["a"], "weights": ["one"], "bias": 0,
           "standardisation": {"mean": [0], "stddev": [1]},
           "encoding": {"frac_bits": 16, "int_bits": 30}})"},
      {"wrong-size.json",
       R"({"format": "jointly-logreg-1", "features": ["a", "b"], "weights": [1], "bias": 0,
           "standardisation": {"mean": [0, 0], "stddev": [1, 1]},
           "encoding": {"frac_bits": 16, "int_bits": 30}})"},
  };
  for (const auto& [name, text] : cases) {
    const auto path = dir.write(name, text);
    try {
      load_model(path);
      ADD_FAILURE() << name << ": no DataError";
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path.string())) << name;
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": not a DataError: " << e.what();
    }
  }
  const auto missing = dir.path() / "missing.json";
  try {
    load_model(missing);
    ADD_FAILURE() << "no DataError for a missing file";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(missing.string()));
  }
}

// The MLP's file (format "jointly-mlp-1"): what is saved is read back exactly, the probabilities
// are a distribution per row, and a file whose shapes disagree is refused naming the file.
TEST(MlpModelTest, SaveLoadRoundTripAndProbabilities) {
  jointly::testing::TempDir dir;
  MlpConfig config;
  config.layers = {3, 4, 2};
  MlpModel model;
  model.feature_names = {"a", "b", "c"};
  model.params = mlp_init(config);
  model.params.biases[1](1) = 0.25;
  model.standardizer.mean = Eigen::RowVectorXd::LinSpaced(3, 1, 3);
  model.standardizer.stddev = Eigen::RowVectorXd::Constant(3, 2.0);
  const auto path = dir.path() / "mlp.json";
  save_mlp_model(path, model, "replicated/3");
  EXPECT_EQ(model_format(path), kMlpModelFormat);
  const MlpModel back = load_mlp_model(path);
  EXPECT_EQ(back.feature_names, model.feature_names);
  EXPECT_EQ(back.layers(), (std::vector<int>{3, 4, 2}));
  EXPECT_EQ(max_abs_diff(back.params, model.params), 0.0);
  EXPECT_EQ(back.standardizer.mean, model.standardizer.mean);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(5, 3);
  const Eigen::MatrixXd p = back.probabilities(x);
  ASSERT_EQ(p.rows(), 5);
  ASSERT_EQ(p.cols(), 2);
  for (Eigen::Index i = 0; i < 5; ++i) EXPECT_NEAR(p.row(i).sum(), 1.0, 1e-12);
  EXPECT_EQ(p, mlp_probabilities(model.params, model.standardizer.apply(x)));

  // One weight row too few for 'layers'.
  nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
  j["parameters"][0]["weights"].erase(0);
  std::ofstream(path) << j.dump();
  try {
    load_mlp_model(path);
    ADD_FAILURE() << "a model with inconsistent shapes loaded";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path.string() + ": layer 1's parameters"));
  }
  // A logistic regression file is not an MLP.
  std::ofstream(path) << R"({"format": "jointly-logreg-1"})";
  EXPECT_EQ(model_format(path), "jointly-logreg-1");
  EXPECT_THROW(load_mlp_model(path), DataError);
}

}  // namespace
}  // namespace jointly::ml
