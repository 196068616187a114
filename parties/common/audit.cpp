#include "parties/common/audit.h"

#include <sodium.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "io/bounded_read.h"

namespace jointly::parties {
namespace {

// A log that --verify-audit or a continuing run reads whole: about 300 bytes an opening, so
// millions of openings; a device or a runaway file is refused instead of filling memory.
constexpr std::uintmax_t kMaxAuditLogBytes = std::uintmax_t{1} << 30;  // 1 GiB

// The chain starts from a fixed value so an empty file and a truncated one differ.
const std::string kGenesis(64, '0');

std::string sha256_hex(const std::string& prev, const std::string& body) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(prev.data()),
                            prev.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                            body.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace

AuditCheck verify_audit_log(const std::filesystem::path& path) {
  AuditCheck check;
  check.last_hash = kGenesis;
  std::string text;
  try {
    text = io::read_bounded(path, {.max_bytes = kMaxAuditLogBytes, .what = "an audit log"});
  } catch (const io::FileError& e) {
    check.ok = false;
    check.error = e.reason();
    return check;
  }
  std::istringstream in(std::move(text));
  std::string line;
  while (std::getline(in, line)) {
    ++check.lines;
    const std::string where = "line " + std::to_string(check.lines) + ": ";
    nlohmann::json entry;
    try {
      entry = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      check.ok = false;
      check.error = where + "not a JSON audit entry";
      return check;
    }
    if (!entry.contains("hash") || !entry.contains("prev") || !entry["hash"].is_string()) {
      check.ok = false;
      check.error = where + "no hash chain fields";
      return check;
    }
    const std::string hash = entry["hash"];
    if (entry["prev"] != check.last_hash) {
      check.ok = false;
      check.error = where + "does not follow the previous line (a line was removed or reordered)";
      return check;
    }
    entry.erase("hash");
    if (sha256_hex(check.last_hash, entry.dump()) != hash) {
      check.ok = false;
      check.error = where + "hash does not match its content (the line was edited)";
      return check;
    }
    check.last_hash = hash;
  }
  return check;
}

AuditLog::AuditLog(const std::filesystem::path& path, std::string party)
    : path_(path), party_(std::move(party)) {
  last_hash_ = kGenesis;
  if (std::filesystem::exists(path)) {
    const AuditCheck check = verify_audit_log(path);
    if (!check.ok && check.lines == 0) throw std::runtime_error(path.string() + ": " + check.error);
    if (!check.ok)
      throw std::runtime_error(path.string() + ": audit log chain broken at " + check.error);
    last_hash_ = check.last_hash;
    seq_ = check.lines;
  }
  out_.open(path, std::ios::app);
  if (!out_) throw std::runtime_error(path.string() + ": cannot open the audit log for appending");
}

void AuditLog::record(const std::string& what, const std::string& to, std::uint64_t elements) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  nlohmann::json entry = {
      {"seq", ++seq_},
      {"unix_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now).count()},
      {"party", party_},
      {"opened", what},
      {"to", to},
      {"elements", elements},
      {"prev", last_hash_}};
  last_hash_ = sha256_hex(last_hash_, entry.dump());
  entry["hash"] = last_hash_;
  out_ << entry.dump() << "\n" << std::flush;
  if (!out_) throw std::runtime_error(path_.string() + ": cannot write the audit log");
}

}  // namespace jointly::parties
