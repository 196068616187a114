#include "parties/common/ledger.h"

#include <sodium.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "parties/common/audit.h"
#include "parties/common/checkpoint.h"

namespace jointly::parties {

std::vector<LedgerRun> read_ledger(const std::filesystem::path& audit) {
  std::vector<LedgerRun> runs;
  if (!std::filesystem::exists(audit)) return runs;
  const AuditCheck check = verify_audit_log(audit);
  if (!check.ok) throw std::runtime_error(audit.string() + ": audit log: " + check.error);
  std::ifstream in(audit);
  std::string line;
  for (std::uint64_t n = 1; std::getline(in, line); ++n) {
    const nlohmann::json entry = nlohmann::json::parse(line);
    const std::string what = entry.at("opened").get<std::string>();
    if (what.rfind(kDpRunPrefix, 0) != 0) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(what.substr(std::string(kDpRunPrefix).size()));
      LedgerRun r;
      r.seq = entry.at("seq").get<std::uint64_t>();
      r.dataset = j.value("dataset", std::string());
      r.run = {j.at("noise").get<double>(), j.at("sampling_rate").get<double>(),
               j.at("steps").get<std::int64_t>()};
      r.epsilon = j.at("epsilon").get<double>();
      r.delta = j.at("delta").get<double>();
      if (j.contains("total_epsilon")) r.total_epsilon = j.at("total_epsilon").get<double>();
      runs.push_back(std::move(r));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(audit.string() + ": line " + std::to_string(n) +
                               ": malformed DP-SGD run record: " + e.what());
    }
  }
  return runs;
}

std::string data_set_id(const std::filesystem::path& path) {
  const Digest digest = file_digest(path);
  char hex[2 * sizeof(Digest) + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  return hex;
}

double spent_with(const std::vector<LedgerRun>& earlier, const ml::dp::SgdRun& next, double delta) {
  std::vector<ml::dp::SgdRun> runs;
  for (const LedgerRun& r : earlier) runs.push_back(r.run);
  runs.push_back(next);
  return ml::dp::composed_epsilon(runs, delta).epsilon;
}

double spent(const std::vector<LedgerRun>& runs, double delta) {
  if (runs.empty()) return 0;
  std::vector<LedgerRun> earlier(runs.begin(), runs.end() - 1);
  return spent_with(earlier, runs.back().run, delta);
}

}  // namespace jointly::parties
