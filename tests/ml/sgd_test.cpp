// ml/sgd: the one SGD driver. It walks the public schedule in order with the callbacks in
// order, continues after a finished epoch with the rest of the same schedule, and encodes
// lr / B by each model's rule; on shares, training 2 epochs and then continuing for 2 more
// (protocol and dealer restored to where they were) gives the bits of 4 uninterrupted
// epochs, for logistic regression and for the MLP.
#include "ml/sgd/sgd.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "ml/logreg/logreg.h"
#include "ml/mlp/mlp.h"
#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/triples/dealer.h"

namespace jointly::ml {
namespace {

using Batches = std::vector<std::vector<Eigen::Index>>;

// Records what the driver hands it.
class RecordingModel final : public SgdModel {
 public:
  explicit RecordingModel(StepRule rule, std::vector<std::string>* events = nullptr)
      : rule_(rule), events_(events) {}
  StepRule step_rule() const override { return rule_; }
  void step(const SgdStep& step) override {
    rows.push_back(step.rows);
    lrs.push_back(step.lr);
    encoded.push_back(step.encoded);
    if (events_) events_->push_back("step");
  }

  Batches rows;
  std::vector<double> lrs;
  std::vector<StepEncoding> encoded;

 private:
  StepRule rule_;
  std::vector<std::string>* events_;
};

SgdConfig config_of(int epochs, int batch, double lr = 0.1) {
  SgdConfig c;
  c.epochs = epochs;
  c.batch = batch;
  c.learning_rate = lr;
  c.shuffle_seed = 7;
  return c;
}

TEST(SgdDriverTest, WalksTheScheduleInOrderWithEpochEndBeforeProgress) {
  const SgdConfig config = config_of(3, 5);  // 23 rows: 5 batches per epoch, the last of 3
  std::vector<std::string> events;
  RecordingModel model(StepRule::kPlain, &events);
  run_sgd(
      model, 23, config,
      [&](const StepProgress& p) {
        events.push_back("progress " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) +
                         " " + std::to_string(p.batch) + "/" + std::to_string(p.batches));
      },
      0, [&](int epoch) { events.push_back("epoch " + std::to_string(epoch)); });
  EXPECT_EQ(model.rows, batch_schedule(23, config));
  std::vector<std::string> expected;
  for (int e = 1; e <= 3; ++e) {
    for (int b = 1; b <= 5; ++b) {
      expected.push_back("step");
      if (b == 5) expected.push_back("epoch " + std::to_string(e));
      expected.push_back("progress " + std::to_string(e) + "/3 " + std::to_string(b) + "/5");
    }
  }
  EXPECT_EQ(events, expected);
  ASSERT_EQ(model.lrs.size(), 15u);
  EXPECT_DOUBLE_EQ(model.lrs[0], 0.1 / 5);
  EXPECT_DOUBLE_EQ(model.lrs[4], 0.1 / 3);  // the short last batch
  EXPECT_EQ(model.encoded[0].factor, 0);    // kPlain: nothing encoded
}

TEST(SgdDriverTest, ContinuesAfterAnEpochWithTheRestOfTheSameSchedule) {
  // The first epochs do not depend on how many follow, so a 2-epoch run is the start of a
  // 4-epoch one, and continuing the 4-epoch config after epoch 2 walks the rest.
  const Batches four = batch_schedule(23, config_of(4, 5));
  const Batches two = batch_schedule(23, config_of(2, 5));
  ASSERT_EQ(four.size(), 20u);
  EXPECT_EQ(two, Batches(four.begin(), four.begin() + 10));

  RecordingModel model(StepRule::kPlain);
  std::vector<int> epochs_ended;
  int progress_calls = 0;
  run_sgd(
      model, 23, config_of(4, 5), [&](const StepProgress& p) { progress_calls += p.epoch > 2; }, 2,
      [&](int epoch) { epochs_ended.push_back(epoch); });
  EXPECT_EQ(model.rows, Batches(four.begin() + 10, four.end()));
  EXPECT_EQ(epochs_ended, (std::vector<int>{3, 4}));
  EXPECT_EQ(progress_calls, 10);

  RecordingModel done(StepRule::kPlain);
  run_sgd(done, 23, config_of(4, 5), {}, 4);
  EXPECT_TRUE(done.rows.empty());
  EXPECT_THROW(run_sgd(done, 23, config_of(4, 5), {}, 5), std::invalid_argument);
  EXPECT_THROW(run_sgd(done, 23, config_of(4, 5), {}, -1), std::invalid_argument);
}

TEST(SgdDriverTest, EncodesEachBatchByTheModelsRule) {
  RecordingModel model(StepRule::kFracBits);
  run_sgd(model, 23, config_of(1, 5));
  ASSERT_EQ(model.encoded.size(), 5u);
  EXPECT_EQ(model.encoded[0].factor, 1311);  // round(0.02 · 2^16) = round(1310.72)
  EXPECT_EQ(model.encoded[4].factor, 2185);  // last batch of 3: round(2184.53)
  EXPECT_EQ(model.encoded[4].shift, 16);
}

TEST(StepEncodingTest, FracBitsRuleIsTheFixedPointEncodingOfLrOverB) {
  const FixedPoint fp;  // f = 16, 15 integer bits
  const auto frac = [&](double lr, std::size_t b) {
    return encode_step(lr, b, fp, StepRule::kFracBits);
  };
  EXPECT_EQ(frac(0.1, 32).factor, 205);  // 204.8
  EXPECT_EQ(frac(0.1, 32).shift, 16);
  EXPECT_EQ(frac(0.1, 128).factor, 51);  // 51.2: what the MLP's rule avoids
  EXPECT_EQ(frac(1.0, 1).factor, 65536);
  EXPECT_EQ(frac(0.0, 8).factor, 0);
  EXPECT_THROW(frac(40000.0, 1), FixedPointRangeError);  // |lr / B| >= 2^15
  EXPECT_THROW(frac(0.1, 0), std::invalid_argument);
}

TEST(StepEncodingTest, WidenedRuleKeepsTwelveSignificantBitsWithinTwiceF) {
  const FixedPoint fp;
  const auto wide = [&](double lr, std::size_t b) {
    const StepEncoding e = encode_step(lr, b, fp, StepRule::kWidened);
    return std::pair{e.factor, e.shift};
  };
  EXPECT_EQ(wide(0.1, 128), (std::pair<std::int64_t, int>{6554, 23}));  // docs/mlp.md
  EXPECT_EQ(wide(0.1, 32), (std::pair<std::int64_t, int>{6554, 21}));
  EXPECT_EQ(wide(0.6, 30), (std::pair<std::int64_t, int>{5243, 18}));  // 0.02 · 2^18 = 5242.9
  // Already >= 2^12 at shift f: not widened.
  EXPECT_EQ(wide(1.0, 1), (std::pair<std::int64_t, int>{65536, 16}));
  EXPECT_EQ(wide(10000.0, 1), (std::pair<std::int64_t, int>{655360000, 16}));
  // Tiny steps stop at shift 2f with fewer bits: 1e-9 · 2^32 = 4.29.
  EXPECT_EQ(wide(1e-9, 1), (std::pair<std::int64_t, int>{4, 32}));
  // Another precision: f = 12 widens to at most 24.
  const FixedPoint f12{12, 15};
  const StepEncoding e = encode_step(1e-6, 1, f12, StepRule::kWidened);
  EXPECT_EQ(e.shift, 24);
  EXPECT_EQ(e.factor, 17);  // 16.78
  // Not positive, beyond 2^(62 - f - int_bits) at shift f, or zero after rounding.
  EXPECT_THROW(encode_step(0.0, 8, fp, StepRule::kWidened), std::invalid_argument);
  EXPECT_THROW(encode_step(-0.1, 8, fp, StepRule::kWidened), std::invalid_argument);
  EXPECT_THROW(encode_step(40000.0, 1, fp, StepRule::kWidened), std::invalid_argument);
  EXPECT_THROW(encode_step(1e-12, 1, fp, StepRule::kWidened), std::invalid_argument);
  EXPECT_EQ(encode_step(0.1, 32, fp, StepRule::kPlain).factor, 0);
}

// --- Continuing on shares -------------------------------------------------------------------

// What a checkpoint keeps of one party: its protocol and dealer positions and its shares of
// the parameters.
struct PartyState {
  AdditiveState protocol;
  std::vector<std::uint64_t> dealer;
  std::vector<RingMatrix> params;
};

// Trains on shared x, y: from the start (`from` null) or from a party's saved parameters
// (`from` its shares); returns the shared parameters.
using TrainBody = std::function<std::vector<Shared>(Protocol&, const Shared& x, const Shared& y,
                                                    const std::vector<RingMatrix>* from)>;

// n additive parties with dealer triples, the rows of x and y split between them. With `from`,
// every party resumes from its saved state; `after` receives every party's state at the end.
// Returns the opened parameters.
std::vector<IntMatrix> run_parties(int n, Truncation truncation, const Eigen::MatrixXd& x,
                                   const Eigen::MatrixXd& y, const FixedPoint& fp,
                                   const TrainBody& body,
                                   const std::vector<PartyState>* from = nullptr,
                                   std::vector<PartyState>* after = nullptr) {
  if (after) after->assign(static_cast<std::size_t>(n), {});
  std::vector<std::vector<IntMatrix>> opened(static_cast<std::size_t>(n));
  net::run_in_memory(n, [&](net::Transport& transport) {
    net::Network network(transport);
    const int self = transport.self();
    const auto me = static_cast<std::size_t>(self);
    Dealer dealer(seed_from_u64(21), self, n);
    AdditiveOptions options;
    options.truncation = truncation;
    options.seed = seed_from_u64(100 + static_cast<std::uint64_t>(self));
    if (from) {  // as jointly-party --resume: the inputs replay from the streams' starts
      options.resume = (*from)[me].protocol;
      options.resume->own.position = 0;
      for (auto& p : options.resume->pair) {
        if (p) p->position = 0;
      }
    }
    Additive protocol(network, dealer, options);
    std::vector<Shared> xs, ys;
    for (int p = 0; p < n; ++p) {
      const Eigen::Index first = x.rows() * p / n, count = x.rows() * (p + 1) / n - first;
      IntMatrix xp, yp;
      if (p == self) {
        xp = fp.encode(x.middleRows(first, count));
        yp = fp.encode(y.middleRows(first, count));
      }
      xs.push_back(protocol.input(p, p == self ? &xp : nullptr, count, x.cols()));
      ys.push_back(protocol.input(p, p == self ? &yp : nullptr, count, y.cols()));
    }
    if (from) {
      protocol.seek((*from)[me].protocol);
      dealer.seek((*from)[me].dealer);
    }
    const std::vector<Shared> params = body(protocol, Shared::vstack(xs), Shared::vstack(ys),
                                            from ? &(*from)[me].params : nullptr);
    if (after) {
      PartyState& s = (*after)[me];
      s.protocol = protocol.state();
      s.dealer = dealer.positions();
      for (const Shared& p : params) s.params.push_back(p.ring());
    }
    for (const Shared& p : params) opened[me].push_back(protocol.open(p));
  });
  for (int p = 1; p < n; ++p) EXPECT_EQ(opened[static_cast<std::size_t>(p)], opened[0]);
  return opened[0];
}

struct ResumeCase {
  int parties;
  Truncation truncation;
};

std::string name_of(const ResumeCase& c) {
  return std::to_string(c.parties) + "parties_" +
         (c.truncation == Truncation::kLocal ? "local" : "pair");
}

std::ostream& operator<<(std::ostream& os, const ResumeCase& c) { return os << name_of(c); }

class SgdResumeTest : public ::testing::TestWithParam<ResumeCase> {
 protected:
  // Trains 4 epochs in one go, and 2 epochs then 2 more from the state after them; both must
  // open to the same bits (and differ from the state after 2 epochs).
  void expect_two_plus_two_is_four(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                   const FixedPoint& fp,
                                   const std::function<TrainBody(int epochs)>& body) {
    const auto [n, truncation] = GetParam();
    const auto four = run_parties(n, truncation, x, y, fp, body(4));
    std::vector<PartyState> after_two;
    const auto two = run_parties(n, truncation, x, y, fp, body(2), nullptr, &after_two);
    const auto resumed = run_parties(n, truncation, x, y, fp, body(4), &after_two);
    ASSERT_EQ(four.size(), resumed.size());
    for (std::size_t i = 0; i < four.size(); ++i) EXPECT_EQ(resumed[i], four[i]) << "param " << i;
    EXPECT_NE(two, four);
  }
};

TEST_P(SgdResumeTest, LogisticRegressionTwoThenTwoMoreEpochsEqualsFour) {
  const Table all = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  const Table rows = slice_rows(all, 0, 60);
  const Eigen::MatrixXd x = with_bias(Standardizer::fit(rows.features).apply(rows.features));
  const Eigen::MatrixXd y = rows.labels;
  const SgdConfig base = config_of(4, 16);  // 4 batches per epoch, the last of 12
  expect_two_plus_two_is_four(x, y, base.fp, [&](int epochs) -> TrainBody {
    return [&base, epochs](Protocol& protocol, const Shared& xs, const Shared& ys,
                           const std::vector<RingMatrix>* from) {
      SgdConfig config = base;
      config.epochs = epochs;
      std::optional<TrainFrom> resume;
      if (from) resume = TrainFrom{2, Shared((*from)[0])};
      return std::vector<Shared>{
          train_logreg(protocol, xs, ys, config, {}, resume ? &*resume : nullptr)};
    };
  });
}

TEST_P(SgdResumeTest, MlpTwoThenTwoMoreEpochsEqualsFour) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0.0, 0.7);
  std::vector<int> labels(60);
  Eigen::MatrixXd x(60, 8);
  for (int i = 0; i < 60; ++i) {
    labels[static_cast<std::size_t>(i)] = i % 3;
    for (int d = 0; d < 8; ++d) x(i, d) = (d % 3 == i % 3 ? 1.0 : -0.5) + noise(gen);
  }
  MlpConfig base;
  base.layers = {8, 6, 3};
  base.sgd = config_of(4, 16);
  expect_two_plus_two_is_four(x, one_hot(labels, 3), base.sgd.fp, [&](int epochs) -> TrainBody {
    return [&base, epochs](Protocol& protocol, const Shared& xs, const Shared& ys,
                           const std::vector<RingMatrix>* from) {
      MlpConfig config = base;
      config.sgd.epochs = epochs;
      MlpShares shares;
      if (from) {  // params: the weights of every layer, then the biases
        const std::size_t layers = from->size() / 2;
        MlpShares start;
        for (std::size_t l = 0; l < layers; ++l) {
          start.weights.emplace_back((*from)[l]);
          start.biases.emplace_back((*from)[layers + l]);
        }
        MlpSgd model(protocol, xs, ys, config, start);
        run_sgd(model, xs.rows(), config.sgd, {}, 2);
        shares = model.shares();
      } else {
        shares = train_mlp(protocol, xs, ys, config);
      }
      std::vector<Shared> params = shares.weights;
      params.insert(params.end(), shares.biases.begin(), shares.biases.end());
      return params;
    };
  });
}

INSTANTIATE_TEST_SUITE_P(Parties, SgdResumeTest,
                         ::testing::Values(ResumeCase{2, Truncation::kLocal},
                                           ResumeCase{3, Truncation::kPair}),
                         [](const auto& info) { return name_of(info.param); });

}  // namespace
}  // namespace jointly::ml
