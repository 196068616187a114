// One party's whole run: load and check the consortium file, key and data; connect to the
// other parties; standardise jointly; share the data; train; open the model to the receivers.
// jointly-party is a thin CLI around run_party(); jointly-sim starts one jointly-party
// process per party.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ml/data/csv.h"
#include "parties/common/config.h"

namespace jointly::parties {

struct PartyArgs {
  std::filesystem::path config;
  std::string party;
  std::filesystem::path key;
  std::filesystem::path data;                        // CSV, or the IDX images (format = "idx")
  std::optional<std::filesystem::path> labels;       // format = "idx": the IDX labels file
  std::optional<std::filesystem::path> test;         // receivers evaluate the model on it
  std::optional<std::filesystem::path> test_labels;  // format = "idx": the test labels file
  std::optional<std::filesystem::path> out;          // receivers write the model here (JSON)
  std::filesystem::path audit;                       // hash-chained log of every opening (appended)
  bool progress = true;                              // epoch progress lines on `log`
  // Checkpoints after every epoch (docs/checkpoints.md); --resume continues from the last
  // epoch that every party completed.
  std::filesystem::path checkpoint_dir;
  bool resume = false;
  // A party that contributes no rows (a compute node run by a third organisation): --data holds
  // only the consortium's header row. It holds shares and computes like the others, and gets
  // the model only if named a receiver. Rows split only.
  bool compute_node = false;
  // triples = "ot", logistic regression: make the next epoch's triples (on network channel 1)
  // while this epoch trains, instead of when it begins. Every party must agree.
  bool overlap = false;
};

// A party's training (or test) table for the consortium: its CSV, or for format = "idx" its
// images and labels (pixels in [0, 1], features pixel0, pixel1, ...). Labels are checked for
// the model (0/1, or classes below `classes`; with classes = 0 for the MLP, below 1000): a bad
// one is an ml::DataError naming the file, the line or item, and the column.
ml::Table load_party_table(const Consortium& c, const std::filesystem::path& data,
                           const std::optional<std::filesystem::path>& labels,
                           const ml::CsvOptions& options);

// Returns the run's summary (seconds, bytes, rounds, accuracy for receivers with --test).
// Throws on any error; exit_code_for() maps the exception to the documented exit code.
nlohmann::json run_party(const PartyArgs& args, std::ostream& log);

// 1: bad input (config, key, data, checkpoint, own port in use); 2: a peer failed, refused us or
// timed out; 3: internal.
int exit_code_for(const std::exception& e);

}  // namespace jointly::parties
