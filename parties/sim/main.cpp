// jointly-sim: every party of a consortium on this machine, one process each, over TLS on
// loopback. See `jointly-sim --help` and README.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <iostream>

#include "ml/data/csv.h"
#include "parties/party/program.h"
#include "parties/sim/simulation.h"
#include "protocols/spec.h"

int main(int argc, char** argv) {
  CLI::App app{
      "jointly-sim: run a whole consortium on this machine (one jointly-party process per "
      "party on loopback, TLS on) and compare with plaintext training.\n"
      "Exit codes: 0 ok; 1 bad input; 2 a party failed."};
  jointly::parties::SimArgs args;
  std::vector<std::string> data;
  std::string test, tls = "on";
  app.add_option("--parties", args.parties, "number of parties")->check(CLI::Range(2, 16));
  app.add_option("--protocol", args.protocol,
                 "additive | shamir (3+ parties, honest majority, no dealer) | replicated (3 "
                 "parties, honest majority, no dealer)")
      ->check(CLI::IsMember(jointly::schemes()));
  app.add_option("--data", data,
                 "one CSV split among the parties (see --split), or one CSV per party")
      ->required()
      ->delimiter(',')
      ->check(CLI::ExistingFile);
  app.add_option("--test", test, "test CSV for the accuracy report (idx: IMAGES,LABELS)");
  app.add_option("--model", args.model,
                 "logreg (binary labels) | mlp (a ReLU network with a softmax output; classes "
                 "0 ... K-1)")
      ->check(CLI::IsMember({"logreg", "mlp"}));
  std::string hidden = "128,128";
  auto* hidden_option = app.add_option(
      "--hidden", hidden, "mlp: hidden layer widths, e.g. 128,128 (\"\" for softmax regression)");
  auto* classes = app.add_option("--classes", args.classes,
                                 "mlp: number of classes (default: found from the labels)")
                      ->check(CLI::Range(2, 1000));
  auto* report_loss =
      app.add_flag("--report-loss", args.report_loss,
                   "mlp: open the training error after every epoch (squared error of the "
                   "class probabilities)");
  app.add_option("--format", args.format,
                 "csv | idx (--data IMAGES,LABELS and --test IMAGES,LABELS, e.g. Fashion-MNIST)")
      ->check(CLI::IsMember({"csv", "idx"}));
  long images = 0;
  auto* images_option = app.add_option("--images", images, "idx: train on the first N images only")
                            ->check(CLI::Range(1L, 100000000L));
  app.add_option("--epochs", args.epochs, "training epochs")->check(CLI::Range(1, 100000));
  app.add_option("--batch", args.batch, "mini-batch size")->check(CLI::Range(1, 1000000));
  app.add_option("--lr", args.learning_rate, "learning rate, in (0, 100)")
      ->check(CLI::Validator(
          [](const std::string& s) {
            double v = 0;
            if (!CLI::detail::lexical_cast(s, v) || !(v > 0 && v < 100))
              return std::string("must be a number in (0, 100)");
            return std::string();
          },
          "(0, 100)"));
  app.add_option("--split", args.split,
                 "rows: parties hold different rows; columns: different columns of the same "
                 "rows (one --data file: its columns in order, ids from the row number, the "
                 "label to the first party)")
      ->check(CLI::IsMember({"rows", "columns"}));
  auto* triples =
      app.add_option(
             "--triples", args.triples,
             "dealer (simulation only) | ot (2 parties, no dealer) | dn07 (shamir's own) "
             "| prss (replicated's own); default: the protocol's dealer-free source (additive: "
             "ot with 2 parties, none with 3+), never the dealer")
          ->check(CLI::IsMember({"dealer", "ot", "dn07", "prss"}));
  std::string ot_extension = jointly::ot::extension_name(args.ot.extension);
  auto* ot_flags = app.add_option_group("OT extension (triples ot; docs/ot.md)");
  ot_flags->add_option("--ot-extension", ot_extension, "softspoken (default) | iknp")
      ->check(CLI::IsMember({"softspoken", "iknp"}));
  ot_flags->add_option("--ot-k", args.ot.k, "SoftSpokenOT field size, 2..8 (default 4)");
  ot_flags->add_option("--ot-threads", args.ot.threads, "1 (default) or 2 threads per party");
  app.add_option("--truncation", args.truncation,
                 "pair (exact, 1 round) or local (SecureML, 2 parties)")
      ->check(CLI::IsMember({"pair", "local"}));
  app.add_option("--label", args.label, "label column name");
  app.add_option("--tls", tls, "on, or off for a plain-TCP comparison")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--timeout", args.timeout_s, "seconds a silent peer is tolerated")
      ->check(CLI::Range(1, 3600));
  app.add_option("--dp-epsilon", args.dp_epsilon, "DP-SGD with this privacy budget: [dp] epsilon");
  app.add_option("--dp-noise", args.dp_noise, "DP-SGD noise multiplier: [dp] noise");
  app.add_option("--dp-delta", args.dp_delta, "DP-SGD delta (default 1e-5)");
  app.add_option("--dp-clip", args.dp_clip, "DP-SGD per-example clip norm (default 1)");
  app.add_option("--dp-reference-seed", args.dp_reference_seed,
                 "seed of the plaintext DP-SGD reference's noise");
  app.add_flag("--json", args.json, "print one JSON summary on the last line of stdout");
  app.add_flag("--compute-node", args.compute_node,
               "the last party contributes no rows: a compute node (jointly-party "
               "--compute-node); --split rows only");
  app.add_flag("--overlap", args.overlap,
               "triples ot: each party makes the next epoch's triples while this one trains");
  app.add_flag("--keep", args.keep, "keep the work folder (keys, config, logs, model)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; a bad command line is bad input, exit 1 (not CLI11's own codes).
    return app.exit(e) == 0 ? 0 : 1;
  }
  // Unnamed: the dealer-free default for the protocol and party count; none for additive with 3+
  // parties, which run_simulation refuses with what to use instead (protocols/spec.h).
  if (triples->count() == 0)
    args.triples = jointly::default_triples(args.protocol, args.parties).value_or("");
  args.ot.extension = jointly::ot::parse_extension(ot_extension, "--ot-extension");
  args.ot_named = ot_flags->count_all() > 0;
  if (args.model != "mlp" && (hidden_option->count() || classes->count() || report_loss->count() ||
                              args.format != "csv")) {
    std::cerr << "jointly-sim: --hidden, --classes, --report-loss and --format idx need --model mlp"
              << std::endl;
    return 1;
  }
  args.hidden.clear();
  for (std::size_t at = 0; at < hidden.size();) {
    const std::size_t end = std::min(hidden.find(',', at), hidden.size());
    int width = 0;
    if (!CLI::detail::lexical_cast(hidden.substr(at, end - at), width) || width < 1 ||
        width > 4096) {
      std::cerr << "jointly-sim: --hidden takes layer widths between 1 and 4096, e.g. 128,128"
                << std::endl;
      return 1;
    }
    args.hidden.push_back(width);
    at = end + 1;
  }
  if (images_option->count()) args.images = images;
  for (const auto& d : data) args.data.emplace_back(d);
  if (args.format == "idx" && !test.empty()) {
    // --test IMAGES,LABELS
    const std::size_t comma = test.find(',');
    if (comma == std::string::npos) {
      std::cerr << "jointly-sim: --format idx: --test IMAGES,LABELS" << std::endl;
      return 1;
    }
    args.test_labels = test.substr(comma + 1);
    test = test.substr(0, comma);
  }
  if (!test.empty()) args.test = test;
  for (const auto& file : {args.test, args.test_labels}) {
    if (file && !std::filesystem::is_regular_file(*file)) {
      std::cerr << "jointly-sim: --test: " << file->string() << " is not a file" << std::endl;
      return 1;
    }
  }
  args.tls = tls == "on";
  args.party_binary = std::filesystem::canonical("/proc/self/exe").parent_path() / "jointly-party";
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return jointly::parties::run_simulation(args);
  } catch (const std::exception& e) {
    std::cerr << "jointly-sim: " << e.what() << std::endl;
    return jointly::parties::exit_code_for(e);
  }
}
