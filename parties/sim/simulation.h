// jointly-sim: a whole consortium on one machine. Makes throwaway identities and a consortium
// file in a temporary folder, splits the data, starts one jointly-party process per party on
// free loopback ports (TLS on, as in production), shows progress, and prints a summary with
// the plaintext reference's accuracy next to the secure one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "protocols/ot/extension/extension.h"

namespace jointly::parties {

struct SimArgs {
  int parties = 3;
  std::string protocol = "additive";
  std::vector<std::filesystem::path> data;  // one file (split by `split`) or one per party
  std::optional<std::filesystem::path> test;
  std::string model = "logreg";  // logreg | mlp
  // model = "mlp": hidden widths ([] softmax regression), classes (0: found from the labels).
  std::vector<int> hidden{128, 128};
  int classes = 0;
  bool report_loss = false;
  // csv, or idx: `data` is one images and one labels file (and `test` and `test_labels` the
  // test set's), split by rows among the parties; `images` keeps only the first N training images.
  std::string format = "csv";
  std::optional<std::filesystem::path> test_labels;
  std::optional<long> images;
  int epochs = 10;
  int batch = 32;
  double learning_rate = 0.1;
  std::string split = "rows";  // rows | columns
  std::string triples;         // empty: the dealer-free default (protocols/spec.h default_triples)
  std::string truncation = "pair";
  ot::OtOptions ot;       // triples ot: the extension (--ot-extension, --ot-k, --ot-threads)
  bool ot_named = false;  // one of those flags was given
  std::string label = "label";
  bool tls = true;
  int timeout_s = 30;
  bool json = false;
  bool keep = false;  // keep the temporary folder (keys, config, logs) for inspection
  // The last party contributes no rows (jointly-party --compute-node); rows split only.
  bool compute_node = false;
  bool overlap = false;  // jointly-party --overlap on every party
  std::filesystem::path party_binary;
  // DP-SGD (logreg, docs/dp.md): written as [dp]; the plaintext reference is then DP-SGD with
  // the same clipping and noise multiplier (its own seeded noise).
  std::optional<double> dp_epsilon, dp_noise;
  double dp_delta = 1e-5;
  double dp_clip = 1.0;
  std::uint64_t dp_reference_seed = 1;
};

// Returns the process exit code (0 ok, 1 bad input, 2 a party failed).
int run_simulation(const SimArgs& args);

}  // namespace jointly::parties
