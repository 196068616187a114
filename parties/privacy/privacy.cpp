// jointly-privacy: the DP-SGD accountant on the command line (docs/dp.md).
//
//   jointly-privacy --noise 1.1 --sampling-rate 0.0042667 --steps 14040 --delta 1e-5
//     -> epsilon of that run (Poisson-sampled Gaussian mechanism, RDP accountant)
//   jointly-privacy --epsilon 1 --sampling-rate 0.07 --steps 150 --delta 1e-5
//     -> the smallest noise multiplier that reaches it
//   jointly-privacy --report hospital-a.audit.log
//     -> the privacy ledger: every DP-SGD run recorded in the audit log, and per data set the
//        budget spent (runs composed by the accountant) and what is left of total_epsilon
//   --json: one JSON object on the last line (epsilon, delta, noise, sampling_rate, steps,
//           order, conversion).
//
// Exit codes: 0 success, 1 failure (one line on stderr saying why), as for every jointly tool.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ml/dp/accountant.h"
#include "parties/common/ledger.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// The ledger of one audit log, grouped by data set (the SHA-256 of the party's data file).
int print_report(const std::string& audit, bool json) {
  using namespace jointly;
  const std::vector<parties::LedgerRun> runs = parties::read_ledger(audit);
  std::vector<std::string> datasets;
  for (const auto& r : runs)
    if (std::find(datasets.begin(), datasets.end(), r.dataset) == datasets.end())
      datasets.push_back(r.dataset);
  nlohmann::json all = nlohmann::json::array();
  if (runs.empty()) std::cout << audit << ": no DP-SGD runs recorded\n";
  for (const std::string& dataset : datasets) {
    std::vector<parties::LedgerRun> mine;
    for (const auto& r : runs)
      if (r.dataset == dataset) mine.push_back(r);
    const double delta = mine.back().delta;
    const double spent = parties::spent(mine, delta);
    const std::optional<double> total = mine.back().total_epsilon;
    nlohmann::json j{
        {"dataset", dataset}, {"runs", mine.size()}, {"spent_epsilon", spent}, {"delta", delta}};
    if (total) {
      j["total_epsilon"] = *total;
      j["remaining_epsilon"] = std::max(0.0, *total - spent);
    }
    all.push_back(j);
    if (json) continue;
    std::cout << fmt::format("data set {}\n", dataset);
    for (const auto& r : mine) {
      std::cout << fmt::format(
          "  audit line {:>4}: epsilon {:.4g} at delta {:g} (noise {:.4g}, sampling rate {:.4g}, "
          "{} steps)\n",
          r.seq, r.epsilon, r.delta, r.run.noise, r.run.sampling_rate, r.run.steps);
    }
    std::cout << fmt::format(
        "  spent: epsilon {:.4g} at delta {:g} over {} run(s), composed by "
        "the RDP accountant\n",
        spent, delta, mine.size());
    if (total) {
      std::cout << fmt::format("  total_epsilon {:g}: {:.4g} left\n", *total,
                               std::max(0.0, *total - spent));
    }
  }
  if (json) std::cout << nlohmann::json{{"audit", audit}, {"data_sets", all}}.dump() << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jointly::ml::dp;
  CLI::App app{
      "Privacy accountant of DP-SGD: (epsilon, delta) of the Poisson-sampled Gaussian mechanism "
      "run for a number of steps (Renyi DP, Mironov-Talwar-Zhang 2019), or the noise multiplier "
      "a target epsilon needs."};
  std::optional<double> noise, epsilon;
  double q = 0, delta = 0;
  std::int64_t steps = 0;
  bool json = false, classic = false;
  auto* noise_opt =
      app.add_option("--noise", noise, "noise multiplier sigma (noise std / clip norm), >= 0");
  auto* eps_opt = app.add_option("--epsilon", epsilon, "target epsilon > 0: find sigma");
  noise_opt->excludes(eps_opt);
  eps_opt->excludes(noise_opt);
  app.add_option("--sampling-rate", q, "probability that a record is in a batch, (0, 1]");
  app.add_option("--steps", steps, "number of SGD steps, > 0");
  app.add_option("--delta", delta, "delta in (0, 1)");
  app.add_flag("--classic", classic,
               "use the classic conversion eps = rdp - log(delta)/(order-1) instead of the "
               "improved one (Balle et al. 2020)");
  app.add_flag("--json", json, "print one JSON object on the last line");
  std::string report;
  app.add_option("--report", report,
                 "print the privacy ledger of a jointly-party audit log: spent and remaining "
                 "budget per data set and run");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (!report.empty()) return print_report(report, json);
    if (!noise && !epsilon) throw AccountantError("give --noise or --epsilon");
    if (!(q > 0 && q <= 1)) {
      throw AccountantError(fmt::format("--sampling-rate must be in (0, 1], got {}", q));
    }
    if (steps <= 0) throw AccountantError(fmt::format("--steps must be > 0, got {}", steps));
    const Conversion conversion = classic ? Conversion::kClassic : Conversion::kImproved;
    double sigma = 0;
    if (noise) {
      if (!(*noise > 0)) throw AccountantError(fmt::format("--noise must be > 0, got {}", *noise));
      sigma = *noise;
    } else {
      sigma = noise_for_epsilon(*epsilon, q, steps, delta, {}, conversion);
    }
    const Guarantee g = dp_sgd_epsilon({sigma, q, steps}, delta, conversion);
    if (json) {
      nlohmann::json j{{"epsilon", g.epsilon},
                       {"delta", delta},
                       {"noise", sigma},
                       {"sampling_rate", q},
                       {"steps", steps},
                       {"order", g.order},
                       {"conversion", classic ? "classic" : "improved"}};
      if (epsilon) j["target_epsilon"] = *epsilon;
      std::cout << j.dump() << "\n";
    } else {
      std::cout << fmt::format(
          "noise {:.6g}, sampling rate {:.6g}, {} steps: ({:.6g}, {:g})-DP "
          "(best Renyi order {:g}, {} conversion)\n",
          sigma, q, steps, g.epsilon, delta, g.order, classic ? "classic" : "improved");
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "jointly-privacy: " << e.what() << "\n";
    return kExitFailure;
  }
}
