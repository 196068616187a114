// jointly-keygen: creates a party's identity (private key + self-signed certificate).
//
//   jointly-keygen --name hospital-a --out keys/
//     -> keys/hospital-a.key  (mode 0600: never leaves this machine)
//        keys/hospital-a.crt  (send to every other party; pinned in consortium.toml)
//
// Exit codes: 0 success, 1 failure (one line on stderr saying why), as for every jointly tool.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "net/tcp/certs.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kMaxValidityDays = 3650;  // ten years: beyond that, rotate keys instead

// A name ends up in file names and error messages: keep it to a safe alphabet.
bool is_valid_name(const std::string& name) {
  if (name.empty() || name.front() == '-' || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Create a jointly party identity: an Ed25519 private key (<out>/<name>.key, mode 0600) "
      "and a self-signed X.509 certificate with CN=<name> (<out>/<name>.crt). Give the "
      "certificate to every other party; keep the key on this machine."};
  std::string name;
  std::filesystem::path out = ".";
  int days = jointly::net::kDefaultValidityDays;
  bool force = false;
  app.add_option("--name", name, "Party name, e.g. hospital-a (letters, digits, - _ .)")
      ->required();
  app.add_option("--out", out, "Directory for the key and certificate (created if missing)")
      ->capture_default_str();
  app.add_option("--days", days, "Certificate validity in days")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxValidityDays));
  app.add_flag("--force", force, "Overwrite an existing key and certificate");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "jointly-keygen: " << e.what() << " (see --help)\n";
    return kExitFailure;
  }

  try {
    if (!is_valid_name(name)) {
      throw std::invalid_argument("invalid party name '" + name +
                                  "': use letters, digits, '-', '_' and '.'");
    }
    const std::filesystem::path key_file = out / (name + ".key");
    if (!force && std::filesystem::exists(key_file)) {
      throw std::runtime_error(key_file.string() +
                               " already exists; use --force to replace it (every other party "
                               "must then pin the new certificate)");
    }
    const jointly::net::KeyPair identity = jointly::net::generate_identity(name, days);
    jointly::net::write_identity(out, name, identity, force);
    std::cout << "wrote " << (out / (name + ".key")).string() << " (private, mode 0600) and "
              << (out / (name + ".crt")).string() << " (share with the other parties), valid "
              << days << " days\n";
  } catch (const std::exception& e) {
    std::cerr << "jointly-keygen: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}
