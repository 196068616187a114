// The privacy ledger (docs/dp.md): DP-SGD runs on the same data spend one budget. Every [dp]
// run records its guarantee in the party's audit log ("DP-SGD run: {json}", with the SHA-256
// of the party's data file as "dataset"); before a run with [dp] total_epsilon, each party
// reads its own log, composes the earlier runs on the same data with this one through the RDP
// accountant (not by adding their ε), and refuses to start if the total would be exceeded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ml/dp/accountant.h"

namespace jointly::parties {

inline constexpr const char* kDpRunPrefix = "DP-SGD run: ";

struct LedgerRun {
  std::uint64_t seq = 0;  // the audit line
  std::string dataset;    // hex SHA-256 of the party's data file
  ml::dp::SgdRun run;
  double epsilon = 0, delta = 0;
  std::optional<double> total_epsilon;
};

// The DP-SGD runs recorded in an audit log, in order (the log's chain is verified first:
// std::runtime_error naming the file and line if it is broken or a run line is malformed).
// A missing file has no runs.
std::vector<LedgerRun> read_ledger(const std::filesystem::path& audit);

// Hex SHA-256 of a file's contents (checkpoint.h's file_digest, as text).
std::string data_set_id(const std::filesystem::path& path);

// ε of `earlier` and `next` composed at δ (next's δ).
double spent_with(const std::vector<LedgerRun>& earlier, const ml::dp::SgdRun& next, double delta);
// ε of `runs` composed at δ.
double spent(const std::vector<LedgerRun>& runs, double delta);

}  // namespace jointly::parties
