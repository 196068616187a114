// The consortium file: what every party agrees to run. All parties hold the same file and
// prove it at start-up (its digest is part of the TLS hello), so a party with a different
// protocol, model, peer list or learning rate is refused before any share moves.
// Reference: docs/config.md.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocols/spec.h"

namespace jointly::parties {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The most classes an MLP may have (`classes`, or found jointly from the labels).
inline constexpr int kMaxClasses = 1000;

struct PartyEntry {
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  std::filesystem::path cert;  // resolved against the config file's folder
  std::string cert_pem;        // contents, read at load time
};

// [dp]: DP-SGD for logistic regression (docs/dp.md). `clip` and `delta` are required, and at
// least one of `epsilon` (the run's budget: the noise is derived from it by the accountant)
// and `noise` (the noise multiplier; with `epsilon` too, the run must fit the budget).
struct DpSettings {
  std::optional<double> epsilon;
  std::optional<double> noise;
  double delta = 0;
  double clip = 0;
  // The budget of every [dp] run on the same data together (the privacy ledger, docs/dp.md).
  std::optional<double> total_epsilon;
};

struct Consortium {
  std::filesystem::path path;
  std::string text;  // the file as read: its digest is what the parties agree on

  std::string protocol =
      "additive";  // a scheme of protocols/spec.h: additive | shamir | replicated
  // ot (2 parties) | dn07 | prss | dealer (simulation only, only when named). Without the
  // key: the scheme's dealer-free default for the party count (protocols/spec.h).
  std::string triples;
  std::string model = "logreg";  // logreg | mlp
  // model = "mlp" only (docs/mlp.md). Hidden layer widths: [] is softmax regression.
  std::vector<int> hidden{128, 128};
  std::string activation = "relu";
  // Number of classes, labels 0 ... classes-1. 0 (no key): found jointly at start-up as 1 + the
  // largest label any party holds, which opens each party's largest label to all.
  int classes = 0;
  // csv | idx (an images and a labels file per party, model = "mlp" and split = "rows" only).
  std::string format = "csv";
  // Open the training error after every epoch to every party (the MLP's mean squared error of
  // the class probabilities); off by default: it is one more opened value per epoch.
  bool report_loss = false;
  int epochs = 10;
  int batch = 32;
  double learning_rate = 0.1;
  std::string label = "label";
  std::string split = "rows";  // rows | columns (ml/data/partition.h)
  // split = "columns": ids | psi. ids: every party's file holds the same ids in the same order.
  // psi: 2 parties run PSI on their id columns first (docs/psi.md; reveals membership) and
  // train on the common rows in the order PSI gives.
  std::string align = "ids";
  std::string truncation = "pair";  // pair | local (2 parties only)
  int frac_bits = 16;
  std::uint64_t shuffle_seed = 1;
  std::vector<std::string> receivers;
  int timeout_s = 30;
  int connect_timeout_s = 30;
  bool tls = true;
  // triples = "dealer" only: the simulated dealer's master seed (32 hex digits). Whoever
  // holds it can compute every share, which is why the dealer is for simulation only.
  std::optional<std::array<std::uint8_t, 16>> dealer_seed;
  // triples = "ot" only: the OT extension (docs/ot.md, "SoftSpokenOT"). Keys ot_extension
  // ("softspoken" | "iknp"), ot_k (2..8) and ot_threads (1 | 2); ot_named when any is set.
  ot::OtOptions ot;
  bool ot_named = false;
  std::vector<PartyEntry> parties;
  std::optional<DpSettings> dp;

  int index_of(const std::string& name) const;  // -1 if absent
  bool is_receiver(const std::string& name) const;
};

// Parses and validates; every error names the file and the key (and the line for syntax
// errors). Unknown keys are errors: a typo must not silently fall back to a default.
Consortium load_consortium(const std::filesystem::path& path);
// The same for text already in memory (load_consortium reads the file and calls this; the fuzz
// target calls it directly): `path` names the text in messages, and relative `cert` paths are
// resolved against its folder.
Consortium parse_consortium(std::string text, const std::filesystem::path& path);

// The protocol the file selects, for protocols/spec.h to validate and build.
// `truncation_named`: the file sets 'truncation' (which only additive accepts).
ProtocolSpec spec_of(const Consortium& c, bool truncation_named = false);

}  // namespace jointly::parties
