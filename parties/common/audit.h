// The audit log: one line per value this party opens or receives opened (what, to whom, how
// many elements, when). Lines are hash-chained — each carries SHA-256(previous hash || line
// body) — so deleting, reordering or editing a line breaks the chain from that line on, which
// verify_audit_log() reports. (An attacker who can rewrite the whole file can recompute the
// chain; keep a copy of the last hash elsewhere, e.g. in the run's summary, to pin it.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace jointly::parties {

class AuditLog {
 public:
  // Appends to `path` (created if missing), continuing the chain of an existing file after
  // checking it. Throws std::runtime_error naming the file if it cannot be written or its
  // chain is broken.
  AuditLog(const std::filesystem::path& path, std::string party);

  void record(const std::string& what, const std::string& to, std::uint64_t elements);
  const std::string& last_hash() const { return last_hash_; }

 private:
  std::filesystem::path path_;
  std::string party_;
  std::ofstream out_;
  std::string last_hash_;
  std::uint64_t seq_ = 0;
};

struct AuditCheck {
  bool ok = true;
  std::uint64_t lines = 0;
  std::string error;  // "line 7: hash does not match (edited, inserted or reordered)"
  std::string last_hash;
};
AuditCheck verify_audit_log(const std::filesystem::path& path);

}  // namespace jointly::parties
