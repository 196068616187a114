// Runs train_mlp on n in-process parties (additive sharing with dealer triples — simulation
// only — or dealer-free Shamir sharing)
// with the rows split horizontally between the parties, opens the model and returns it with
// each party's traffic. Shared by mlp_tests and the mlp_measure tool.
#pragma once

#include <Eigen/Core>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "ml/mlp/mlp.h"
#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/prg.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/dealer.h"

namespace jointly::testing {

struct SecureMlpRun {
  ml::MlpPlain model;                  // opened after training
  std::vector<net::Traffic> training;  // per party, training only (no opening)
  std::vector<net::Traffic> offline;   // per party, what a real dealer would send
  double seconds = 0;                  // wall time of the training (party 0)
};

// `shamir`: Shamir sharing (3+ parties, no dealer) instead of additive with dealer triples.
inline SecureMlpRun run_secure_mlp(int parties, const Eigen::MatrixXd& x,
                                   const std::vector<int>& labels, const ml::MlpConfig& config,
                                   std::uint64_t seed, Truncation truncation = Truncation::kPair,
                                   const ml::ProgressFn& progress = {}, bool shamir = false) {
  const Seed master = seed_from_u64(seed);
  const FixedPoint& fp = config.sgd.fp;
  const Eigen::MatrixXd y = ml::one_hot(labels, config.layers.back());
  SecureMlpRun run;
  run.training.resize(static_cast<std::size_t>(parties));
  run.offline.resize(static_cast<std::size_t>(parties));
  std::mutex mutex;
  net::run_in_memory(
      parties,
      [&](net::Transport& transport) {
        net::Network network(transport);
        const net::PartyId self = transport.self();
        Dealer dealer(derive_seed(master, "dealer"), self, parties);
        AdditiveOptions options;
        options.truncation = truncation;
        options.seed = derive_seed(master, "party", static_cast<std::uint64_t>(self));
        Additive additive(network, dealer, options);
        std::optional<Shamir> field;
        if (shamir) field.emplace(network, ShamirOptions{.seed = options.seed});
        Protocol& protocol = shamir ? static_cast<Protocol&>(*field) : additive;
        // Horizontal split: party p holds rows [p·N/n, (p+1)·N/n) and inputs only those.
        std::vector<Shared> xs, ys;
        for (int p = 0; p < parties; ++p) {
          const Eigen::Index first = x.rows() * p / parties;
          const Eigen::Index count = x.rows() * (p + 1) / parties - first;
          IntMatrix xp, yp;
          if (p == self) {
            xp = fp.encode(x.middleRows(first, count), "features");
            yp = fp.encode(y.middleRows(first, count), "labels");
          }
          xs.push_back(protocol.input(p, p == self ? &xp : nullptr, count, x.cols()));
          ys.push_back(protocol.input(p, p == self ? &yp : nullptr, count, y.cols()));
        }
        const Shared xs_all = Shared::vstack(xs), ys_all = Shared::vstack(ys);
        const net::Traffic before = network.traffic();
        const auto start = std::chrono::steady_clock::now();
        const ml::MlpShares shares = ml::train_mlp(protocol, xs_all, ys_all, config,
                                                   self == 0 ? progress : ml::ProgressFn{});
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const net::Traffic spent = network.traffic() - before;
        const ml::MlpPlain model = ml::open_mlp(protocol, shares, fp);
        const std::lock_guard lock(mutex);
        run.training[static_cast<std::size_t>(self)] = spent;
        run.offline[static_cast<std::size_t>(self)] = dealer.offline_traffic();
        if (self == 0) {
          run.model = model;
          run.seconds = seconds;
        }
      },
      std::chrono::minutes(10));
  return run;
}

}  // namespace jointly::testing
