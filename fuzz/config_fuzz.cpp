// Fuzz target: the consortium config parser (parties/common/config.h) on arbitrary text.
//
// The text is parsed as <temp>/consortium.toml next to keys/hospital-{a,b,c}.crt, so a file
// that names those certificates gets past the cert check to the validation after it (the seed
// corpus does). ConfigError is the documented failure; a config that loads must hold what the
// parser promises: at least two parties, known receivers, a dealer seed exactly for the dealer.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_check.h"
#include "parties/common/config.h"

namespace {

// A folder with the certificates the corpus names, removed when the process exits.
class CertDir {
 public:
  CertDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "jointly-config-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    std::filesystem::create_directories(path_ / "keys");
    for (const char* name : {"hospital-a", "hospital-b", "hospital-c"}) {
      std::ofstream out(path_ / "keys" / (std::string(name) + ".crt"));
      out << "-----BEGIN CERTIFICATE-----\n" << name << "\n-----END CERTIFICATE-----\n";
    }
  }
  ~CertDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  CertDir(const CertDir&) = delete;
  CertDir& operator=(const CertDir&) = delete;

  std::filesystem::path config() const { return path_ / "consortium.toml"; }

 private:
  std::filesystem::path path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const CertDir dir;
  try {
    const jointly::parties::Consortium c = jointly::parties::parse_consortium(
        std::string(reinterpret_cast<const char*>(data), size), dir.config());
    JOINTLY_FUZZ_CHECK(c.parties.size() >= 2);
    JOINTLY_FUZZ_CHECK(!c.receivers.empty());
    for (const std::string& r : c.receivers) JOINTLY_FUZZ_CHECK(c.index_of(r) >= 0);
    JOINTLY_FUZZ_CHECK(c.dealer_seed.has_value() == (c.triples == "dealer"));
    for (const auto& p : c.parties) JOINTLY_FUZZ_CHECK(p.port > 0 && !p.name.empty());
  } catch (const jointly::parties::ConfigError&) {
  }
  return 0;
}
