#include "parties/party/program.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "ml/logreg/logreg.h"
#include "ml/logreg/model.h"
#include "ml/logreg/plan.h"
#include "net/network.h"
#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"
#include "parties/common/audit.h"
#include "parties/common/checkpoint.h"
#include "parties/common/config.h"
#include "parties/common/protocol_stack.h"
#include "parties/party/agreement.h"
#include "parties/party/joint_data.h"
#include "protocols/fixed_point.h"

namespace jointly::parties {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string megabytes(std::uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

// Computes the plan from the training's shape (ml/logreg/plan.h) and has the provider prepare
// it all, with a progress line every tenth of the OTs.
void offline_phase(const ProtocolStack& stack, const std::string& name, Index rows, Index cols,
                   const ml::SgdConfig& sgd, const Consortium& c, std::ostream& log,
                   const PartyArgs& args) {
  const auto start = Clock::now();
  const std::vector<TripleRequest> plan =
      ml::plan_logreg(c.index_of(name), static_cast<int>(c.parties.size()), rows, cols, sgd,
                      c.truncation == "local" ? Truncation::kLocal : Truncation::kPair);
  if (args.progress) {
    log << fmt::format("[{}] offline: {} correlated-randomness items by oblivious transfer\n", name,
                       plan.size())
        << std::flush;
  }
  std::uint64_t next_report = 0;
  stack.triples->prepare(plan, [&](std::uint64_t done, std::uint64_t total) {
    if (!args.progress || total == 0 || done * 10 < next_report * total) return;
    next_report = done * 10 / total + 1;
    log << fmt::format("[{}] offline: {:3d}%  {} of {} OTs  {:.2f} s\n", name,
                       static_cast<int>(100 * done / total), done, total, seconds_since(start))
        << std::flush;
  });
}

}  // namespace

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
    if (c.split != "rows") {
      throw ConfigError("--compute-node: a party without data takes part in a rows split only (" +
                        c.path.string() + " has split = \"" + c.split + "\")");
    }
    csv_options.allow_no_rows = true;
    csv_options.require_label = false;
  }
  const ml::Table data = ml::load_csv(args.data, csv_options);
  if (args.compute_node && data.rows() > 0) {
    throw ml::DataError(args.data.string() + ": --compute-node contributes no rows, but the file " +
                        "holds " + std::to_string(data.rows()) +
                        " (pass a file with the header row only)");
  }
  check_training_data(data, fp, c.label);
  std::optional<ml::Table> test;
  if (args.test && c.is_receiver(me.name)) {
    test = ml::load_csv(*args.test, c.label);
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
      const JointData joint = share_training_data(protocol, c, data, fp, *audit);
      if (test && test->feature_names != joint.feature_names) {
        throw ml::DataError(args.test->string() + ": columns differ from the joint features");
      }
      const Shared &x = joint.x, &y = joint.y;
      const ml::Standardizer& standardizer = joint.standardizer;

      const ml::SgdConfig sgd{.epochs = c.epochs,
                              .batch = c.batch,
                              .learning_rate = c.learning_rate,
                              .shuffle_seed = c.shuffle_seed,
                              .fp = fp};
      // Offline phase (OT triples): everything the training will ask for, made before it. A
      // resumed run makes its (fewer) triples on demand instead.
      const auto offline_start = Clock::now();
      if (stack.has_offline_phase() && !resumed)
        offline_phase(stack, me.name, x.rows(), x.cols(), sgd, c, log, args);
      const double offline_seconds =
          stack.has_offline_phase() && !resumed ? seconds_since(offline_start) : 0.0;

      std::optional<ml::TrainFrom> from;
      if (resumed) {
        protocol.seek(resumed->protocol);
        restore_triples(stack.triples.get(), *resumed);
        from = ml::TrainFrom{resumed->epoch, weights_of(*resumed)};
      }
      const auto train_start = Clock::now();
      const Shared w = ml::train_logreg(
          protocol, x, y, sgd,
          [&](const ml::StepProgress& s) {
            if (!args.progress || s.batch != s.batches) return;
            const auto& t = network.traffic();
            log << fmt::format("[{}] epoch {}/{}  {:.2f} s  sent {}  {} rounds\n", me.name, s.epoch,
                               s.epochs, seconds_since(start), megabytes(t.bytes_sent), t.rounds)
                << std::flush;
          },
          from ? &*from : nullptr,
          [&](int epoch, const Shared& weights) {
            if (!resumable) return;
            checkpoints.save(
                snapshot(checkpoints.owner(), epoch, protocol, stack.triples.get(), weights));
          });
      const double train_seconds = seconds_since(train_start);

      nlohmann::json result;
      for (const auto& receiver : c.receivers) {
        const int r = c.index_of(receiver);
        auto opened = protocol.open_to(r, w);
        audit->record("model weights", receiver, static_cast<std::uint64_t>(w.rows()));
        if (!opened) continue;
        log << fmt::format("[{}] opened the model ({} weights) to itself as a receiver\n", me.name,
                           w.rows());
        const Eigen::VectorXd weights = fp.decode(*opened);
        const ml::LogRegModel model{joint.feature_names, weights, standardizer, fp};
        if (args.out) {
          ml::save_model(*args.out, model, protocol.name());
          result["model"] = args.out->string();
        }
        if (test) {
          result["accuracy"] = ml::accuracy(ml::with_bias(standardizer.apply(test->features)),
                                            test->labels, weights);
          result["test_rows"] = test->rows();
        }
        result["weights"] = std::vector<double>(weights.data(), weights.data() + weights.size());
      }

      const auto& t = network.traffic();
      result["party"] = me.name;
      result["protocol"] = protocol.name();
      result["parties"] = n;
      result["rows"] = joint.rows;
      result["features"] = joint.feature_names.size();
      result["rows_contributed"] = data.rows();
      result["seconds"] = seconds_since(start);
      result["seconds_connect"] = connect_seconds;
      result["seconds_training"] = train_seconds;
      result["seconds_offline"] = offline_seconds;
      result["bytes_sent"] = t.bytes_sent;
      result["bytes_received"] = t.bytes_received;
      result["rounds"] = t.rounds;
      result["audit_log"] = args.audit.string();
      result["audit_last_hash"] = audit->last_hash();
      result["checkpoint_dir"] = args.checkpoint_dir.string();
      if (resumed) result["resumed_from_epoch"] = resumed->epoch;
      const net::Traffic offline =
          stack.triples ? stack.triples->offline_traffic() : net::Traffic{};
      const net::Traffic on_network = stack.offline_on_network();
      result["triples"] = stack.triples_name();
      result["offline_bytes_sent"] = on_network.bytes_sent;
      result["offline_bytes_received"] = offline.bytes_received;
      result["offline_rounds"] = offline.rounds;
      // For OT the offline exchanges share the network: online = total - offline.
      result["online_bytes_sent"] = t.bytes_sent - on_network.bytes_sent;
      result["online_rounds"] = t.rounds - on_network.rounds;
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
      dynamic_cast<const FixedPointRangeError*>(&e) || dynamic_cast<const net::ListenError*>(&e) ||
      dynamic_cast<const std::invalid_argument*>(&e)) {
    return 1;
  }
  if (dynamic_cast<const net::PeerError*>(&e) || dynamic_cast<const std::runtime_error*>(&e))
    return 2;
  return 3;
}

}  // namespace jointly::parties
