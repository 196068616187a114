// Resuming secure training from a checkpointed state (the pieces jointly-party --resume puts
// together, docs/checkpoints.md): the protocol's seeds and stream positions, the dealer's
// stream positions and the model shares after epoch k, then train_logreg from epoch k + 1.
// The opened model must be bit-identical to the uninterrupted run's — with pair truncation
// (3 parties) and local truncation (2 parties) — and it is not when the dealer is left at the
// wrong position, so the comparison can tell.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "ml/logreg/logreg.h"
#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/triples/dealer.h"

namespace jointly::ml {
namespace {

struct Snapshot {
  AdditiveState protocol;
  std::vector<std::uint64_t> dealer;
  RingMatrix weights;
};

struct TrainRun {
  int parties = 3;
  Truncation truncation = Truncation::kPair;
  int snapshot_after = 0;                       // record every party's state after this epoch
  const std::vector<Snapshot>* from = nullptr;  // resume from these (one per party)
  bool seek_dealer = true;
};

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Table all = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
    pooled_ = slice_rows(all, 0, 96);
    standardizer_ = Standardizer::fit(pooled_.features);
    sgd_.epochs = 4;
    sgd_.batch = 16;
    sgd_.shuffle_seed = 3;
  }

  // Every party shares its third (or half) of the rows and trains; returns the opened model.
  IntMatrix train(const TrainRun& run, std::vector<Snapshot>* taken = nullptr) {
    const int n = run.parties;
    if (taken) taken->assign(static_cast<std::size_t>(n), {});
    std::vector<IntMatrix> opened(static_cast<std::size_t>(n));
    net::run_in_memory(n, [&](net::Transport& transport) {
      net::Network network(transport);
      const int self = transport.self();
      const auto me = static_cast<std::size_t>(self);
      Dealer dealer(seed_from_u64(9), self, n);
      AdditiveOptions options;
      options.truncation = run.truncation;  // seeds: random, as in production
      if (run.from) {
        options.resume = (*run.from)[me].protocol;
        options.resume->own.position = 0;
        for (auto& p : options.resume->pair) {
          if (p) p->position = 0;
        }
      }
      Additive protocol(network, dealer, options);

      const Eigen::Index rows = pooled_.rows() / n;
      const Table mine = slice_rows(pooled_, rows * self, rows);
      const IntMatrix x_mine = sgd_.fp.encode(with_bias(standardizer_.apply(mine.features)));
      const IntMatrix y_mine = sgd_.fp.encode(Eigen::MatrixXd(mine.labels));
      std::vector<Shared> xs, ys;
      for (int p = 0; p < n; ++p) {
        xs.push_back(protocol.input(p, p == self ? &x_mine : nullptr, rows, x_mine.cols()));
        ys.push_back(protocol.input(p, p == self ? &y_mine : nullptr, rows, 1));
      }
      std::optional<TrainFrom> from;
      if (run.from) {
        const Snapshot& s = (*run.from)[me];
        protocol.seek(s.protocol);
        if (run.seek_dealer) dealer.seek(s.dealer);
        from = TrainFrom{run.snapshot_after, Shared(s.weights)};
      }
      const Shared w =
          train_logreg(protocol, Shared::vstack(xs), Shared::vstack(ys), sgd_, {},
                       from ? &*from : nullptr, [&](int epoch, const Shared& weights) {
                         if (taken && epoch == run.snapshot_after)
                           (*taken)[me] = {protocol.state(), dealer.positions(), weights.ring()};
                       });
      opened[me] = protocol.open(w);
    });
    for (int p = 1; p < n; ++p) EXPECT_EQ(opened[p], opened[0]);
    return opened[0];
  }

  Table pooled_;
  Standardizer standardizer_;
  SgdConfig sgd_;
};

TEST_F(ResumeTest, ThreePartiesResumeToTheSameModel) {
  std::vector<Snapshot> after2;
  const IntMatrix uninterrupted = train({.parties = 3, .snapshot_after = 2}, &after2);
  ASSERT_FALSE(after2[0].weights.size() == 0) << "no snapshot taken";
  EXPECT_EQ(train({.parties = 3, .snapshot_after = 2, .from = &after2}), uninterrupted);
  // Left at the start of its streams, the dealer hands out other triples: the truncations
  // round differently and the model is not the same bits (only close).
  const IntMatrix stale =
      train({.parties = 3, .snapshot_after = 2, .from = &after2, .seek_dealer = false});
  EXPECT_NE(stale, uninterrupted);
  EXPECT_LT(sgd_.fp.decode(stale - uninterrupted).cwiseAbs().maxCoeff(), 0.01);
}

TEST_F(ResumeTest, TwoPartiesWithLocalTruncationResumeToTheSameModel) {
  std::vector<Snapshot> after1;
  const TrainRun first{.parties = 2, .truncation = Truncation::kLocal, .snapshot_after = 1};
  const IntMatrix uninterrupted = train(first, &after1);
  TrainRun resumed = first;
  resumed.from = &after1;
  EXPECT_EQ(train(resumed), uninterrupted);
  resumed.seek_dealer = false;
  const IntMatrix stale = train(resumed);
  EXPECT_NE(stale, uninterrupted);
  EXPECT_LT(sgd_.fp.decode(stale - uninterrupted).cwiseAbs().maxCoeff(), 0.01);

  // Resuming after the last epoch trains nothing more and opens that run's model.
  std::vector<Snapshot> after4;
  TrainRun last = first;
  last.snapshot_after = 4;
  const IntMatrix full = train(last, &after4);
  last.from = &after4;
  EXPECT_EQ(train(last), full);
}

}  // namespace
}  // namespace jointly::ml
