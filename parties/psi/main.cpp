// jointly-psi: private set intersection of two parties' id columns (docs/psi.md).
//
//   jointly-psi --config consortium.toml --party bank-a --key keys/bank-a.key --data ids.csv
//       --out matched.csv [--protocol ecdh|oprf]            one party, over the TLS mesh
//   jointly-psi --data a.csv,b.csv --out DIR [--protocol ecdh|oprf] [--json]
//                                                            both parties on loopback, TLS
// Each party writes one 0-based row index of its own table per line; line k of both files
// names the same id. Mode (a): each party learns which of its rows the other also holds.
#include <malloc.h>
#include <sodium.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"
#include "parties/common/config.h"
#include "parties/common/process.h"
#include "psi/psi.h"

namespace fs = std::filesystem;
using namespace jointly;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A line of /proc/self/status in MB: VmHWM (peak resident set) or VmRSS (now).
double status_mb(const std::string& key = "VmHWM:") {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  }
  return 0;
}
double peak_rss_mb() { return status_mb(); }

// What both parties must agree on before any id moves: the consortium file and the protocol.
std::array<std::uint8_t, 32> agreement(const parties::Consortium& c, psi::Protocol protocol) {
  std::array<std::uint8_t, 32> digest;
  const std::string text = "jointly-psi v1\n" + psi::protocol_name(protocol) + "\n" + c.text;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  return digest;
}

struct PartyArgs {
  fs::path config, key, data, out;
  std::string party, protocol = "oprf", column = "id";
  bool quiet = false;
};

int run_party(const PartyArgs& a) {
  const auto start = Clock::now();
  const psi::Protocol protocol = psi::parse_protocol(a.protocol);
  const parties::Consortium c = parties::load_consortium(a.config);
  const int self = c.index_of(a.party);
  if (self < 0) throw parties::ConfigError(a.config.string() + ": no party named " + a.party);
  if (c.parties.size() != 2) {
    throw parties::ConfigError(a.config.string() + ": PSI runs between 2 parties, the file names " +
                               std::to_string(c.parties.size()) +
                               " (with 3, align each party against the label holder: docs/psi.md)");
  }
  psi::IdTable table = psi::load_ids(a.data, a.column);
  const std::size_t rows = table.rows();
  const std::string& me = c.parties[static_cast<std::size_t>(self)].name;
  auto log = [&](const std::string& s) {
    if (!a.quiet) std::cerr << "[" << me << "] " << s << std::endl;
  };
  log(fmt::format("{} ids from {} (peak RSS {:.0f} MB); PSI ({}) with {}", rows, a.data.string(),
                  peak_rss_mb(), psi::protocol_name(protocol),
                  c.parties[static_cast<std::size_t>(1 - self)].name));

  net::MeshOptions options;
  options.self = self;
  for (const auto& p : c.parties) options.parties.push_back({p.name, p.host, p.port, p.cert_pem});
  options.key_pem = net::read_key_file(a.key);
  options.tls = c.tls;
  options.agreement = agreement(c, protocol);
  options.agreement_detail = "psi protocol " + psi::protocol_name(protocol);
  options.connect_deadline = std::chrono::seconds(c.connect_timeout_s);
  options.timeout = std::chrono::seconds(c.timeout_s);
  auto transport = net::connect_mesh(options);
  try {
    net::Network network(*transport);
    psi::Options o;
    o.protocol = protocol;
    o.threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    // Progress for large sets: a line at every tenth of each stage.
    std::string last_stage;
    int last_tenth = -1;
    if (!a.quiet && rows >= 100000) {
      o.progress = [&](std::string_view stage, std::uint64_t done, std::uint64_t total) {
        const int tenth = static_cast<int>(10 * done / std::max<std::uint64_t>(total, 1));
        if (stage != last_stage || tenth != last_tenth) {
          last_stage = stage;
          last_tenth = tenth;
          log(fmt::format("{} {}/{}  {:.1f} s  RSS {:.0f} MB (peak {:.0f})", stage, done, total,
                          seconds_since(start), status_mb("VmRSS:"), status_mb()));
        }
      };
    }
    const auto psi_start = Clock::now();
    const psi::Result r = psi::intersect(network, std::move(table), o);
    const double psi_seconds = seconds_since(psi_start);
    std::ofstream out(a.out, std::ios::trunc);
    std::string text;
    for (std::size_t row : r.rows) text += std::to_string(row) + "\n";
    out << text;
    out.close();
    if (!out) throw std::runtime_error(a.out.string() + ": cannot write");
    const double seconds = seconds_since(start);
    log(fmt::format("{} of {} rows in the intersection (peer holds {}); {} written  {:.2f} s",
                    r.rows.size(), rows, r.peer_size, a.out.string(), seconds));
    nlohmann::json j = {{"party", me},
                        {"protocol", psi::protocol_name(protocol)},
                        {"rows", rows},
                        {"peer_rows", r.peer_size},
                        {"intersection", r.rows.size()},
                        {"seconds", seconds},
                        {"seconds_psi", psi_seconds},
                        {"bytes_sent", r.traffic.bytes_sent},
                        {"bytes_received", r.traffic.bytes_received},
                        {"rounds", r.traffic.rounds},
                        {"peak_rss_mb", peak_rss_mb()},
                        {"tls", c.tls},
                        {"out", a.out.string()}};
    std::cout << j.dump() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    transport->abort_session(e.what());
    throw;
  }
}

int exit_code(const std::exception& e) {
  if (dynamic_cast<const psi::InputError*>(&e) || dynamic_cast<const parties::ConfigError*>(&e) ||
      dynamic_cast<const psi::EmptyIntersection*>(&e) ||
      dynamic_cast<const net::ListenError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e))
    return 1;
  if (dynamic_cast<const std::runtime_error*>(&e)) return 2;
  return 3;
}

std::string toml_string(const std::string& s) { return nlohmann::json(s).dump(); }

// Both parties as processes of this binary on loopback, over TLS with fresh identities.
int run_both(const std::vector<fs::path>& data, const fs::path& out_dir,
             const std::string& protocol, bool json, bool tls, const std::string& column) {
  psi::parse_protocol(protocol);  // bad input is reported before anything starts
  for (const fs::path& f : data) psi::load_ids(f, column);
  const auto start = Clock::now();
  fs::create_directories(out_dir);
  char pattern[] = "/tmp/jointly-psi-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary folder");
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  const std::array<std::string, 2> names = {"party-a", "party-b"};
  const auto ports = parties::free_loopback_ports(2);
  std::string config =
      "# Written by jointly-psi for one run on this machine.\nreceivers = [\"party-a\"]\n";
  config += std::string("tls = ") + (tls ? "true" : "false") + "\ntimeout_s = 120\n";
  for (int p = 0; p < 2; ++p) {
    net::write_identity(dir / "keys", names[p], net::generate_identity(names[p]));
    config +=
        fmt::format("\n[[party]]\nname = {}\nhost = \"127.0.0.1\"\nport = {}\ncert = {}\n",
                    toml_string(names[p]), ports[p], toml_string("keys/" + names[p] + ".crt"));
  }
  std::ofstream(dir / "consortium.toml") << config;

  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<parties::Process> procs;
  for (int p = 0; p < 2; ++p) {
    std::vector<std::string> argv = {self,
                                     "--config",
                                     (dir / "consortium.toml").string(),
                                     "--party",
                                     names[p],
                                     "--key",
                                     (dir / "keys" / (names[p] + ".key")).string(),
                                     "--data",
                                     data[p].string(),
                                     "--out",
                                     (out_dir / (names[p] + ".csv")).string(),
                                     "--protocol",
                                     protocol,
                                     "--column",
                                     column};
    procs.push_back(parties::spawn_process(
        argv, dir / (names[p] + ".json"),
        p == 0 ? std::nullopt : std::optional<fs::path>(dir / (names[p] + ".log"))));
  }
  // Wait for both; once one fails, the other gets a few seconds to notice, then is stopped.
  std::array<std::optional<int>, 2> codes;
  std::optional<int> first_failure;
  std::optional<Clock::time_point> failed_at;
  while (!codes[0] || !codes[1]) {
    for (int p = 0; p < 2; ++p) {
      if (codes[p]) continue;
      codes[p] = parties::poll_process(procs[p]);
      if (codes[p] && *codes[p] != 0 && !first_failure) {
        first_failure = *codes[p];
        failed_at = Clock::now();
        if (p == 1) std::cerr << std::ifstream(dir / (names[p] + ".log")).rdbuf();
      }
    }
    if (failed_at && Clock::now() - *failed_at > std::chrono::seconds(5)) {
      for (int p = 0; p < 2; ++p)
        if (!codes[p]) parties::kill_process(procs[p]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (first_failure) return *first_failure;
  std::vector<nlohmann::json> results;
  for (int p = 0; p < 2; ++p) {
    std::ifstream in(dir / (names[p] + ".json"));
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    results.push_back(nlohmann::json::parse(last));
  }
  const double wall = seconds_since(start);
  if (json) {
    std::cout << nlohmann::json({{"parties", results}, {"wall_seconds", wall}}).dump() << std::endl;
  } else {
    std::cout << fmt::format("== jointly-psi ({}, {}) ==\n", protocol, tls ? "TLS" : "plain TCP");
    for (const auto& r : results) {
      std::cout << fmt::format(
          "  {}  {} of {} rows matched  {:.2f} s  {:.2f} MB sent  {} rounds  "
          "peak RSS {:.1f} MB  -> {}\n",
          r["party"].get<std::string>(), r["intersection"].get<std::size_t>(),
          r["rows"].get<std::size_t>(), r["seconds"].get<double>(),
          r["bytes_sent"].get<double>() / 1e6, r["rounds"].get<int>(),
          r["peak_rss_mb"].get<double>(), r["out"].get<std::string>());
    }
    std::cout << fmt::format("  wall {:.2f} s with start-up\n", wall);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "jointly-psi: private set intersection of two parties' id columns (docs/psi.md).\n"
      "Each party writes one 0-based row of its own table per line; line k of both outputs "
      "names the same id. Each party learns which of its ids the other holds, nothing else "
      "about the other's ids.\n"
      "Exit codes: 0 ok; 1 bad input (ids, config, key; empty intersection); 2 a peer failed; "
      "3 internal error."};
  PartyArgs a;
  std::vector<std::string> data;
  std::string out;
  bool json = false;
  std::string tls = "on";
  app.add_option("--config", a.config, "consortium file (2 parties), identical on both")
      ->check(CLI::ExistingFile);
  app.add_option("--party", a.party, "this party's name in the consortium file");
  app.add_option("--key", a.key, "this party's private key (jointly-keygen)")
      ->check(CLI::ExistingFile);
  app.add_option("--data", data, "this party's CSV with an id column; or a.csv,b.csv for both")
      ->required()
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  app.add_option("--out", out, "one party: the matched rows file; both: a folder")->required();
  app.add_option("--protocol", a.protocol, "oprf (KKRT16, default) | ecdh (ristretto255)")
      ->check(CLI::IsMember({"oprf", "ecdh"}));
  app.add_option("--column", a.column, "the id column (default id)");
  app.add_flag("--json", json, "both parties: one JSON summary on stdout");
  app.add_option("--tls", tls, "both parties: on (default) | off (plain TCP, benchmarks only)")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_flag("--quiet", a.quiet, "no progress lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // As jointly-party: per-chunk buffers of a few MB are reused from the heap instead of being
  // mapped and faulted in again for every chunk (page faults are dear on this VM).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  try {
    if (data.size() == 2 && a.config.empty())
      return run_both({data[0], data[1]}, out, a.protocol, json, tls == "on", a.column);
    if (data.size() != 1 || a.config.empty() || a.party.empty() || a.key.empty()) {
      std::cerr << "jointly-psi: either --config, --party, --key and one --data file (one "
                   "party), or --data a.csv,b.csv (both parties on this machine)"
                << std::endl;
      return 1;
    }
    a.data = data[0];
    a.out = out;
    return run_party(a);
  } catch (const std::exception& e) {
    std::cerr << "jointly-psi" << (a.party.empty() ? "" : " " + a.party) << ": " << e.what()
              << std::endl;
    return exit_code(e);
  }
}
