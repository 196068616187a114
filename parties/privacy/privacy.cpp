// jointly-privacy: the DP-SGD accountant on the command line (docs/dp.md).
//
//   jointly-privacy --noise 1.1 --sampling-rate 0.0042667 --steps 14040 --delta 1e-5
//     -> epsilon of that run (Poisson-sampled Gaussian mechanism, RDP accountant)
//   jointly-privacy --epsilon 1 --sampling-rate 0.07 --steps 150 --delta 1e-5
//     -> the smallest noise multiplier that reaches it
//   --json: one JSON object on the last line (epsilon, delta, noise, sampling_rate, steps,
//           order, conversion).
//
// Exit codes: 0 success, 1 failure (one line on stderr saying why), as for every jointly tool.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ml/dp/accountant.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

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
  app.add_option("--sampling-rate", q, "probability that a record is in a batch, (0, 1]")
      ->required();
  app.add_option("--steps", steps, "number of SGD steps, > 0")->required();
  app.add_option("--delta", delta, "delta in (0, 1)")->required();
  app.add_flag("--classic", classic,
               "use the classic conversion eps = rdp - log(delta)/(order-1) instead of the "
               "improved one (Balle et al. 2020)");
  app.add_flag("--json", json, "print one JSON object on the last line");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
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
