#include "consortium_fixture.h"

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ml/data/csv.h"
#include "ml/data/partition.h"
#include "ml/data/standardize.h"
#include "ml/logreg/logreg.h"

namespace jointly::e2e {

void ConsortiumTest::SetUp() {
  std::string pattern = (fs::temp_directory_path() / "jointly-e2e-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
}

void ConsortiumTest::TearDown() {
  children_.clear();  // kills and reaps anything still running
  if (HasFailure() || std::getenv("JOINTLY_E2E_KEEP") != nullptr) {
    std::cerr << "e2e: keeping the work folder " << dir_.string() << " for inspection\n";
    if (HasFailure()) std::cerr << logs();
    return;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string ConsortiumTest::name(int p) {
  return "hospital-" + std::string(1, static_cast<char>('a' + p));
}

void ConsortiumTest::keygen(const std::string& who, const fs::path& out_dir) {
  const std::string tag = "keygen-" + who + "-" + std::to_string(::getpid());
  ChildProcess k = ChildProcess::start({JOINTLY_KEYGEN, "--name", who, "--out", out_dir.string()},
                                       dir_ / (tag + ".out"), dir_ / (tag + ".err"));
  ASSERT_EQ(k.wait_or_kill(std::chrono::seconds(20)), 0) << read_file(dir_ / (tag + ".err"));
  fs::remove(dir_ / (tag + ".out"));
  fs::remove(dir_ / (tag + ".err"));
}

void ConsortiumTest::make_consortium(const ConsortiumSpec& spec) {
  spec_ = spec;
  ports_ = free_ports(spec.parties);
  for (int p = 0; p < spec.parties; ++p) {
    keygen(name(p), dir_ / "keys");
    if (HasFatalFailure()) return;
  }
  std::ostringstream c;
  c << "protocol = \"" << spec.protocol << "\"\ntriples = \"" << spec.triples << "\"\nmodel = \""
    << spec.model << "\"\n"
    << (spec.model == "mlp" ? fmt::format("hidden = [{}]\n", fmt::join(spec.hidden, ", ")) : "")
    << "epochs = " << spec.epochs << "\nbatch = " << spec.batch << "\n"
    << "learning_rate = " << fmt::format("{}", spec.learning_rate) << "\n"
    << "shuffle_seed = " << spec.shuffle_seed << "\n"
    << "label = \"label\"\nsplit = \"" << spec.split << "\"\n"
    << (spec.protocol == "additive" ? "truncation = \"pair\"\n" : "") << "receivers = [";
  for (std::size_t i = 0; i < spec.receivers.size(); ++i)
    c << (i > 0 ? ", " : "") << "\"" << name(spec.receivers[i]) << "\"";
  c << "]\n"
    << "timeout_s = " << spec.timeout_s << "\nconnect_timeout_s = " << spec.connect_timeout_s
    << "\ntls = " << (spec.tls ? "true" : "false") << "\n";
  if (spec.triples == "dealer") c << "dealer_seed = \"000102030405060708090a0b0c0d0e0f\"\n";
  c << spec.ot_keys;
  for (int p = 0; p < spec.parties; ++p) {
    c << "\n[[party]]\nname = \"" << name(p) << "\"\nhost = \"127.0.0.1\"\nport = " << ports_[p]
      << "\ncert = \"keys/" << name(p) << ".crt\"\n";
  }
  config_text_ = c.str();
  std::ofstream(dir_ / "consortium.toml") << config_text_;

  const ml::Table all = ml::load_csv(spec.train_csv, "label");
  if (spec.split == "columns") {
    const std::vector<ml::Table> parts = ml::split_columns(all, spec.parties);
    for (int p = 0; p < spec.parties; ++p) ml::save_csv(csv_of(p), parts[p], "label");
    return;
  }
  for (int p = 0; p < spec.parties; ++p) {
    const Eigen::Index first = all.rows() * p / spec.parties,
                       last = all.rows() * (p + 1) / spec.parties;
    ml::save_csv(csv_of(p), ml::slice_rows(all, first, last - first), "label");
  }
}

fs::path ConsortiumTest::copy_site(const std::string& folder,
                                   const std::optional<std::string>& text) {
  const fs::path site = dir_ / folder;
  fs::create_directories(site / "keys");
  for (int p = 0; p < spec_.parties; ++p) {
    const fs::path cert = dir_ / "keys" / (name(p) + ".crt");
    fs::copy_file(cert, site / "keys" / cert.filename(), fs::copy_options::overwrite_existing);
  }
  std::ofstream(site / "consortium.toml") << text.value_or(config_text_);
  return site;
}

std::vector<int> ConsortiumTest::run_all(bool resume, std::chrono::milliseconds limit) {
  children_.clear();
  for (int p = 0; p < spec_.parties; ++p) {
    PartyLaunch launch;
    launch.resume = resume;
    children_.push_back(start_party(p, launch));
  }
  return wait_all(limit);
}

ChildProcess ConsortiumTest::start_party(int p, const PartyLaunch& launch) {
  std::vector<std::string> argv = {JOINTLY_PARTY,
                                   "--config",
                                   launch.config.value_or(dir_ / "consortium.toml").string(),
                                   "--party",
                                   name(p),
                                   "--key",
                                   launch.key.value_or(key_of(p)).string(),
                                   "--data",
                                   launch.data.value_or(csv_of(p)).string(),
                                   "--audit",
                                   launch.audit.value_or(audit_of(p)).string(),
                                   "--checkpoint-dir",
                                   checkpoint_dir().string()};
  if (launch.test) argv.insert(argv.end(), {"--test", spec_.test_csv});
  if (launch.out) argv.insert(argv.end(), {"--out", model_of(p).string()});
  if (launch.resume) argv.push_back("--resume");
  if (launch.overlap) argv.push_back("--overlap");
  return ChildProcess::start(argv, out_of(p), err_of(p));
}

void ConsortiumTest::start_all() {
  for (int p = 0; p < spec_.parties; ++p) children_.push_back(start_party(p));
}

void ConsortiumTest::wait_until_logged(int p, const std::string& text,
                                       std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (stderr_of(p).find(text) == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << name(p) << " never logged '" << text << "'\n"
        << logs();
    for (std::size_t q = 0; q < children_.size(); ++q)
      ASSERT_FALSE(children_[q].poll()) << name(static_cast<int>(q)) << " ended early\n" << logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<int> ConsortiumTest::wait_all(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<int> codes;
  for (auto& c : children_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    codes.push_back(c.wait_or_kill(std::max(left, std::chrono::milliseconds(0))));
  }
  return codes;
}

std::vector<int> ConsortiumTest::run_consortium(const ConsortiumSpec& spec,
                                                std::chrono::milliseconds limit) {
  make_consortium(spec);
  if (HasFatalFailure()) return {};
  start_all();
  return wait_all(limit);
}

std::string ConsortiumTest::logs() const {
  std::string all;
  for (int p = 0; p < spec_.parties; ++p) {
    all += "---- " + name(p) + " stderr ----\n" + stderr_of(p);
    all += "---- " + name(p) + " stdout (last line) ----\n" + last_line(out_of(p)) + "\n";
  }
  return all;
}

nlohmann::json ConsortiumTest::result_of(int p) const {
  const std::string line = last_line(out_of(p));
  try {
    return nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << name(p) << "'s last stdout line is not JSON (" << e.what() << "): " << line;
    return nlohmann::json::object();
  }
}

PlaintextReference plaintext_reference(const ml::Table& train, const ConsortiumSpec& spec) {
  const ml::Table test = ml::load_csv(kTestCsv, "label");
  const ml::Standardizer s = ml::Standardizer::fit(train.features);
  ml::SgdConfig sgd;
  sgd.epochs = spec.epochs;
  sgd.batch = spec.batch;
  sgd.learning_rate = spec.learning_rate;
  sgd.shuffle_seed = spec.shuffle_seed;
  PlaintextReference r;
  r.weights = ml::train_logreg_plain(ml::with_bias(s.apply(train.features)), train.labels, sgd);
  r.accuracy = ml::accuracy(ml::with_bias(s.apply(test.features)), test.labels, r.weights);
  return r;
}

PlaintextReference expect_matches_reference(const nlohmann::json& receiver,
                                            const ConsortiumSpec& spec) {
  const PlaintextReference reference = plaintext_reference(ml::load_csv(kTrainCsv, "label"), spec);
  if (!receiver.contains("weights") || !receiver.contains("accuracy")) {
    ADD_FAILURE() << "the receiver's summary holds no weights or accuracy: " << receiver.dump();
    return reference;
  }
  const auto weights = receiver["weights"].get<std::vector<double>>();
  EXPECT_EQ(weights.size(), static_cast<std::size_t>(reference.weights.size()));
  for (std::size_t i = 0;
       i < weights.size() && i < static_cast<std::size_t>(reference.weights.size()); ++i) {
    EXPECT_NEAR(weights[i], reference.weights(static_cast<Eigen::Index>(i)), kWeightTolerance)
        << "weight " << i;
  }
  EXPECT_NEAR(receiver["accuracy"].get<double>(), reference.accuracy, kOneTestRow + 1e-9)
      << "more than one test row from the plaintext reference";
  return reference;
}

SimRun read_sim_run(const fs::path& out, const fs::path& err) {
  SimRun run;
  try {
    run.summary = nlohmann::json::parse(last_line(out));
  } catch (const nlohmann::json::exception&) {
    ADD_FAILURE() << "jointly-sim's last stdout line is not JSON: " << last_line(out);
    return run;
  }
  const std::string log = read_file(err);
  const auto at = log.find("work folder ");
  if (at == std::string::npos) {
    ADD_FAILURE() << "jointly-sim names no work folder (was it run with --keep?):\n" << log;
    return run;
  }
  run.work = log.substr(at + 12, log.find('\n', at) - at - 12);
  try {
    run.receiver = nlohmann::json::parse(last_line(run.work / "hospital-a.out"));
  } catch (const nlohmann::json::exception&) {
    ADD_FAILURE() << "hospital-a's last stdout line is not JSON: "
                  << last_line(run.work / "hospital-a.out");
  }
  return run;
}

double predict_accuracy(const fs::path& model, const fs::path& dir) {
  ChildProcess predict =
      ChildProcess::start({JOINTLY_PARTY, "--predict", model.string(), "--data", kTestCsv},
                          dir / "predict.out", dir / "predict.err");
  const int code = predict.wait_or_kill(std::chrono::seconds(30));
  const std::string report = read_file(dir / "predict.err");
  if (code != 0 || report.rfind("accuracy ", 0) != 0) {
    ADD_FAILURE() << "jointly-party --predict exited with " << code << ":\n" << report;
    return -1;
  }
  return std::stod(report.substr(9));
}

}  // namespace jointly::e2e
