// A trained logistic regression as the receivers store it: weights in the original feature
// order, the joint standardisation they expect, and the fixed-point encoding they were
// trained with. JSON, so a hospital's analyst can read it without jointly.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ml/data/standardize.h"
#include "protocols/fixed_point.h"

namespace jointly::ml {

struct LogRegModel {
  std::vector<std::string> feature_names;
  Eigen::VectorXd weights;  // one per feature, then the bias
  Standardizer standardizer;
  FixedPoint fp;

  // Probability of class 1 for each row of raw (unstandardised) features.
  Eigen::VectorXd predict(const Eigen::MatrixXd& features) const;
};

// `privacy`: the DP-SGD guarantee of the run (docs/dp.md), stored as "differential_privacy"
// when not null.
void save_model(const std::filesystem::path& path, const LogRegModel& model,
                const std::string& trained_with, const nlohmann::json& privacy = {});
LogRegModel load_model(const std::filesystem::path& path);

}  // namespace jointly::ml
