#include "parties/sim/simulation.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "ml/data/csv.h"
#include "ml/data/idx.h"
#include "ml/data/partition.h"
#include "ml/data/standardize.h"
#include "ml/logreg/dp_logreg.h"
#include "ml/logreg/logreg.h"
#include "ml/mlp/dp_mlp.h"
#include "ml/mlp/mlp.h"
#include "ml/mlp/model.h"
#include "net/tcp/certs.h"
#include "parties/common/process.h"
#include "protocols/prg.h"
#include "protocols/spec.h"

namespace jointly::parties {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string party_name(int i) {
  static const char* kNames[] = {"hospital-a", "hospital-b", "hospital-c", "hospital-d",
                                 "hospital-e", "hospital-f", "hospital-g", "hospital-h"};
  return i < 8 ? kNames[i] : "party-" + std::to_string(i);
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string last_lines(const std::string& text, int count) {
  std::size_t at = text.size();
  for (int i = 0; i <= count && at > 0; ++i) {
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
  }
  return text.substr(at + 1);
}

struct Child {
  Process process;
  std::optional<int> code;
  fs::path out, log;
};

std::string toml_string(const std::string& s) { return nlohmann::json(s).dump(); }

// The MLP's keys of the consortium file (nothing for logistic regression).
std::string mlp_keys(const SimArgs& args) {
  if (args.model != "mlp") return "";
  std::string keys = fmt::format("hidden = [{}]\n", fmt::join(args.hidden, ", "));
  if (args.classes > 0) keys += fmt::format("classes = {}\n", args.classes);
  if (args.format != "csv") keys += "format = " + toml_string(args.format) + "\n";
  if (args.report_loss) keys += "report_loss = true\n";
  return keys;
}

// Writes a party's rows back as IDX files (square images when the pixel count is a square).
void save_idx_table(const fs::path& images, const fs::path& labels, const ml::Table& t) {
  const auto side = static_cast<std::uint32_t>(std::lround(std::sqrt(t.features.cols())));
  std::vector<std::uint32_t> dims = {static_cast<std::uint32_t>(t.rows())};
  if (Eigen::Index{side} * side == t.features.cols()) {
    dims.insert(dims.end(), {side, side});
  } else {
    dims.insert(dims.end(), {1, static_cast<std::uint32_t>(t.features.cols())});
  }
  std::vector<std::uint8_t> pixels, classes;
  for (Eigen::Index r = 0; r < t.rows(); ++r) {
    for (Eigen::Index c = 0; c < t.features.cols(); ++c)
      pixels.push_back(static_cast<std::uint8_t>(std::lround(t.features(r, c) * 255)));
    classes.push_back(static_cast<std::uint8_t>(t.labels(r)));
  }
  ml::save_idx(images, ml::kIdxImagesMagic, dims, pixels);
  ml::save_idx(labels, ml::kIdxLabelsMagic, {static_cast<std::uint32_t>(t.rows())}, classes);
}

std::string write_config(const SimArgs& args, const fs::path& dir,
                         const std::vector<std::uint16_t>& ports) {
  std::ostringstream c;
  c << "# Written by jointly-sim for one run on this machine; see docs/config.md.\n"
    << "protocol = " << toml_string(args.protocol) << "\n"
    << "triples = " << toml_string(args.triples) << "\n"
    << "model = " << toml_string(args.model) << "\n"
    << mlp_keys(args) << "epochs = " << args.epochs << "\nbatch = " << args.batch << "\n"
    << "learning_rate = " << fmt::format("{}", args.learning_rate) << "\n"
    << "label = " << toml_string(args.label) << "\nsplit = " << toml_string(args.split) << "\n"
    << (args.protocol == "additive" ? "truncation = " + toml_string(args.truncation) + "\n" : "")
    << "receivers = [" << toml_string(party_name(0)) << "]\n"
    << "timeout_s = " << args.timeout_s << "\n"
    << "tls = " << (args.tls ? "true" : "false") << "\n";
  if (args.ot_named) {
    c << "ot_extension = " << toml_string(ot::extension_name(args.ot.extension)) << "\n"
      << "ot_k = " << args.ot.k << "\not_threads = " << args.ot.threads << "\n";
  }
  if (args.triples == "dealer")
    c << "dealer_seed = \"" << seed_hex(random_seed()) << "\"  # SIMULATION ONLY\n";
  // A table last: every key after it would belong to it.
  if (args.dp_epsilon || args.dp_noise) {
    c << "\n[dp]\ndelta = " << fmt::format("{}", args.dp_delta)
      << "\nclip = " << fmt::format("{}", args.dp_clip) << "\n";
    if (args.dp_epsilon) c << "epsilon = " << fmt::format("{}", *args.dp_epsilon) << "\n";
    if (args.dp_noise) c << "noise = " << fmt::format("{}", *args.dp_noise) << "\n";
    c << "\n";
  }
  for (int i = 0; i < args.parties; ++i) {
    c << "\n[[party]]\nname = " << toml_string(party_name(i))
      << "\nhost = \"127.0.0.1\"\nport = " << ports[i]
      << "\ncert = " << toml_string("keys/" + party_name(i) + ".crt") << "\n";
  }
  const fs::path path = dir / "consortium.toml";
  std::ofstream(path) << c.str();
  return path.string();
}

struct Reference {
  std::string model;  // "logreg", or "mlp 64-32-10"
  std::optional<double> test_accuracy;
  double max_weight_difference = 0;  // against the receiver's opened model
  std::vector<double> losses;        // report_loss: the MLP's squared error of each epoch
};

std::vector<int> int_labels(const Eigen::VectorXd& labels) {
  std::vector<int> out(static_cast<std::size_t>(labels.size()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<int>(labels(static_cast<Eigen::Index>(i)));
  return out;
}

Reference plaintext_reference(const SimArgs& args, const ml::Table& pooled,
                              const nlohmann::json& receiver) {
  const bool idx = args.format == "idx";
  // IDX pixels train as they are; CSV columns with the joint standardisation.
  ml::Standardizer s;
  if (idx) {
    s.mean = Eigen::RowVectorXd::Zero(pooled.features.cols());
    s.stddev = Eigen::RowVectorXd::Ones(pooled.features.cols());
  } else {
    s = ml::Standardizer::fit(pooled.features);
  }
  std::optional<ml::Table> test;
  if (args.test) {
    test = idx ? ml::load_idx_table(*args.test, *args.test_labels)
               : ml::load_csv(*args.test, args.label);
  }
  ml::SgdConfig sgd;
  sgd.epochs = args.epochs;
  sgd.batch = args.batch;
  sgd.learning_rate = args.learning_rate;
  Reference ref;
  if (args.model == "logreg") {
    ref.model = "logreg";
    const Eigen::MatrixXd x = ml::with_bias(s.apply(pooled.features));
    Eigen::VectorXd w;
    if (receiver.contains("dp")) {
      ref.model = "logreg, DP-SGD";
      ml::DpConfig dp;
      dp.noise = receiver["dp"]["noise"].get<double>();
      dp.clip = receiver["dp"]["clip"].get<double>();
      w = ml::train_logreg_dp_plain(x, pooled.labels, sgd, dp, args.dp_reference_seed);
    } else {
      w = ml::train_logreg_plain(x, pooled.labels, sgd);
    }
    if (test)
      ref.test_accuracy = ml::accuracy(ml::with_bias(s.apply(test->features)), test->labels, w);
    const auto& opened = receiver["weights"];
    for (Eigen::Index i = 0; i < w.size(); ++i) {
      ref.max_weight_difference =
          std::max(ref.max_weight_difference,
                   std::fabs(opened[static_cast<std::size_t>(i)].get<double>() - w(i)));
    }
    return ref;
  }
  ml::MlpConfig config;
  config.layers = receiver["layers"].get<std::vector<int>>();
  config.sgd = sgd;
  ref.model = fmt::format("mlp {}", fmt::join(config.layers, "-"));
  const Eigen::MatrixXd x = s.apply(pooled.features);
  const std::vector<int> labels = int_labels(pooled.labels);
  // With report_loss the reference records the squared error exactly as the parties open it.
  ml::MlpPlain plain;
  if (receiver.contains("dp")) {
    ref.model += ", DP-SGD";
    ml::DpConfig dp;
    dp.noise = receiver["dp"]["noise"].get<double>();
    dp.clip = receiver["dp"]["clip"].get<double>();
    plain = ml::train_mlp_dp_plain(x, labels, config, dp, args.dp_reference_seed);
  } else {
    plain = ml::train_mlp_plain(x, labels, config, {}, args.report_loss ? &ref.losses : nullptr);
  }
  if (test)
    ref.test_accuracy = ml::mlp_accuracy(plain, s.apply(test->features), int_labels(test->labels));
  if (receiver.contains("model")) {
    const ml::MlpModel opened = ml::load_mlp_model(receiver["model"].get<std::string>());
    ref.max_weight_difference = ml::max_abs_diff(opened.params, plain);
  }
  return ref;
}

}  // namespace

int run_simulation(const SimArgs& args) {
  const auto start = Clock::now();
  if (args.parties < 2) throw std::invalid_argument("--parties must be at least 2");
  // The same rules as every party's (protocols/spec.h), checked before anything starts. The
  // dealer's seed is written into the consortium file below.
  ProtocolSpec spec;
  spec.scheme = args.protocol;
  spec.parties = args.parties;
  spec.triples = args.triples;
  if (args.protocol == "additive") spec.truncation = args.truncation;
  if (spec.resolved().triples == "dealer") spec.dealer_seed = Seed{};
  spec.ot = args.ot;
  spec.ot_named = args.ot_named;
  spec.validate();
  const bool idx = args.format == "idx";
  if (idx) {
    if (args.model != "mlp" || args.split != "rows" || args.compute_node)
      throw std::invalid_argument("--format idx trains --model mlp on rows split by --split rows");
    if (args.data.size() != 2 || (args.test && !args.test_labels))
      throw std::invalid_argument(
          "--format idx: --data IMAGES,LABELS and --test IMAGES,LABELS (IDX files)");
  } else if (args.data.size() != 1 && static_cast<int>(args.data.size()) != args.parties) {
    throw std::invalid_argument(fmt::format(
        "--data takes one file (split by --split) or {} files (one per party)", args.parties));
  }

  // The parties' rows (or columns), in party order: the plaintext reference trains on their
  // union, `pooled`, which is the one file's table when there is one.
  const bool by_columns = args.split == "columns";
  if (args.compute_node && by_columns)
    throw std::invalid_argument("--compute-node: a party without data needs --split rows");
  // With --compute-node the last party holds no rows.
  const int holders = args.compute_node ? args.parties - 1 : args.parties;
  std::vector<ml::Table> parts;
  if (args.data.size() == 1 || idx) {
    const ml::Table all = idx ? ml::load_idx_table(args.data[0], args.data[1], args.images)
                              : ml::load_csv(args.data[0], args.label);
    if (all.rows() < args.parties)
      throw std::invalid_argument(args.data[0].string() + " has fewer rows than parties");
    if (by_columns) {
      parts = ml::split_columns(all, args.parties);
    } else {
      for (int p = 0; p < args.parties; ++p) {
        const Eigen::Index first = all.rows() * std::min(p, holders) / holders,
                           last = all.rows() * std::min(p + 1, holders) / holders;
        parts.push_back(ml::slice_rows(all, first, last - first));
      }
    }
  } else {
    ml::CsvOptions options;
    options.label = args.label;
    if (by_columns) {
      options.id = ml::kIdColumn;
      options.require_label = false;
    }
    for (std::size_t p = 0; p < args.data.size(); ++p) {
      options.allow_no_rows = static_cast<int>(p) >= holders;
      parts.push_back(ml::load_csv(args.data[p], options));
    }
  }
  ml::Table pooled = by_columns ? ml::join_columns(parts) : parts[0];
  for (int p = 1; !by_columns && p < args.parties; ++p) {
    Eigen::MatrixXd f(pooled.rows() + parts[p].rows(), pooled.features.cols());
    f << pooled.features, parts[p].features;
    Eigen::VectorXd l(f.rows());
    l << pooled.labels, parts[p].labels;
    pooled.features = std::move(f);
    pooled.labels = std::move(l);
  }

  char pattern[] = "/tmp/jointly-sim-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary folder");
  const fs::path dir = pattern;
  struct Cleanup {
    fs::path dir;
    bool keep;
    ~Cleanup() {
      if (!keep) fs::remove_all(dir);
    }
  } cleanup{dir, args.keep};

  for (int p = 0; p < args.parties; ++p) {
    net::write_identity(dir / "keys", party_name(p), net::generate_identity(party_name(p)));
  }
  const std::string config = write_config(args, dir, free_loopback_ports(args.parties));

  std::cerr << fmt::format(
      "jointly-sim: {} parties ({}), {} {} on {} rows x {} features split by {}, "
      "{} epochs, batch {}; work folder {}\n",
      args.parties, args.protocol, args.model,
      args.triples == "dealer" ? "with SIMULATED-DEALER triples"
      : args.triples == "ot"   ? "with OT triples (no dealer)"
      : args.triples == "prss" ? "with pairwise PRG keys (no dealer)"
                               : "with DN07 randomness (no dealer)",
      pooled.rows(), pooled.features.cols(), args.split, args.epochs, args.batch, dir.string());

  std::vector<Child> children(static_cast<std::size_t>(args.parties));
  for (int p = 0; p < args.parties; ++p) {
    const bool split_here = args.data.size() == 1 || idx;
    fs::path data = !split_here ? args.data[p]
                    : idx       ? dir / (party_name(p) + ".images.idx")
                                : dir / (party_name(p) + ".csv");
    const fs::path labels = dir / (party_name(p) + ".labels.idx");
    if (idx) {
      save_idx_table(data, labels, parts[p]);
    } else if (split_here) {
      ml::save_csv(data, parts[p], args.label);
    }
    std::vector<std::string> argv = {args.party_binary.string(),
                                     "--config",
                                     config,
                                     "--party",
                                     party_name(p),
                                     "--key",
                                     (dir / "keys" / (party_name(p) + ".key")).string(),
                                     "--data",
                                     data.string(),
                                     "--audit",
                                     (dir / (party_name(p) + ".audit.log")).string(),
                                     "--checkpoint-dir",
                                     (dir / "checkpoints").string()};
    if (p >= holders) argv.push_back("--compute-node");
    if (args.overlap) argv.push_back("--overlap");
    if (idx) argv.insert(argv.end(), {"--labels", labels.string()});
    if (p == 0) {
      if (args.test) argv.insert(argv.end(), {"--test", args.test->string()});
      if (args.test && idx) argv.insert(argv.end(), {"--test-labels", args.test_labels->string()});
      argv.insert(argv.end(), {"--out", (dir / "model.json").string()});
    }
    Child& c = children[p];
    c.out = dir / (party_name(p) + ".out");
    c.log = dir / (party_name(p) + ".log");
    // Party 0 shows its progress on our stderr; the others log to files shown on failure.
    c.process = spawn_process(argv, c.out, p == 0 ? std::nullopt : std::optional<fs::path>(c.log));
  }

  // Wait for every party; once one fails, give the others the peer timeout to notice.
  const auto overall = std::chrono::seconds(args.timeout_s) * 20 + std::chrono::seconds(60);
  std::optional<Clock::time_point> first_failure;
  for (int remaining = args.parties; remaining > 0;) {
    for (auto& c : children) {
      if (c.code) continue;
      c.code = poll_process(c.process);
      if (!c.code) continue;
      --remaining;
      if (*c.code != 0 && !first_failure) first_failure = Clock::now();
    }
    const bool stuck =
        first_failure && Clock::now() - *first_failure > std::chrono::seconds(args.timeout_s + 5);
    if (remaining > 0 && (stuck || Clock::now() - start > overall)) {
      for (auto& c : children) {
        if (!c.code) kill_process(c.process);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  bool ok = true;
  for (int p = 0; p < args.parties; ++p) {
    const Child& c = children[p];
    if (*c.code == 0) continue;
    ok = false;
    std::cerr << fmt::format(
        "jointly-sim: {} failed ({}){}\n", party_name(p),
        *c.code > 128 ? "killed" : "exit code " + std::to_string(*c.code),
        p == 0 ? "" : ", last lines of its log:\n" + last_lines(read_all(c.log), 5));
  }
  if (!ok) return 2;

  std::vector<nlohmann::json> results;
  for (const auto& c : children) {
    const std::string out = read_all(c.out);
    results.push_back(nlohmann::json::parse(last_lines(out, 1)));
  }

  // The plaintext reference: the same training on the pooled data, in double precision, with
  // the same initial weights, batches and order.
  const Reference reference = plaintext_reference(args, pooled, results[0]);

  nlohmann::json summary;
  summary["parties"] = args.parties;
  summary["protocol"] = results[0]["protocol"];
  summary["model"] = args.model;
  if (args.model == "mlp") {
    summary["layers"] = results[0]["layers"];
    if (results[0].contains("losses")) summary["losses"] = results[0]["losses"];
    summary["plaintext_losses"] = reference.losses;
  }
  summary["epochs"] = args.epochs;
  summary["batch"] = args.batch;
  summary["rows"] = pooled.rows();
  std::uint64_t bytes = 0, max_bytes = 0, rounds = 0, offline_bytes = 0, online_bytes = 0;
  std::uint64_t online_rounds = 0;
  double seconds = 0, training = 0, offline = 0;
  for (const auto& r : results) {
    const std::uint64_t b = r["bytes_sent"].get<std::uint64_t>();
    bytes += b;
    max_bytes = std::max(max_bytes, b);
    rounds = std::max(rounds, r["rounds"].get<std::uint64_t>());
    seconds = std::max(seconds, r["seconds"].get<double>());
    training = std::max(training, r["seconds_training"].get<double>());
    // The offline phase (OT triples made before training) apart from the online phase.
    offline = std::max(offline, r.value("seconds_offline", 0.0));
    offline_bytes = std::max(offline_bytes, r.value("offline_bytes_sent", std::uint64_t{0}));
    online_bytes = std::max(online_bytes, r.value("online_bytes_sent", b));
    online_rounds = std::max(online_rounds, r.value("online_rounds", std::uint64_t{0}));
  }
  summary["seconds"] = seconds;
  summary["seconds_training"] = training;
  summary["seconds_offline"] = offline;
  summary["bytes_offline_max_party"] = offline_bytes;
  summary["bytes_online_max_party"] = online_bytes;
  summary["rounds_online"] = online_rounds;
  summary["seconds_wall"] = std::chrono::duration<double>(Clock::now() - start).count();
  summary["bytes_sent"] = bytes;
  summary["bytes_sent_max_party"] = max_bytes;
  summary["rounds"] = rounds;
  for (const auto& r : results) {
    summary["peak_rss_bytes_per_party"].push_back(r.value("peak_rss_bytes", std::uint64_t{0}));
    summary["seconds_offline_per_party"].push_back(r.value("seconds_offline", 0.0));
  }
  if (results[0].contains("dp")) summary["dp"] = results[0]["dp"];
  if (args.test) {
    summary["accuracy"] = results[0]["accuracy"];
    summary["plaintext_accuracy"] = reference.test_accuracy.value_or(0.0);
    summary["test_rows"] = results[0]["test_rows"];
  }
  const double max_diff = reference.max_weight_difference;
  summary["max_weight_difference"] = max_diff;

  std::cout << "\n== jointly-sim summary ==\n"
            << fmt::format("  protocol        {}\n", results[0]["protocol"].get<std::string>())
            << fmt::format(
                   "  training        {} on {} rows from {} parties, {} epochs, batch {}, lr {}\n",
                   reference.model, pooled.rows(), args.parties, args.epochs, args.batch,
                   args.learning_rate);
  if (args.test) {
    std::cout << fmt::format(
        "  test accuracy   secure {:.2f}%   plaintext reference {:.2f}%   ({} rows of {})\n",
        100 * summary["accuracy"].get<double>(), 100 * summary["plaintext_accuracy"].get<double>(),
        summary["test_rows"].get<Eigen::Index>(), args.test->string());
  }
  if (!reference.losses.empty() && results[0].contains("losses")) {
    std::cout << fmt::format(
        "  last loss       secure {:.4f}   plaintext reference {:.4f}   "
        "(squared error of the class probabilities)\n",
        results[0]["losses"].back().get<double>(), reference.losses.back());
  }
  std::cout
      << fmt::format("  weights         largest difference from the plaintext reference {:.4f}\n",
                     max_diff)
      << fmt::format(
             "  time            {:.2f} s per party ({}{:.2f} s training), {:.2f} s wall "
             "with start-up\n",
             seconds, offline > 0 ? fmt::format("{:.2f} s offline, ", offline) : std::string(),
             training, summary["seconds_wall"].get<double>())
      << fmt::format("  traffic         {:.2f} MB sent in total, {:.2f} MB by the busiest party\n",
                     bytes / 1e6, max_bytes / 1e6)
      << fmt::format("  rounds          {}\n", rounds);
  if (args.json) std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace jointly::parties
