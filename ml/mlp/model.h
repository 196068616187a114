// A trained MLP as the receivers store it (format "jointly-mlp-1"): layer sizes, activation,
// every layer's weights and biases, the input features in order with the joint
// standardisation they expect, and the fixed-point encoding it was trained with. JSON, like the
// logistic regression's file (ml/logreg/model.h), so an analyst can read it without jointly.
// docs/mlp.md describes the file.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ml/data/standardize.h"
#include "ml/mlp/mlp.h"
#include "protocols/fixed_point.h"

namespace jointly::ml {

inline constexpr const char* kMlpModelFormat = "jointly-mlp-1";

struct MlpModel {
  std::vector<std::string> feature_names;
  // "csv": features are a CSV's columns, standardised with `standardizer`; "idx": an IDX
  // image's pixels scaled to [0, 1] (ml/data/idx.h), the standardizer the identity.
  std::string input = "csv";
  std::string activation = "relu";  // of the hidden layers; the output is a softmax
  MlpPlain params;
  Standardizer standardizer;
  FixedPoint fp;

  // d_0 (features), hidden widths, classes.
  std::vector<int> layers() const;
  int classes() const { return layers().back(); }
  // N x classes probabilities for rows of raw (unstandardised) features.
  Eigen::MatrixXd probabilities(const Eigen::MatrixXd& features) const;
};

// Written atomically (a temporary file renamed over `path`). `trained_with` names the protocol
// and triple source (protocol.name(): a simulated dealer says SIMULATION ONLY there).
// `privacy`, when not null, is written as "differential_privacy" (the DP-SGD guarantee).
void save_mlp_model(const std::filesystem::path& path, const MlpModel& model,
                    const std::string& trained_with, const nlohmann::json& privacy = {});
// DataError naming the file if it is not a readable "jointly-mlp-1" model with consistent
// shapes.
MlpModel load_mlp_model(const std::filesystem::path& path);

// The "format" of a jointly model file ("jointly-logreg-1" or "jointly-mlp-1"), so that
// `jointly-party --predict` can take either; DataError naming the file otherwise.
std::string model_format(const std::filesystem::path& path);

}  // namespace jointly::ml
