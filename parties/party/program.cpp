#include "parties/party/program.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ml/data/csv.h"
#include "ml/data/idx.h"
#include "ml/data/standardize.h"
#include "ml/dp/accountant.h"
#include "ml/logreg/dp_logreg.h"
#include "ml/logreg/logreg.h"
#include "ml/logreg/model.h"
#include "ml/logreg/plan.h"
#include "ml/mlp/dp_mlp.h"
#include "ml/mlp/mlp.h"
#include "ml/mlp/model.h"
#include "net/network.h"
#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"
#include "parties/common/audit.h"
#include "parties/common/checkpoint.h"
#include "parties/common/config.h"
#include "parties/common/ledger.h"
#include "parties/common/protocol_stack.h"
#include "parties/party/agreement.h"
#include "parties/party/joint_data.h"
#include "protocols/fixed_point.h"
#include "protocols/prg.h"
#include "protocols/triples/ot/ot_triples.h"
#include "protocols/triples/pipeline.h"
#include "psi/psi.h"

namespace jointly::parties {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string megabytes(std::uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

// align = "psi" (docs/psi.md): KKRT16 PSI on the id column with the other party, then this
// party's rows of the common ids in the order PSI gives both parties, so that the columns
// split's id check that follows sees the same ids in the same order on both sides. Reveals to
// each party which of its ids the other holds (recorded in the audit log).
ml::Table align_by_psi(net::Network& network, const ml::Table& data, AuditLog& audit,
                       std::ostream& log, const std::string& me, bool progress) {
  const auto start = Clock::now();
  psi::Options options;
  options.protocol = psi::Protocol::kOprf;
  const psi::Result r = psi::intersect(network, data.ids, options);
  const net::PartyId peer = 1 - network.self();
  audit.record("psi membership: which of this party's ids are common", network.peer_name(peer),
               r.rows.size());
  if (progress) {
    log << fmt::format("[{}] PSI: {} of {} rows in common with {} ({} rows)  {:.2f} s, {} sent\n",
                       me, r.rows.size(), data.rows(), network.peer_name(peer), r.peer_size,
                       seconds_since(start), megabytes(r.traffic.bytes_sent))
        << std::flush;
  }
  ml::Table t;
  t.source = data.source;
  t.feature_names = data.feature_names;
  t.feature_columns = data.feature_columns;
  const auto n = static_cast<Index>(r.rows.size());
  t.features.resize(n, data.features.cols());
  if (data.labels.size() > 0) t.labels.resize(n);
  for (Index k = 0; k < n; ++k) {
    const auto row = static_cast<Index>(r.rows[static_cast<std::size_t>(k)]);
    t.features.row(k) = data.features.row(row);
    if (data.labels.size() > 0) t.labels(k) = data.labels(row);
    t.ids.push_back(data.ids[static_cast<std::size_t>(row)]);
    t.lines.push_back(data.line(row));
  }
  return t;
}

// The OT offline phase of logistic regression, one epoch at a time: each epoch's plan (from
// the training's shape, ml/logreg/plan.h) is made when the epoch begins, or with --overlap on
// network channel 1 by a second OtTriples while the previous epoch trains. Memory holds at
// most two epochs' triples; a resumed run makes the remaining epochs' the same way.
class EpochTriples {
 public:
  EpochTriples(const ProtocolStack& stack, net::Transport& transport, const std::string& name,
               Index rows, Index cols, const ml::SgdConfig& sgd, const Consortium& c, bool overlap,
               std::ostream& log, bool progress)
      : name_(name), log_(log), progress_(progress), overlap_(overlap) {
    ml::SgdConfig one_epoch = sgd;
    one_epoch.epochs = 1;
    std::vector<TripleRequest> unit =
        ml::plan_logreg(c.index_of(name), static_cast<int>(c.parties.size()), rows, cols, one_epoch,
                        c.truncation == "local" ? Truncation::kLocal : Truncation::kPair);
    auto& provider = dynamic_cast<TripleProvider&>(*stack.triples);
    TripleSource* maker = &provider.source();
    channel_ = transport.open_channel(1);
    channel_network_ = std::make_unique<net::Network>(*channel_);
    check_everyone_agrees(c);
    if (overlap) {
      // The same extension, k and threads as the stack's source (consortium file).
      background_ = std::make_unique<OtTriples>(*channel_network_, random_seed(), stack.spec.ot);
      maker = background_.get();
    }
    if (progress_) {
      log_ << fmt::format(
                  "[{}] offline: {} correlated-randomness items per epoch by oblivious "
                  "transfer{}\n",
                  name_, unit.size(),
                  overlap ? ", the next epoch's made while this one trains" : "")
           << std::flush;
    }
    const std::thread::id caller = std::this_thread::get_id();
    pipeline_ = std::make_unique<PlanPipeline>(
        provider, *maker, std::move(unit),
        PipelineOptions{.overlap = overlap,
                        .progress = [this, caller](std::uint64_t done, std::uint64_t total) {
                          // Lines from the caller's thread only: the log is not shared.
                          if (std::this_thread::get_id() == caller) report(done, total);
                        }});
  }

  // Before epoch `epoch` (1-based) of `epochs`.
  void begin_epoch(int epoch, int epochs) {
    epoch_ = epoch;
    next_report_ = 0;
    started_ = Clock::now();
    pipeline_->begin_unit(epoch < epochs);
  }

  double seconds_waiting() const { return pipeline_->seconds_waiting(); }
  double seconds_making() const { return pipeline_->seconds_making(); }
  // The background maker's traffic (on channel 1; none without --overlap).
  net::Traffic background_traffic() const {
    return background_ ? background_->offline_traffic() : channel_network_->traffic();
  }

 private:
  // One round on channel 1 (offline traffic): a party with --overlap and one without would
  // make their triples on different channels and wait for each other until the timeout.
  void check_everyone_agrees(const Consortium& c) {
    const auto flags =
        channel_network_->broadcast(net::Bytes{overlap_ ? std::uint8_t{1} : std::uint8_t{0}});
    for (int p = 0; p < static_cast<int>(flags.size()); ++p) {
      if (p == channel_network_->self()) continue;
      if (flags[p] != net::Bytes{overlap_ ? std::uint8_t{1} : std::uint8_t{0}}) {
        throw ConfigError(
            fmt::format("{} runs {} --overlap and this party {}: every party must pass it, or none",
                        c.parties[p].name, flags[p] == net::Bytes{1} ? "with" : "without",
                        overlap_ ? "with it" : "without it"));
      }
    }
  }

  void report(std::uint64_t done, std::uint64_t total) {
    if (!progress_ || total == 0 || done * 10 < next_report_ * total) return;
    next_report_ = done * 10 / total + 1;
    log_ << fmt::format("[{}] offline, epoch {}: {:3d}%  {} of {} OTs  {:.2f} s\n", name_, epoch_,
                        static_cast<int>(100 * done / total), done, total, seconds_since(started_))
         << std::flush;
  }

  const std::string name_;
  std::ostream& log_;
  const bool progress_;
  const bool overlap_;
  std::unique_ptr<net::Transport> channel_;
  std::unique_ptr<net::Network> channel_network_;
  std::unique_ptr<OtTriples> background_;
  std::unique_ptr<PlanPipeline> pipeline_;  // last: joins its thread before the maker goes
  int epoch_ = 0;
  std::uint64_t next_report_ = 0;
  Clock::time_point started_;
};

// Everything a model's training needs from the run around it.
struct Run {
  const Consortium& c;
  const PartyArgs& args;
  const PartyEntry& me;
  int self;
  std::ostream& log;
  Clock::time_point start;
  net::Network& network;
  ProtocolStack& stack;
  Protocol& protocol;
  const JointData& joint;
  AuditLog& audit;
  const CheckpointStore& checkpoints;
  const Checkpoint* resumed;  // --resume: where training goes on from
  const ml::Table* test;      // receivers with --test
  ml::SgdConfig sgd;
  net::Transport& transport;         // for the OT offline phase's own channel (--overlap)
  net::Traffic* background_offline;  // out: that channel's traffic
};

// "[party] epoch 3/10  1.23 s  sent 4.5 MB  678 rounds", then `extra`.
void epoch_line(const Run& r, const ml::StepProgress& s, const std::string& extra = "") {
  const auto& t = r.network.traffic();
  r.log << fmt::format("[{}] epoch {}/{}  {:.2f} s  sent {}  {} rounds{}\n", r.me.name, s.epoch,
                       s.epochs, seconds_since(r.start), megabytes(t.bytes_sent), t.rounds, extra)
        << std::flush;
}

void save_checkpoint(const Run& r, int epoch, const Shared& weights) {
  if (!can_resume(r.c.protocol)) return;
  r.checkpoints.save(
      snapshot(r.checkpoints.owner(), epoch, r.protocol, r.stack.triples.get(), weights));
}

// The DP-SGD parameters of a run with [dp] (docs/dp.md): σ from the budget by the accountant
// (or as given), and the run's (ε, δ); a run that would exceed [dp] epsilon refuses to start.
struct DpRun {
  ml::DpConfig config;
  ml::dp::SgdRun run;
  ml::dp::Guarantee guarantee;
  double delta = 0;
  std::string dataset;                  // SHA-256 of this party's data file
  std::optional<double> total_epsilon;  // the ledger's budget, and what it holds after this run
  double spent = 0;
  bool exact_truncation = true;  // false: the guarantee assumes no truncation failed (docs/dp.md)
};

DpRun plan_dp(const Consortium& c, Eigen::Index rows, const ml::SgdConfig& sgd,
              const PartyArgs& args, const Protocol& protocol) {
  const DpSettings& d = *c.dp;
  DpRun out;
  out.exact_truncation = protocol.exact_truncation();
  out.dataset = data_set_id(args.data);
  out.delta = d.delta;
  out.run.sampling_rate = std::min(1.0, static_cast<double>(sgd.batch) / static_cast<double>(rows));
  out.run.steps = static_cast<std::int64_t>(sgd.epochs) * ml::batches_per_epoch(rows, sgd);
  out.run.noise = d.noise ? *d.noise
                          : ml::dp::noise_for_epsilon(*d.epsilon, out.run.sampling_rate,
                                                      out.run.steps, d.delta);
  out.guarantee = ml::dp::dp_sgd_epsilon(out.run, d.delta);
  if (d.epsilon && out.guarantee.epsilon > *d.epsilon) {
    throw ConfigError(fmt::format(
        "{}: [dp] noise {} over {} steps at sampling rate {:.6g} spends epsilon {:.4g} > the "
        "budget epsilon {}: refusing to train (raise 'noise' or drop it to derive it)",
        c.path.string(), out.run.noise, out.run.steps, out.run.sampling_rate, out.guarantee.epsilon,
        *d.epsilon));
  }
  out.config.noise = out.run.noise;
  out.config.clip = d.clip;
  if (d.total_epsilon) {
    // The ledger: this party's earlier [dp] runs on the same data file, composed with this one.
    std::vector<LedgerRun> earlier;
    for (LedgerRun& run : read_ledger(args.audit))
      if (run.dataset == out.dataset) earlier.push_back(std::move(run));
    const double before = spent(earlier, d.delta);
    const double after = spent_with(earlier, out.run, d.delta);
    if (after > *d.total_epsilon) {
      throw ConfigError(fmt::format(
          "{}: [dp] total_epsilon {} would be exceeded: {} earlier run(s) on this data ({}) spent "
          "epsilon {:.4g}, this run would bring it to {:.4g}; {:.4g} is left: refusing to train",
          c.path.string(), *d.total_epsilon, earlier.size(), args.data.string(), before, after,
          std::max(0.0, *d.total_epsilon - before)));
    }
    out.total_epsilon = d.total_epsilon;
    out.spent = after;
  }
  return out;
}

nlohmann::json dp_json(const DpRun& dp) {
  return {{"epsilon", dp.guarantee.epsilon},
          {"delta", dp.delta},
          {"noise", dp.run.noise},
          {"clip", dp.config.clip},
          {"sampling_rate", dp.run.sampling_rate},
          {"steps", dp.run.steps},
          {"order", dp.guarantee.order},
          {"accountant", "RDP, sampled Gaussian"},
          {"truncation", dp.exact_truncation
                             ? "exact"
                             : "probabilistic: the guarantee assumes no truncation failed "
                               "(docs/dp.md)"}};
}

// The audit log's record: the guarantee, the data set, and the ledger's state.
nlohmann::json dp_record(const DpRun& dp) {
  nlohmann::json j = dp_json(dp);
  j["dataset"] = dp.dataset;
  if (dp.total_epsilon) {
    j["total_epsilon"] = *dp.total_epsilon;
    j["spent_epsilon"] = dp.spent;
  }
  return j;
}

// With [dp]: the run's DP-SGD parameters, logged and recorded in the audit log (the ledger);
// nullopt without. A resumed run is refused: its noise was drawn at the start.
std::optional<DpRun> start_dp(const Run& r, Eigen::Index rows) {
  const Consortium& c = r.c;
  if (!c.dp) return std::nullopt;
  if (r.resumed != nullptr) {
    throw ConfigError(c.path.string() +
                      ": [dp] runs cannot be resumed from a checkpoint "
                      "(the noise of the remaining steps was drawn at the start)");
  }
  DpRun dp = plan_dp(c, rows, r.sgd, r.args, r.protocol);
  r.log << fmt::format(
      "[{}] DP-SGD: ({:.4g}, {:g})-DP with noise {:.4g}, clip {:g}, sampling rate {:.4g}, {} "
      "steps (RDP accountant, order {:g}){}\n",
      r.me.name, dp.guarantee.epsilon, dp.delta, dp.run.noise, dp.config.clip, dp.run.sampling_rate,
      dp.run.steps, dp.guarantee.order,
      dp.exact_truncation ? ""
                          : "; this protocol's truncation can fail with a small probability: "
                            "the guarantee assumes it did not (docs/dp.md)");
  r.audit.record(kDpRunPrefix + dp_record(dp).dump(), "all", 0);
  return dp;
}

nlohmann::json train_logreg_model(const Run& r) {
  const Consortium& c = r.c;
  const Shared &x = r.joint.x, &y = r.joint.y;
  const std::optional<DpRun> dp = start_dp(r, x.rows());
  // Offline phase (OT triples): each epoch's, when it begins or (--overlap) while the previous
  // one trains. Epoch lines include the time spent waiting for triples.
  const int first_epoch = r.resumed != nullptr ? r.resumed->epoch + 1 : 1;
  std::optional<EpochTriples> offline;
  // DP-SGD's triples (the clamp's comparisons, the clip thresholds) are not in the logistic
  // regression's offline plan: with [dp] the source makes them on demand.
  if (r.stack.has_offline_phase() && first_epoch <= c.epochs && !dp) {
    offline.emplace(r.stack, r.transport, r.me.name, x.rows(), x.cols(), r.sgd, c, r.args.overlap,
                    r.log, r.args.progress);
  }

  std::optional<ml::TrainFrom> from;
  if (r.resumed != nullptr) {
    r.protocol.seek(r.resumed->protocol);
    restore_triples(r.stack.triples.get(), *r.resumed);
    from = ml::TrainFrom{r.resumed->epoch, weights_of(*r.resumed)};
  }
  if (offline) offline->begin_epoch(first_epoch, c.epochs);
  const double first_wait = offline ? offline->seconds_waiting() : 0.0;
  const auto train_start = Clock::now();
  const auto progress_line = [&](const ml::StepProgress& s) {
    if (!r.args.progress || s.batch != s.batches) return;
    epoch_line(
        r, s,
        offline ? fmt::format("  waited {:.2f} s for triples", offline->seconds_waiting()) : "");
  };
  const Shared w = dp ? ml::train_logreg_dp(r.protocol, x, y, r.sgd, dp->config, progress_line)
                      : ml::train_logreg(
                            r.protocol, x, y, r.sgd,
                            [&](const ml::StepProgress& s) {
                              if (!r.args.progress || s.batch != s.batches) return;
                              epoch_line(r, s,
                                         offline ? fmt::format("  waited {:.2f} s for triples",
                                                               offline->seconds_waiting())
                                                 : "");
                            },
                            from ? &*from : nullptr,
                            [&](int epoch, const Shared& weights) {
                              save_checkpoint(r, epoch, weights);
                              if (offline && epoch < c.epochs)
                                offline->begin_epoch(epoch + 1, c.epochs);
                            });
  // Training time without the waits for triples after the first epoch's (reported apart).
  const double waited = offline ? offline->seconds_waiting() : 0.0;
  const double train_seconds = seconds_since(train_start) - (waited - first_wait);

  nlohmann::json result;
  for (const auto& receiver : c.receivers) {
    const int rx = c.index_of(receiver);
    auto opened = r.protocol.open_to(rx, w);
    r.audit.record("model weights", receiver, static_cast<std::uint64_t>(w.rows()));
    if (!opened) continue;
    r.log << fmt::format("[{}] opened the model ({} weights) to itself as a receiver\n", r.me.name,
                         w.rows());
    const Eigen::VectorXd weights = r.sgd.fp.decode(*opened);
    const ml::LogRegModel model{r.joint.feature_names, weights, r.joint.standardizer, r.sgd.fp};
    if (r.args.out) {
      ml::save_model(*r.args.out, model, r.protocol.name(), dp ? dp_json(*dp) : nlohmann::json());
      result["model"] = r.args.out->string();
    }
    if (r.test != nullptr) {
      result["accuracy"] = ml::accuracy(ml::with_bias(r.joint.standardizer.apply(r.test->features)),
                                        r.test->labels, weights);
      result["test_rows"] = r.test->rows();
    }
    result["weights"] = std::vector<double>(weights.data(), weights.data() + weights.size());
  }
  result["seconds_training"] = train_seconds;
  if (dp) result["dp"] = dp_json(*dp);
  // Making triples (partly hidden behind training with --overlap) and waiting for them.
  result["seconds_offline"] = offline ? offline->seconds_making() : 0.0;
  result["seconds_waiting_for_triples"] = waited;
  result["overlap"] = offline && r.args.overlap;
  if (offline && r.background_offline != nullptr) {
    *r.background_offline = offline->background_traffic();
  }
  return result;
}

// MLP training without DP: from the public initial weights or a checkpoint, a checkpoint
// after every epoch, and with report_loss each epoch's squared error opened into `losses`.
ml::MlpShares train_mlp_shares(const Run& r, const ml::MlpConfig& config,
                               std::vector<double>& losses) {
  const Consortium& c = r.c;
  int epochs_done = 0;
  ml::MlpShares start;
  if (r.resumed != nullptr) {
    r.protocol.seek(r.resumed->protocol);
    restore_triples(r.stack.triples.get(), *r.resumed);
    epochs_done = r.resumed->epoch;
    start = ml::unflatten_mlp(weights_of(*r.resumed), config.layers);
  } else {
    // The initial weights are public (from the seed); party 0 enters them.
    start = ml::input_mlp(r.protocol, ml::mlp_init(config), r.sgd.fp);
  }
  ml::MlpSgd model(r.protocol, r.joint.x, r.joint.y, config, start);
  model.track_squared_error(c.report_loss);
  std::string loss_text;
  ml::run_sgd(
      model, r.joint.rows, r.sgd,
      [&](const ml::StepProgress& s) {
        if (r.args.progress && s.batch == s.batches) epoch_line(r, s, loss_text);
      },
      epochs_done,
      [&](int epoch) {
        if (c.report_loss) {
          // The epoch's summed squared error, opened to all: 1 round, one value.
          const Shared total = model.take_squared_error();
          const double rows = static_cast<double>(r.joint.rows);
          const double sum = std::ldexp(static_cast<double>(r.protocol.open(total)(0, 0)),
                                        -2 * r.sgd.fp.frac_bits);
          r.audit.record("training error of epoch " + std::to_string(epoch), "all", 1);
          losses.push_back(sum / rows);
          loss_text = fmt::format("  loss {:.4f} (squared error)", losses.back());
        }
        save_checkpoint(r, epoch, ml::flatten_mlp(model.shares()));
      });
  return model.shares();
}

// The MLP (ml/mlp/mlp.h) on the joint data: d_0 features, the file's hidden layers, `classes`
// outputs. Its triples (OT) are made on demand, step by step, so memory holds one step's.
nlohmann::json train_mlp_model(const Run& r, int classes) {
  const Consortium& c = r.c;
  ml::MlpConfig config;
  config.layers = {static_cast<int>(r.joint.x.cols())};
  config.layers.insert(config.layers.end(), c.hidden.begin(), c.hidden.end());
  config.layers.push_back(classes);
  config.sgd = r.sgd;
  config.init_seed = c.shuffle_seed;
  r.log << fmt::format("[{}] mlp {} ({} parameters), {} rows, {} epochs, batch {}\n", r.me.name,
                       fmt::join(config.layers, "-"), ml::mlp_parameters(config.layers),
                       r.joint.rows, c.epochs, c.batch)
        << std::flush;

  const std::optional<DpRun> dp = start_dp(r, r.joint.rows);
  const auto train_start = Clock::now();
  std::vector<double> losses;
  const ml::MlpShares shares =
      dp ? ml::train_mlp_dp(r.protocol, r.joint.x, r.joint.y, config, dp->config,
                            [&](const ml::StepProgress& s) {
                              if (r.args.progress && s.batch == s.batches) epoch_line(r, s);
                            })
         : train_mlp_shares(r, config, losses);
  const double train_seconds = seconds_since(train_start);

  nlohmann::json result;
  for (const auto& receiver : c.receivers) {
    const int rx = c.index_of(receiver);
    const std::optional<ml::MlpPlain> opened = ml::open_mlp_to(r.protocol, rx, shares, r.sgd.fp);
    r.audit.record("model weights and biases", receiver,
                   static_cast<std::uint64_t>(ml::mlp_parameters(config.layers)));
    if (!opened) continue;
    r.log << fmt::format("[{}] opened the model ({} parameters) to itself as a receiver\n",
                         r.me.name, ml::mlp_parameters(config.layers));
    const ml::MlpModel trained{r.joint.feature_names, c.format, c.activation, *opened,
                               r.joint.standardizer,  r.sgd.fp};
    if (r.args.out) {
      ml::save_mlp_model(*r.args.out, trained, r.protocol.name(),
                         dp ? dp_json(*dp) : nlohmann::json());
      result["model"] = r.args.out->string();
    }
    if (r.test != nullptr) {
      const Eigen::MatrixXd p = trained.probabilities(r.test->features);
      std::vector<int> predicted(static_cast<std::size_t>(p.rows()));
      Eigen::Index right = 0;
      for (Eigen::Index i = 0; i < p.rows(); ++i) {
        Eigen::Index best = 0;
        p.row(i).maxCoeff(&best);
        predicted[static_cast<std::size_t>(i)] = static_cast<int>(best);
        right += best == static_cast<Eigen::Index>(r.test->labels(i));
      }
      result["accuracy"] = static_cast<double>(right) / static_cast<double>(p.rows());
      result["test_rows"] = r.test->rows();
      result["test_predicted"] = predicted;
    }
  }
  result["layers"] = config.layers;
  result["classes"] = classes;
  if (c.report_loss) result["losses"] = losses;
  result["seconds_training"] = train_seconds;
  if (dp) result["dp"] = dp_json(*dp);
  result["seconds_offline"] = 0.0;
  return result;
}

}  // namespace

ml::Table load_party_table(const Consortium& c, const std::filesystem::path& data,
                           const std::optional<std::filesystem::path>& labels,
                           const ml::CsvOptions& options) {
  if (c.format == "csv") {
    if (labels) {
      throw ConfigError(labels->string() + ": a labels file is for format = \"idx\"; " +
                        c.path.string() + " reads the label column '" + c.label + "' of the CSV");
    }
    return ml::load_csv(data, options);
  }
  if (!labels) {
    throw ConfigError(c.path.string() + " has format = \"idx\": give the images (" + data.string() +
                      ") and their labels file (--labels, --test-labels)");
  }
  ml::Table t = ml::load_idx_table(data, *labels);
  const int bound = c.classes > 0 ? c.classes : kMaxClasses;
  for (Eigen::Index i = 0; i < t.labels.size(); ++i) {
    if (t.labels(i) >= bound) {
      throw ml::DataError(fmt::format("{} item {}: label {} is not a class 0 ... {} (classes = {})",
                                      labels->string(), i, t.labels(i), bound - 1, bound));
    }
  }
  return t;
}

nlohmann::json run_party(const PartyArgs& args, std::ostream& log) {
  const auto start = Clock::now();
  const Consortium c = load_consortium(args.config);
  const int self = c.index_of(args.party);
  if (self < 0)
    throw ConfigError(args.config.string() + ": no [[party]] named '" + args.party + "'");
  const PartyEntry& me = c.parties[static_cast<std::size_t>(self)];
  const int n = static_cast<int>(c.parties.size());
  const FixedPoint fp{.frac_bits = c.frac_bits, .int_bits = kDefaultIntBits};

  net::SecretString key;
  try {
    key = net::read_key_file(args.key);  // its errors name the file
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());  // a user's file, not a peer's fault: exit code 1
  }
  try {
    net::check_key_matches(key, me.cert_pem, me.name);
  } catch (const std::runtime_error& e) {
    throw ConfigError(args.key.string() + ": " + e.what());
  }
  ml::CsvOptions csv_options = training_csv_options(c);
  if (args.compute_node) {
    if (c.split != "rows" || c.format != "csv") {
      throw ConfigError(
          "--compute-node: a party without data takes part in a rows split of CSV files only (" +
          c.path.string() + " has split = \"" + c.split + "\", format = \"" + c.format + "\")");
    }
    csv_options.allow_no_rows = true;
    csv_options.require_label = false;
  }
  const ml::Table data = load_party_table(c, args.data, args.labels, csv_options);
  if (args.compute_node && data.rows() > 0) {
    throw ml::DataError(args.data.string() + ": --compute-node contributes no rows, but the file " +
                        "holds " + std::to_string(data.rows()) +
                        " (pass a file with the header row only)");
  }
  const bool mlp = c.model == "mlp";
  check_training_data(data, fp, c.label, mlp ? (c.classes > 0 ? c.classes : kMaxClasses) : 0);
  std::optional<ml::Table> test;
  if (args.test && c.is_receiver(me.name)) {
    ml::CsvOptions test_options;
    test_options.label = c.label;
    test = load_party_table(c, *args.test, args.test_labels, test_options);
    if (c.split == "rows" && test->feature_names != data.feature_names) {
      throw ml::DataError(args.test->string() + ": columns differ from " + data.source);
    }
  }
  std::optional<AuditLog> audit;
  try {
    audit.emplace(args.audit, me.name);
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  if (c.triples == "dealer") {
    log << fmt::format(
        "[{}] WARNING: triples = \"dealer\" is a simulated trusted dealer whose seed "
        "is in the config: SIMULATION ONLY, it protects nothing.\n",
        me.name);
  }
  if (!c.tls) {
    log << fmt::format(
        "[{}] WARNING: tls = false: shares cross the network unencrypted and peers "
        "are not authenticated.\n",
        me.name);
  }

  net::MeshOptions options;
  options.self = self;
  for (const auto& p : c.parties) options.parties.push_back({p.name, p.host, p.port, p.cert_pem});
  options.key_pem = std::move(key);
  options.tls = c.tls;
  set_agreement(options, c, data);
  options.connect_deadline = std::chrono::seconds(c.connect_timeout_s);
  options.timeout = std::chrono::seconds(c.timeout_s);
  auto transport = net::connect_mesh(options);
  // From here on the peers are connected: if one fails, tell the others why we stop, so a
  // party waiting on us names the real culprit instead of us.
  try {
    return [&]() -> nlohmann::json {
      const double connect_seconds = seconds_since(start);
      if (args.progress) {
        log << fmt::format("[{}] connected to {} parties{}  {:.2f} s\n", me.name, n - 1,
                           c.tls ? " over TLS" : "", connect_seconds)
            << std::flush;
      }

      net::Network network(*transport);
      // Checkpoints (additive and replicated sharing): with --resume, the parties first agree
      // on the epoch to continue from.
      const bool resumable = can_resume(c.protocol);
      if (args.resume && !resumable) {
        throw CheckpointError("--resume: checkpoints are not written for this protocol yet; a " +
                              c.protocol + " run starts again from epoch 1 (docs/checkpoints.md)");
      }
      const CheckpointStore checkpoints(
          args.checkpoint_dir,
          {me.name, self, n, options.agreement, file_digest(args.data), c.epochs, c.triples});
      std::optional<Checkpoint> resumed;
      if (args.resume) {
        resumed = agree_on_resume(network, checkpoints);
        log << fmt::format("[{}] resuming after epoch {}/{} from {}\n", me.name, resumed->epoch,
                           c.epochs, checkpoints.path_of(resumed->epoch).string());
      }
      // align = "psi": the common rows, in the order PSI gives both parties.
      ml::Table aligned;
      const bool psi_align = c.split == "columns" && c.align == "psi";
      if (psi_align) {
        if (args.resume) {
          throw CheckpointError(
              "--resume with align = \"psi\" is not supported: every run aligns "
              "anew, in another order (docs/psi.md)");
        }
        aligned = align_by_psi(network, data, *audit, log, me.name, args.progress);
      }
      const ml::Table& rows = psi_align ? aligned : data;
      // The protocol and its correlated randomness (a simulated dealer, OT between two parties,
      // or Shamir's own DN07 randomness). OT traffic runs on the same network and is reported
      // apart as the offline phase. A resumed party starts from its checkpoint's seeds.
      const std::optional<PrgStreams> resume_seeds =
          resumed ? std::optional(seeds_at_start(*resumed)) : std::nullopt;
      ProtocolStack stack = make_protocol(c, network, resume_seeds ? &*resume_seeds : nullptr);
      Protocol& protocol = *stack.protocol;

      if (args.compute_node) {
        log << fmt::format("[{}] compute node: contributes no rows, holds shares and computes\n",
                           me.name);
      }
      // The MLP's classes: the file's, or agreed from the labels (one round).
      const int classes = !mlp            ? 0
                          : c.classes > 0 ? c.classes
                                          : agree_on_classes(protocol, c, rows, *audit);
      SharingOptions sharing;
      if (mlp) sharing = {.classes = classes, .standardise = c.format == "csv", .bias = false};
      const JointData joint = share_training_data(protocol, c, rows, fp, *audit, sharing);
      if (test && test->feature_names != joint.feature_names) {
        throw ml::DataError(args.test->string() + ": columns differ from the joint features");
      }
      if (args.progress) {
        log << fmt::format("[{}] data shared: {} rows x {} features from {} parties  {:.2f} s\n",
                           me.name, joint.rows, joint.feature_names.size(), n, seconds_since(start))
            << std::flush;
      }
      const ml::SgdConfig sgd{.epochs = c.epochs,
                              .batch = c.batch,
                              .learning_rate = c.learning_rate,
                              .shuffle_seed = c.shuffle_seed,
                              .fp = fp};
      net::Traffic background_offline;  // --overlap: the OT made on channel 1
      const Run run{c,
                    args,
                    me,
                    self,
                    log,
                    start,
                    network,
                    stack,
                    protocol,
                    joint,
                    *audit,
                    checkpoints,
                    resumed ? &*resumed : nullptr,
                    test ? &*test : nullptr,
                    sgd,
                    *transport,
                    &background_offline};
      nlohmann::json result = mlp ? train_mlp_model(run, classes) : train_logreg_model(run);
      result["model_kind"] = c.model;

      // Everything this party sent: the protocol's network and (--overlap) channel 1's OT.
      net::Traffic t = network.traffic();
      t += background_offline;
      result["party"] = me.name;
      result["protocol"] = protocol.name();
      result["parties"] = n;
      result["rows"] = joint.rows;
      result["features"] = joint.feature_names.size();
      result["rows_contributed"] = rows.rows();
      result["seconds"] = seconds_since(start);
      rusage usage{};
      if (::getrusage(RUSAGE_SELF, &usage) == 0) {
        result["peak_rss_bytes"] = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // KiB
      }
      result["seconds_connect"] = connect_seconds;
      result["bytes_sent"] = t.bytes_sent;
      result["bytes_received"] = t.bytes_received;
      result["rounds"] = t.rounds;
      result["audit_log"] = args.audit.string();
      result["audit_last_hash"] = audit->last_hash();
      result["checkpoint_dir"] = args.checkpoint_dir.string();
      if (resumed) result["resumed_from_epoch"] = resumed->epoch;
      net::Traffic offline = stack.triples ? stack.triples->offline_traffic() : net::Traffic{};
      offline += background_offline;
      const net::Traffic on_network = stack.offline_on_network();
      result["triples"] = stack.triples_name();
      result["offline_bytes_sent"] = on_network.bytes_sent + background_offline.bytes_sent;
      result["offline_bytes_received"] = offline.bytes_received;
      result["offline_rounds"] = offline.rounds;
      // For OT the offline exchanges share the network: online = total - offline.
      result["online_bytes_sent"] =
          t.bytes_sent - on_network.bytes_sent - background_offline.bytes_sent;
      result["online_rounds"] = t.rounds - on_network.rounds - background_offline.rounds;
      return result;
    }();
  } catch (const net::PeerError& e) {
    transport->abort_session(e.what());
    throw;
  } catch (const CheckpointError& e) {
    transport->abort_session(e.what());
    throw;
  }
}

int exit_code_for(const std::exception& e) {
  // A port in use is this machine's problem (or its config's), not a peer's.
  if (dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const ml::DataError*>(&e) ||
      dynamic_cast<const psi::EmptyIntersection*>(&e) || dynamic_cast<const psi::InputError*>(&e) ||
      dynamic_cast<const FixedPointRangeError*>(&e) || dynamic_cast<const net::ListenError*>(&e) ||
      dynamic_cast<const std::invalid_argument*>(&e)) {
    return 1;
  }
  if (dynamic_cast<const net::PeerError*>(&e) || dynamic_cast<const std::runtime_error*>(&e))
    return 2;
  return 3;
}

}  // namespace jointly::parties
