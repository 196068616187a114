// Runs train_mlp on in-process parties under any protocol setup of the test matrix
// (tests/protocols/harness.h: additive with dealer or OT triples, Shamir, replicated) with the
// rows split horizontally between the parties, opens the model and returns it with each party's
// traffic. With `dp`, train_mlp_dp instead (DP-SGD, ml/mlp/dp_mlp.h). Shared by mlp_tests and the
// mlp_measure tool.
#pragma once

#include <Eigen/Core>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "ml/mlp/dp_mlp.h"
#include "ml/mlp/mlp.h"
#include "net/in_memory.h"
#include "protocols/prg.h"
#include "protocols/spec.h"
#include "tests/protocols/harness.h"

namespace jointly::testing {

struct SecureMlpRun {
  ml::MlpPlain model;                  // opened after training
  std::vector<net::Traffic> training;  // per party, training only (no opening), online
  std::vector<net::Traffic> offline;   // per party, the triple source's (dealer: what a real
                                       // dealer would send; OT: its exchanges); none otherwise
  double seconds = 0;                  // wall time of the training (party 0)
};

inline SecureMlpRun run_secure_mlp(const ProtocolSetup& setup, const Eigen::MatrixXd& x,
                                   const std::vector<int>& labels, const ml::MlpConfig& config,
                                   std::uint64_t seed, const ml::ProgressFn& progress = {},
                                   const ml::DpConfig* dp = nullptr) {
  const int parties = setup.parties;
  const FixedPoint& fp = config.sgd.fp;
  const Eigen::MatrixXd y = ml::one_hot(labels, config.layers.back());
  SecureMlpRun run;
  run.training.resize(static_cast<std::size_t>(parties));
  run.offline.resize(static_cast<std::size_t>(parties));
  std::mutex mutex;
  run_protocol(
      setup, seed,
      [&](Protocol& protocol) {
        const net::PartyId self = protocol.self();
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
        const net::Traffic before = online_traffic(protocol);
        const auto start = std::chrono::steady_clock::now();
        const ml::ProgressFn mine = self == 0 ? progress : ml::ProgressFn{};
        const ml::MlpShares shares =
            dp ? ml::train_mlp_dp(protocol, xs_all, ys_all, config, *dp, mine)
               : ml::train_mlp(protocol, xs_all, ys_all, config, mine);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const net::Traffic spent = online_traffic(protocol) - before;
        const ml::MlpPlain model = ml::open_mlp(protocol, shares, fp);
        const std::lock_guard lock(mutex);
        run.training[static_cast<std::size_t>(self)] = spent;
        const TripleSource* triples = triple_source(protocol);
        if (triples) run.offline[static_cast<std::size_t>(self)] = triples->offline_traffic();
        if (self == 0) {
          run.model = model;
          run.seconds = seconds;
        }
      },
      std::chrono::minutes(10));
  return run;
}

}  // namespace jointly::testing
