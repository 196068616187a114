// jointly-bench: rounds, bytes and seconds per protocol operation, one OS process per party
// over loopback (the same mesh, TLS and protocol code as jointly-party), offline and online
// phases timed separately. See docs/cost.md and benchmarks/run_workloads.sh.
//
//   jointly-bench --protocol additive --parties 2 --op mul --n 1000000 [--json]
//
// The master process makes throwaway identities, starts one worker per party (this binary
// with --worker), and aggregates their reports: bytes and rounds are the most any one party
// sent; seconds are the slowest party's; with --repeat R the median of R runs and the spread.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <fmt/format.h>

#include "circuits/activations/relu.h"
#include "circuits/activations/sigmoid.h"
#include "ml/data/idx.h"
#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"
#include "parties/common/process.h"
#include "protocols/additive/additive.h"
#include "protocols/fixed_point.h"
#include "protocols/shamir/shamir.h"
#include "protocols/spec.h"
#include "protocols/triples/dealer.h"
#include "protocols/triples/ot/ot_triples.h"
#include "protocols/triples/provider.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace jointly::bench {
namespace {

using parties::free_loopback_ports;
using parties::Process;
using parties::spawn_process;
using parties::wait_process;

struct Args {
  std::string protocol = "additive";
  int parties = 2;
  std::string op = "mul";
  Index n = 1000000;
  long images = 60000;                // mlp: training images (W5's full epoch)
  std::string shape = "128x784x128";  // matmul: m x k x p
  std::string triples;  // empty: the dealer-free default (protocols/spec.h default_triples)
  bool tls = true;
  int latency_ms = 0;
  int repeat = 1;
  bool json_out = false;
  // triples ot: the extension (protocols/ot/extension/extension.h; docs/ot.md)
  jointly::ot::OtOptions ot;
  std::string ot_extension = jointly::ot::extension_name(jointly::ot::OtOptions{}.extension);
  // worker mode
  bool worker = false;
  fs::path dir;
  int party = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::array<Index, 3> parse_shape(const std::string& s) {
  std::array<Index, 3> d{};
  if (std::sscanf(s.c_str(), "%ldx%ldx%ld", &d[0], &d[1], &d[2]) != 3 || d[0] < 1 || d[1] < 1 ||
      d[2] < 1) {
    throw std::invalid_argument("--shape must be MxKxP, e.g. 128x784x128");
  }
  return d;
}

// One operation on random shared inputs, as the workload defines it.
void run_op(const Args& a, Protocol& proto, const Shared& x, const Shared& y) {
  const FixedPoint fp;
  if (a.op == "mul") {
    proto.mul(x, y);
  } else if (a.op == "matmul") {
    proto.trunc(proto.matmul(x, y), fp.frac_bits);
  } else if (a.op == "relu") {
    circuits::relu(proto, x);
  } else if (a.op == "sigmoid") {
    circuits::sigmoid(proto, x, fp);
  }
}

// The operation's operands: random shared tensors (W1/W3: 1 x n; W2: the matmul shape).
std::pair<Shared, Shared> random_inputs(const Args& a, Protocol& proto) {
  if (a.op == "matmul") {
    const auto d = parse_shape(a.shape);
    return {proto.random(d[0], d[1]), proto.random(d[1], d[2])};
  }
  return {proto.random(1, a.n), proto.random(1, a.n)};
}

void barrier(net::Network& network) { network.broadcast({}); }

// Schemes that make their own randomness (Shamir: DN07 and random bits; replicated: PRG
// seeds) do it inside each operation, so the whole operation is timed as online and its
// preprocessing rounds and bytes are included.
int inline_worker(const Args& a, net::Network& network) {
  if (a.op == "logreg" || a.op == "mlp")
    throw std::logic_error("trainings run through jointly-sim");
  // Shamir's dealer-free triples are a Shamir measurement: built as such.
  std::optional<Shamir> shamir;
  ProtocolStack stack;
  if (a.op == "triples") {
    shamir.emplace(network);
  } else {
    jointly::ProtocolSpec spec;
    spec.scheme = a.protocol;
    spec.parties = a.parties;
    stack = build(spec, network);
  }
  Protocol& proto = shamir ? static_cast<Protocol&>(*shamir) : *stack.protocol;
  auto [x, y] = random_inputs(a, proto);
  if (a.op == "relu" || a.op == "sigmoid") {
    // Comparisons need fixed-point values (Shamir's is exact for |x| < 2^32,
    // protocols/shamir/compare.h), not uniform ring or field elements: party 0 inputs
    // values in [-2^30, 2^30).
    Prg prg(random_seed());
    const IntMatrix v = to_int(prg.ring(1, a.n)).unaryExpr([](std::int64_t e) { return e >> 33; });
    x = proto.input(0, proto.self() == 0 ? &v : nullptr, 1, a.n);
  }
  json report;
  for (int r = 0; r < a.repeat; ++r) {
    barrier(network);
    const auto before = network.traffic();
    const auto t0 = Clock::now();
    if (a.op == "triples") {
      // Dealer-free Beaver triples: random [a], [b] (one dealing round) and [ab] by one DN07
      // degree reduction, what ShamirMultiplication::kBeaver consumes. All offline.
      const FieldMatrix ab = shamir->random_sharings(2 * a.n);
      shamir->multiply(ab.leftCols(a.n), ab.rightCols(a.n));
    } else {
      run_op(a, proto, x, y);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto traffic = network.traffic() - before;
    const bool offline = a.op == "triples";
    report["seconds_online"].push_back(offline ? 0.0 : seconds);
    report["seconds_offline"].push_back(offline ? seconds : 0.0);
    report["bytes_offline"] = offline ? traffic.bytes_sent : 0;
    report["rounds_offline"] = offline ? traffic.rounds : 0;
    report["bytes_online"] = offline ? 0 : traffic.bytes_sent;
    report["rounds_online"] = offline ? 0 : traffic.rounds;
  }
  report["protocol"] = proto.name();
  barrier(network);
  std::cout << report.dump() << std::endl;
  return 0;
}

int worker(const Args& a) {
  const json setup = json::parse(std::ifstream(a.dir / "bench.json"));
  net::MeshOptions options;
  options.self = a.party;
  for (const auto& p : setup["parties"]) {
    std::ifstream cert(a.dir / p["cert"].get<std::string>());
    std::string pem((std::istreambuf_iterator<char>(cert)), {});
    options.parties.push_back({p["name"], "127.0.0.1", p["port"].get<std::uint16_t>(), pem});
  }
  options.key_pem = net::read_key_file(a.dir / setup["parties"][a.party]["key"].get<std::string>());
  options.tls = a.tls;
  options.latency = std::chrono::milliseconds(a.latency_ms);
  options.timeout = std::chrono::seconds(120);
  auto transport = net::connect_mesh(options);
  net::Network network(*transport);

  if (a.protocol != "additive") return inline_worker(a, network);

  Seed seed{};
  const std::string hex = setup["seed"];
  for (std::size_t i = 0; i < seed.size(); ++i)
    seed[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  // The real source: the simulated dealer, or OT between the two parties (its traffic shares
  // the network; offline_traffic() counts it apart).
  std::unique_ptr<TripleSource> real;
  OtTriples* ot = nullptr;
  double base_seconds = 0;
  if (a.triples == "ot") {
    const auto t0 = Clock::now();
    real = std::make_unique<OtTriples>(network, random_seed(), a.ot);
    base_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    ot = static_cast<OtTriples*>(real.get());
  } else {
    real = std::make_unique<Dealer>(seed, a.party, a.parties);
  }
  // The provider separates the phases: a warm-up run records what the operation asks for;
  // each timed offline phase prepares exactly that from the real source (one batch); the
  // timed online phase is served from it. The protocol never knows (TripleSource is the seam).
  TripleProvider provider(*real);
  Additive proto(network, provider, {.truncation = Truncation::kAuto, .seed = std::nullopt});

  const auto [x, y] = random_inputs(a, proto);
  provider.record(true);
  run_op(a, proto, x, y);  // warm-up: records what the operation needs (made on demand)
  provider.record(false);
  const std::vector<TripleRequest> plan = provider.requests();

  json report;
  for (int r = 0; r < a.repeat; ++r) {
    barrier(network);
    const auto source_before = real->offline_traffic();
    const std::uint64_t ots_before = ot ? ot->channel().ots() : 0;
    auto t0 = Clock::now();
    provider.prepare(plan);
    const double offline = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto offline_traffic = real->offline_traffic() - source_before;
    // Extended OTs this party took part in (as chooser or sender) during the offline phase.
    if (ot) report["ots_offline"] = ot->channel().ots() - ots_before;

    barrier(network);
    provider.clear_requests();
    provider.record(true);
    const auto before = network.traffic();
    t0 = Clock::now();
    run_op(a, proto, x, y);
    const double online = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto traffic = network.traffic() - before;
    provider.record(false);
    // Nothing made on demand inside the timed online phase, nothing left over.
    if (provider.requests() != plan || provider.prepared() != 0) {
      throw std::logic_error(
          "benchmark: the operation asked for other randomness than the warm-up recorded");
    }

    report["seconds_offline"].push_back(offline);
    report["seconds_online"].push_back(online);
    // Dealer: what a real dealer would send this party; OT: what this party sent.
    report["bytes_offline"] =
        a.triples == "ot" ? offline_traffic.bytes_sent : offline_traffic.bytes_received;
    report["rounds_offline"] = offline_traffic.rounds;
    report["bytes_online"] = traffic.bytes_sent;
    report["rounds_online"] = traffic.rounds;
  }
  report["protocol"] = proto.name();
  report["seconds_base_ots"] = base_seconds;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0)
    report["peak_rss_bytes"] = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // KiB
  barrier(network);
  std::cout << report.dump() << std::endl;
  return 0;
}

// The --ot-* flags, for a worker or jointly-sim (triples ot only).
std::vector<std::string> ot_argv(const Args& a) {
  if (a.triples != "ot") return {};
  return {"--ot-extension",       a.ot_extension, "--ot-k",
          std::to_string(a.ot.k), "--ot-threads", std::to_string(a.ot.threads)};
}

// PSI (docs/psi.md): n ids per party, half of them common, through jointly-psi's two party
// processes over TLS. Seconds are the PSI itself (ids loaded, peers connected), per party.
json run_psi(const Args& a) {
  char pattern[] = "/tmp/jointly-bench-psi-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary folder");
  const fs::path dir = pattern;
  Prg prg(random_seed());
  const auto n = static_cast<std::size_t>(a.n);
  std::vector<std::uint64_t> keys(2 * n - n / 2);
  prg.fill({reinterpret_cast<std::uint8_t*>(keys.data()), keys.size() * 8});
  for (int p = 0; p < 2; ++p) {
    // Party 0: keys [0, n); party 1: the first n/2 of them and n - n/2 of its own.
    std::string text = "id\n";
    for (std::size_t i = 0; i < n; ++i)
      text += fmt::format("customer-{:016x}\n", keys[p == 0 || i < n / 2 ? i : n + i - n / 2]);
    std::ofstream(dir / fmt::format("{}.csv", p)) << text;
  }
  const std::string protocol = a.protocol == "additive" ? "oprf" : a.protocol;
  std::vector<std::string> argv = {JOINTLY_PSI_PATH,
                                   "--data",
                                   (dir / "0.csv").string() + "," + (dir / "1.csv").string(),
                                   "--out",
                                   (dir / "out").string(),
                                   "--protocol",
                                   protocol,
                                   "--json",
                                   "--quiet",
                                   "--tls",
                                   a.tls ? "on" : "off"};
  const Process p = spawn_process(argv, dir / "psi.out", dir / "psi.log");
  if (wait_process(p, std::chrono::minutes(30)) != 0) {
    std::ifstream log(dir / "psi.log");
    throw std::runtime_error("jointly-psi failed: " +
                             std::string((std::istreambuf_iterator<char>(log)), {}));
  }
  std::ifstream out(dir / "psi.out");
  std::string line, last;
  while (std::getline(out, line))
    if (!line.empty()) last = line;
  fs::remove_all(dir);
  const json r = json::parse(last);
  json row;
  row["protocol"] = protocol;
  for (const auto& party : r["parties"]) {
    if (party["intersection"].get<std::size_t>() != n / 2)
      throw std::runtime_error("PSI found " + party["intersection"].dump() + " common ids, not " +
                               std::to_string(n / 2));
    row["parties_detail"].push_back(party);
  }
  return row;
}

// W4 (logreg) and W5 (mlp) run whole trainings through jointly-sim: one jointly-party
// process per party over TLS, as deployed.
std::vector<std::string> training_argv(const Args& a) {
  const std::string data = std::string(JOINTLY_SOURCE_DIR) + "/data/";
  if (a.op == "logreg") {
    return {"--data",   data + "breast_cancer_train.csv",
            "--test",   data + "breast_cancer_test.csv",
            "--epochs", "10",
            "--batch",  "32"};
  }
  // W5: SecureML's network A on Fashion-MNIST, one epoch of batch 128 (WORKLOADS.md).
  const fs::path dir = ml::kFashionMnistDir;
  return {"--model",
          "mlp",
          "--hidden",
          "128,128",
          "--format",
          "idx",
          "--data",
          (dir / "train-images-idx3-ubyte.gz").string() + "," +
              (dir / "train-labels-idx1-ubyte.gz").string(),
          "--test",
          (dir / "t10k-images-idx3-ubyte.gz").string() + "," +
              (dir / "t10k-labels-idx1-ubyte.gz").string(),
          "--images",
          std::to_string(a.images),
          "--epochs",
          "1",
          "--batch",
          "128"};
}

json run_training(const Args& a, const fs::path& sim) {
  json out;
  std::vector<double> seconds, offline;
  for (int r = 0; r < a.repeat; ++r) {
    const fs::path result =
        fs::temp_directory_path() / fmt::format("jointly-bench-{}-{}.json", ::getpid(), r);
    const fs::path log =
        fs::temp_directory_path() / fmt::format("jointly-bench-{}-{}.log", ::getpid(), r);
    std::vector<std::string> argv = {sim.string(), "--parties", std::to_string(a.parties),
                                     "--json",     "--tls",     a.tls ? "on" : "off",
                                     "--protocol", a.protocol,  "--triples",
                                     a.triples};
    const std::vector<std::string> work = training_argv(a);
    argv.insert(argv.end(), work.begin(), work.end());
    const std::vector<std::string> ot = ot_argv(a);
    argv.insert(argv.end(), ot.begin(), ot.end());
    const Process p = spawn_process(argv, result, log);
    if (wait_process(p, std::chrono::hours(2)) != 0) {
      std::ifstream in(log);
      throw std::runtime_error("jointly-sim failed: " +
                               std::string((std::istreambuf_iterator<char>(in)), {}));
    }
    fs::remove(log);
    std::ifstream in(result);
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty()) last = line;
    fs::remove(result);
    out = json::parse(last);
    seconds.push_back(out["seconds_training"].get<double>());
    std::cerr << fmt::format("jointly-bench: run {}/{}: {:.2f} s training, accuracy {:.4f}\n",
                             r + 1, a.repeat, seconds.back(), out["accuracy"].get<double>());
    offline.push_back(out.value("seconds_offline", 0.0));
  }
  json row;
  row["seconds_online"] = median(seconds);
  row["seconds_online_spread"] = *std::max_element(seconds.begin(), seconds.end()) -
                                 *std::min_element(seconds.begin(), seconds.end());
  // OT triples: jointly-party's offline phase makes them all before training. Dealer triples
  // are expanded inline (local PRG work) and Shamir's randomness is made inside each
  // operation: their time and bytes are inside the online figures.
  row["seconds_offline"] = median(offline);
  row["bytes_per_party_online"] = out.value("bytes_online_max_party", out["bytes_sent_max_party"]);
  row["bytes_per_party_offline"] = out.value("bytes_offline_max_party", json(0));
  row["rounds_online"] = out.value("rounds_online", out["rounds"]);
  row["rounds_offline"] = 0;
  row["accuracy"] = out["accuracy"];
  row["plaintext_accuracy"] = out["plaintext_accuracy"];
  row["protocol_detail"] = out["protocol"];
  row["seconds_total"] = out["seconds"];
  if (out.contains("peak_rss_bytes_per_party")) {
    row["peak_rss_bytes_per_party"] = out["peak_rss_bytes_per_party"];
    row["seconds_offline_per_party"] = out["seconds_offline_per_party"];
  }
  return row;
}

json run_op_processes(const Args& a, const fs::path& self) {
  char pattern[] = "/tmp/jointly-bench-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary folder");
  const fs::path dir = pattern;
  json setup;
  const auto ports = free_loopback_ports(a.parties);
  for (int p = 0; p < a.parties; ++p) {
    const std::string name = "party-" + std::to_string(p);
    net::write_identity(dir / "keys", name, net::generate_identity(name));
    setup["parties"].push_back({{"name", name},
                                {"port", ports[p]},
                                {"cert", "keys/" + name + ".crt"},
                                {"key", "keys/" + name + ".key"}});
  }
  setup["seed"] = seed_hex(random_seed());
  std::ofstream(dir / "bench.json") << setup.dump();

  std::vector<Process> workers;
  for (int p = 0; p < a.parties; ++p) {
    std::vector<std::string> argv = {self.string(),  "--worker",
                                     "--dir",        dir.string(),
                                     "--party",      std::to_string(p),
                                     "--parties",    std::to_string(a.parties),
                                     "--op",         a.op,
                                     "--n",          std::to_string(a.n),
                                     "--shape",      a.shape,
                                     "--protocol",   a.protocol,
                                     "--triples",    a.triples,
                                     "--tls",        a.tls ? "on" : "off",
                                     "--latency-ms", std::to_string(a.latency_ms),
                                     "--repeat",     std::to_string(a.repeat)};
    const std::vector<std::string> ot = ot_argv(a);
    argv.insert(argv.end(), ot.begin(), ot.end());
    workers.push_back(
        spawn_process(argv, dir / fmt::format("{}.out", p), dir / fmt::format("{}.log", p)));
  }
  std::vector<json> reports;
  for (int p = 0; p < a.parties; ++p) {
    if (wait_process(workers[p], std::chrono::minutes(30)) != 0) {
      std::ifstream log(dir / fmt::format("{}.log", p));
      throw std::runtime_error(fmt::format("worker {} failed: {}", p,
                                           std::string((std::istreambuf_iterator<char>(log)), {})));
    }
    std::ifstream out(dir / fmt::format("{}.out", p));
    std::string line, last;
    while (std::getline(out, line))
      if (!line.empty()) last = line;
    reports.push_back(json::parse(last));
  }
  fs::remove_all(dir);

  json row;
  std::vector<double> offline(a.repeat, 0), online(a.repeat, 0);
  std::uint64_t bytes_off = 0, bytes_on = 0, rounds = 0;
  for (const auto& r : reports) {
    for (int i = 0; i < a.repeat; ++i) {
      offline[i] = std::max(offline[i], r["seconds_offline"][i].get<double>());
      online[i] = std::max(online[i], r["seconds_online"][i].get<double>());
    }
    bytes_off = std::max(bytes_off, r["bytes_offline"].get<std::uint64_t>());
    bytes_on = std::max(bytes_on, r["bytes_online"].get<std::uint64_t>());
    rounds = std::max(rounds, r["rounds_online"].get<std::uint64_t>());
  }
  row["seconds_offline"] = median(offline);
  row["seconds_online"] = median(online);
  row["seconds_online_spread"] = *std::max_element(online.begin(), online.end()) -
                                 *std::min_element(online.begin(), online.end());
  row["bytes_per_party_offline"] = bytes_off;
  row["bytes_per_party_online"] = bytes_on;
  std::uint64_t rounds_off = 0;
  for (const auto& r : reports)
    rounds_off = std::max(rounds_off, r.value("rounds_offline", std::uint64_t{0}));
  row["rounds_offline"] = rounds_off;
  row["rounds_online"] = rounds;
  row["protocol_detail"] = reports[0]["protocol"];
  for (const auto& r : reports) {
    row["peak_rss_bytes_per_party"].push_back(r.value("peak_rss_bytes", std::uint64_t{0}));
    if (r.contains("ots_offline")) {
      row["seconds_base_ots_per_party"].push_back(r["seconds_base_ots"]);
      row["ots_offline_per_party"].push_back(r["ots_offline"]);
    }
  }
  // OT: extended OTs per party (both directions), bytes per OT and per item of the workload
  // (a triple for mul, the one matrix triple for matmul).
  if (row.contains("ots_offline_per_party")) {
    const auto ots = row["ots_offline_per_party"][0].get<std::uint64_t>();
    row["ots_per_party_offline"] = ots;
    row["bytes_per_ot"] = ots ? static_cast<double>(bytes_off) / static_cast<double>(ots) : 0.0;
    const double items = a.op == "matmul" ? 1.0 : static_cast<double>(a.n);
    row["bytes_per_item_offline"] = static_cast<double>(bytes_off) / items;
  }
  return row;
}

}  // namespace
}  // namespace jointly::bench

int main(int argc, char** argv) {
  using namespace jointly::bench;
  CLI::App app{
      "jointly-bench: seconds, bytes and rounds per operation, one process per party over "
      "loopback.\n"
      "Exit codes: 0 ok; 1 bad arguments; 2 a run failed."};
  Args a;
  std::string tls = "on";
  app.add_option("--protocol", a.protocol,
                 "additive | shamir | replicated (no dealer, preprocessing inline)")
      ->check(CLI::IsMember([] {
        auto s = jointly::schemes();
        s.insert(s.end(), {"oprf", "ecdh"});  // --op psi
        return s;
      }()));
  app.add_option("--parties", a.parties, "number of parties")->check(CLI::Range(2, 16));
  app.add_option("--op", a.op,
                 "mul | matmul | relu | sigmoid | logreg (W4) | mlp (W5: 784-128-128-10 on "
                 "Fashion-MNIST, 1 epoch, batch 128) | triples (shamir: n dealer-free Beaver "
                 "triples, offline) | psi (--n ids per party, half common; --protocol oprf|ecdh)")
      ->check(
          CLI::IsMember({"mul", "matmul", "relu", "sigmoid", "logreg", "mlp", "triples", "psi"}));
  app.add_option("--images", a.images, "mlp: training images (default 60000, the full epoch)")
      ->check(CLI::Range(128L, 60000L));
  app.add_option("--n", a.n, "elements (mul, relu, sigmoid)")->check(CLI::Range(1L, 1L << 28));
  app.add_option("--shape", a.shape, "matmul shape MxKxP (W2: 128x784x128), with truncation");
  auto* triples = app.add_option("--triples", a.triples,
                                 "dealer (simulation only) | ot (2 parties, no dealer) | dn07 "
                                 "(shamir's own) | prss (replicated's own); default: the "
                                 "protocol's dealer-free source, never the dealer")
                      ->check(CLI::IsMember({"dealer", "ot", "dn07", "prss"}));
  auto* ot_flags = app.add_option_group("OT extension (triples ot; docs/ot.md)");
  ot_flags->add_option("--ot-extension", a.ot_extension, "softspoken (default) | iknp")
      ->check(CLI::IsMember({"softspoken", "iknp"}));
  ot_flags->add_option("--ot-k", a.ot.k, "SoftSpokenOT field size, 2..8 (default 4)");
  ot_flags->add_option("--ot-threads", a.ot.threads, "1 (default) or 2 threads per party");
  app.add_option("--tls", tls, "on | off")->check(CLI::IsMember({"on", "off"}));
  app.add_option("--latency-ms", a.latency_ms, "one-way delay added to every message")
      ->check(CLI::Range(0, 10000));
  app.add_option("--repeat", a.repeat, "runs; the median is reported")->check(CLI::Range(1, 100));
  app.add_flag("--json", a.json_out, "one JSON object on the last line of stdout");
  app.add_flag("--worker", a.worker)->group("");
  app.add_option("--dir", a.dir)->group("");
  app.add_option("--party", a.party)->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; a bad command line is bad input, exit 1 (not CLI11's own codes).
    return app.exit(e) == 0 ? 0 : 1;
  }
  // Unnamed: the dealer-free default (protocols/spec.h); the dealer is measured when named.
  if (triples->count() == 0 && a.op != "psi")
    a.triples = jointly::default_triples(a.protocol, a.parties).value_or("");
  a.tls = tls == "on";
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (a.op == "psi") {
      if (a.protocol != "additive" && a.protocol != "oprf" && a.protocol != "ecdh")
        throw std::invalid_argument("--op psi: --protocol oprf (default) or ecdh");
      json row = run_psi(a);
      row["op"] = "psi";
      row["n"] = a.n;
      row["tls"] = a.tls;
      std::cout << fmt::format("{:<6} {:<6} {:>9} {:<8} {:>10} {:>12} {:>14} {:>8} {:>12}\n", "op",
                               "proto", "n/party", "party", "PSI s", "s w/ load", "bytes sent",
                               "rounds", "peak RSS MB");
      for (const auto& p : row["parties_detail"]) {
        std::cout << fmt::format(
            "{:<6} {:<6} {:>9} {:<8} {:>10.3f} {:>12.3f} {:>14} {:>8} {:>12.1f}\n", "psi",
            row["protocol"].get<std::string>(), a.n, p["party"].get<std::string>(),
            p["seconds_psi"].get<double>(), p["seconds"].get<double>(), p["bytes_sent"].dump(),
            p["rounds"].dump(), p["peak_rss_mb"].get<double>());
      }
      if (a.json_out) std::cout << row.dump() << std::endl;
      return 0;
    }
    // The rules every binary shares (protocols/spec.h); the dealer's seed is made below.
    jointly::ProtocolSpec spec;
    spec.scheme = a.protocol;
    spec.parties = a.parties;
    spec.triples = a.triples;
    if (a.triples == "dealer") spec.dealer_seed = jointly::Seed{};
    a.ot.extension = jointly::ot::parse_extension(a.ot_extension, "--ot-extension");
    spec.ot = a.ot;
    spec.ot_named = ot_flags->count_all() > 0;
    spec.validate();
    if (a.op == "triples" && a.protocol != "shamir") {
      throw std::invalid_argument(
          "--op triples measures Shamir's dealer-free triples; additive triples are the "
          "offline phase of --op mul");
    }
    if (a.worker) return worker(a);
    const fs::path here = fs::canonical("/proc/self/exe");
    const bool training = a.op == "logreg" || a.op == "mlp";
    json row = training ? run_training(a, JOINTLY_SIM_PATH) : run_op_processes(a, here);
    row["op"] = a.op;
    row["protocol"] = a.protocol;
    row["parties"] = a.parties;
    row["triples"] = a.triples;
    row["n"] = a.op == "matmul"   ? json(a.shape)
               : a.op == "logreg" ? json(455)
               : a.op == "mlp"    ? json(a.images)
                                  : json(a.n);
    row["tls"] = a.tls;
    row["latency_ms"] = a.latency_ms;
    row["repeat"] = a.repeat;
    std::cout << fmt::format("{:<8} {:<9} {:>7} {:<7} {:>12} {:>10} {:>10} {:>14} {:>14} {:>8}\n",
                             "op", "protocol", "parties", "triples", "n", "offline s", "online s",
                             "offline B/pty", "online B/pty", "rounds")
              << fmt::format(
                     "{:<8} {:<9} {:>7} {:<7} {:>12} {:>10.4f} {:>10.4f} {:>14} {:>14} {:>8}\n",
                     a.op, a.protocol, a.parties, row["triples"].get<std::string>(),
                     row["n"].dump(), row["seconds_offline"].get<double>(),
                     row["seconds_online"].get<double>(), row["bytes_per_party_offline"].dump(),
                     row["bytes_per_party_online"].dump(), row["rounds_online"].dump());
    if (row.contains("ots_per_party_offline")) {
      std::cout << fmt::format(
          "OT ({}): {} OTs per party, {:.2f} B/OT, {:.1f} B per {}, peak RSS {:.1f} MB\n",
          a.ot.describe(), row["ots_per_party_offline"].get<std::uint64_t>(),
          row["bytes_per_ot"].get<double>(), row["bytes_per_item_offline"].get<double>(),
          a.op == "matmul" ? "matrix triple" : "triple",
          row["peak_rss_bytes_per_party"][0].get<std::uint64_t>() / 1e6);
    }
    if (row.contains("accuracy")) {
      std::cout << fmt::format("accuracy {:.4f} (plaintext {:.4f})\n",
                               row["accuracy"].get<double>(),
                               row["plaintext_accuracy"].get<double>());
    }
    if (a.json_out) std::cout << row.dump() << std::endl;
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "jointly-bench: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "jointly-bench: " << e.what() << std::endl;
    return 2;
  }
}
