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

namespace jointly::parties {

struct PartyArgs {
  std::filesystem::path config;
  std::string party;
  std::filesystem::path key;
  std::filesystem::path data;
  std::optional<std::filesystem::path> test;  // receivers evaluate the model on it
  std::optional<std::filesystem::path> out;   // receivers write the model here (JSON)
  std::filesystem::path audit;                // hash-chained log of every opening (appended)
  bool progress = true;                       // epoch progress lines on `log`
  // Checkpoints after every epoch (docs/checkpoints.md); --resume continues from the last
  // epoch that every party completed.
  std::filesystem::path checkpoint_dir;
  bool resume = false;
  // A party that contributes no rows (a compute node run by a third organisation): --data holds
  // only the consortium's header row. It holds shares and computes like the others, and gets
  // the model only if named a receiver. Rows split only.
  bool compute_node = false;
};

// Returns the run's summary (seconds, bytes, rounds, accuracy for receivers with --test).
// Throws on any error; exit_code_for() maps the exception to the documented exit code.
nlohmann::json run_party(const PartyArgs& args, std::ostream& log);

// 1: bad input (config, key, data, checkpoint, own port in use); 2: a peer failed, refused us or
// timed out; 3: internal.
int exit_code_for(const std::exception& e);

}  // namespace jointly::parties
