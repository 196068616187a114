// jointly-party: one organisation's process. See docs/config.md and `jointly-party --help`.
#include <malloc.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ml/data/csv.h"
#include "ml/data/idx.h"
#include "ml/logreg/model.h"
#include "ml/mlp/model.h"
#include "parties/common/audit.h"
#include "parties/party/program.h"

namespace {

// --predict with an MLP model: one line per row, the predicted class then every class's
// probability; the accuracy on stderr when the rows have labels.
int predict_mlp(const std::filesystem::path& path, const std::filesystem::path& data,
                const std::string& labels, const std::string& label) {
  using namespace jointly;
  const ml::MlpModel model = ml::load_mlp_model(path);
  ml::Table table;
  std::vector<int> truth;
  if (model.input == "idx") {
    if (labels.empty()) {
      table.features = ml::load_idx_images(data).pixels;
    } else {
      const ml::IdxDataset d = ml::load_idx(data, labels);
      table.features = d.images;
      truth = d.labels;
    }
    if (table.features.cols() != static_cast<Eigen::Index>(model.feature_names.size())) {
      throw ml::DataError(data.string() + ": images of " + std::to_string(table.features.cols()) +
                          " pixels, the model takes " + std::to_string(model.feature_names.size()));
    }
  } else {
    if (!labels.empty())
      throw ml::DataError(path.string() + " reads CSV rows: --labels is for IDX models");
    ml::CsvOptions options;
    options.label = label;
    options.require_label = false;
    table = ml::load_csv(data, options);
    if (table.feature_names != model.feature_names) {
      throw ml::DataError(data.string() + ": columns differ from the model's features");
    }
    for (Eigen::Index i = 0; i < table.labels.size(); ++i)
      truth.push_back(static_cast<int>(table.labels(i)));
  }
  const Eigen::MatrixXd p = model.probabilities(table.features);
  Eigen::Index right = 0;
  std::string out;
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    Eigen::Index best = 0;
    p.row(i).maxCoeff(&best);
    out += fmt::format("{} {:.6f}\n", best, fmt::join(p.row(i), " "));
    if (!truth.empty()) right += best == truth[static_cast<std::size_t>(i)];
  }
  std::cout << out;
  if (!truth.empty()) {
    std::cerr << fmt::format("accuracy {} on {} rows of {}\n",
                             static_cast<double>(right) / static_cast<double>(p.rows()), p.rows(),
                             data.string());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "jointly-party: run this organisation's side of a joint training.\n"
      "Every party runs it with the same consortium file; each reads only its own data.\n"
      "Exit codes: 0 ok; 1 bad input (command line, config, key, data, checkpoint, own port "
      "in use); 2 a peer failed, refused us or timed out; 3 internal error."};
  jointly::parties::PartyArgs args;
  std::string test, out;
  bool quiet = false;
  std::string audit, verify, predict, label = "label";
  app.add_option("--verify-audit", verify,
                 "only check an audit log's hash chain and exit (0 intact, 1 broken)");
  app.add_option("--config", args.config, "consortium file (TOML), identical on every party")
      ->check(CLI::ExistingFile);
  app.add_option("--party", args.party, "this party's name in the consortium file");
  app.add_option("--key", args.key, "this party's private key (from jointly-keygen)")
      ->check(CLI::ExistingFile);
  app.add_option("--data", args.data, "this party's training rows (CSV with a header)")
      ->check(CLI::ExistingFile);
  std::string labels, test_labels;
  app.add_option("--labels", labels,
                 "format = \"idx\": the IDX labels file of the --data images (also for "
                 "--predict with an IDX model)")
      ->check(CLI::ExistingFile);
  app.add_option("--test", test, "test CSV (or IDX images): receivers report the accuracy on it")
      ->check(CLI::ExistingFile);
  app.add_option("--test-labels", test_labels, "format = \"idx\": the --test images' labels")
      ->check(CLI::ExistingFile);
  app.add_option("--audit", audit,
                 "append every opening to this hash-chained log (default: <party>.audit.log)");
  app.add_option("--out", out, "receivers write the trained model here (JSON)");
  app.add_flag("--quiet", quiet, "no progress lines");
  std::string checkpoint_dir;
  app.add_option("--checkpoint-dir", checkpoint_dir,
                 "after every epoch write this party's checkpoint here, mode 0600 (default: "
                 "<party>.checkpoints)");
  app.add_flag("--compute-node", args.compute_node,
               "this party contributes no rows (a compute node): --data holds only the header "
               "row; it holds shares and computes, and gets the model only as a receiver");
  app.add_flag("--overlap", args.overlap,
               "triples = \"ot\": make the next epoch's triples while this epoch trains (every "
               "party must pass it; docs/ot.md)");
  app.add_flag("--resume", args.resume,
               "continue from the last epoch that every party checkpointed (every party must "
               "be started with --resume)");
  app.add_option("--predict", predict,
                 "only score --data with a trained model (JSON from --out) and exit: prints one "
                 "line per row (logistic regression: the probability of class 1; MLP: the "
                 "predicted class, then every class's probability), and the accuracy on stderr "
                 "if the rows have labels");
  app.add_option("--label", label, "label column for --predict (optional in the CSV)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; a bad command line (a missing --key or --data file, say) is bad input: 1,
    // not CLI11's own codes (105 and so on).
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (!verify.empty()) {
    const auto check = jointly::parties::verify_audit_log(verify);
    if (!check.ok) {
      std::cerr << verify << ": " << check.error << std::endl;
      return 1;
    }
    std::cout << verify << ": intact, " << check.lines << " entries, last hash " << check.last_hash
              << std::endl;
    return 0;
  }
  if (!predict.empty()) {
    try {
      if (jointly::ml::model_format(predict) == jointly::ml::kMlpModelFormat) {
        return predict_mlp(predict, args.data, labels, label);
      }
      const auto model = jointly::ml::load_model(predict);
      jointly::ml::CsvOptions options;
      options.label = label;
      options.require_label = false;
      const auto table = jointly::ml::load_csv(args.data, options);
      if (table.feature_names != model.feature_names) {
        throw jointly::ml::DataError(args.data.string() +
                                     ": columns differ from the model's features");
      }
      const Eigen::VectorXd p = model.predict(table.features);
      for (Eigen::Index i = 0; i < p.size(); ++i) std::cout << p(i) << "\n";
      if (table.labels.size() > 0) {
        Eigen::Index right = 0;
        for (Eigen::Index i = 0; i < p.size(); ++i)
          right += (p(i) >= 0.5) == (table.labels(i) >= 0.5);
        std::cerr << "accuracy " << static_cast<double>(right) / static_cast<double>(p.size())
                  << " on " << p.size() << " rows of " << args.data.string() << std::endl;
      }
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "jointly-party --predict: " << e.what() << std::endl;
      return 1;
    }
  }
  if (args.config.empty() || args.party.empty() || args.key.empty() || args.data.empty()) {
    std::cerr << "jointly-party: --config, --party, --key and --data are required (see --help)"
              << std::endl;
    return 1;
  }
  args.audit = audit.empty() ? std::filesystem::path(args.party + ".audit.log")
                             : std::filesystem::path(audit);
  args.checkpoint_dir = checkpoint_dir.empty() ? std::filesystem::path(args.party + ".checkpoints")
                                               : std::filesystem::path(checkpoint_dir);
  if (!test.empty()) args.test = test;
  if (!out.empty()) args.out = out;
  if (!labels.empty()) args.labels = labels;
  if (!test_labels.empty()) args.test_labels = test_labels;
  args.progress = !quiet;
  std::signal(SIGPIPE, SIG_IGN);
  // Training allocates and frees tensors of megabytes every step. glibc would hand blocks over
  // 128 KiB back to the kernel on free and take page faults to get them again (about a third
  // of a W5 party's start-up on this machine's VM); keep them in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  try {
    const auto result = jointly::parties::run_party(args, std::cerr);
    std::cout << result.dump() << std::endl;  // one JSON object on the last line of stdout
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "jointly-party " << args.party << ": " << e.what() << std::endl;
    return jointly::parties::exit_code_for(e);
  }
}
