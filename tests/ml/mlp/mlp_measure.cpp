// W5 (docs/mlp.md): trains the MLP on a cut of Fashion-MNIST on shares (n in-process parties;
// additive with dealer triples — simulation only — by default) and in plaintext with the same
// batches and initial weights, and prints test accuracy, seconds, bytes and rounds per batch.
//
//   mlp_measure [--parties N] [--protocol additive|shamir|replicated] [--triples dealer|ot]
//               [--rows R] [--epochs E] [--truncation pair|local] [--seed S]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ml/data/idx.h"
#include "tests/ml/mlp/secure_run.h"

using namespace jointly;

int main(int argc, char** argv) {
  int parties = 2, epochs = 1;
  std::string protocol = "additive", triples = "dealer";
  long rows = 6000;
  Truncation truncation = Truncation::kPair;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--parties") {
      parties = std::stoi(value);
    } else if (key == "--rows") {
      rows = std::stol(value);
    } else if (key == "--epochs") {
      epochs = std::stoi(value);
    } else if (key == "--truncation") {
      truncation = value == "local" ? Truncation::kLocal : Truncation::kPair;
    } else if (key == "--protocol") {
      if (value != "additive" && value != "shamir" && value != "replicated") {
        std::fprintf(stderr, "--protocol is additive, shamir or replicated\n");
        return 2;
      }
      protocol = value;
    } else if (key == "--triples") {
      if (value != "dealer" && value != "ot") {
        std::fprintf(stderr, "--triples is dealer or ot (additive only)\n");
        return 2;
      }
      triples = value;
    } else if (key == "--seed") {
      seed = std::stoull(value);
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  const testing::ProtocolSetup setup = protocol == "shamir"       ? testing::shamir_setup(parties)
                                       : protocol == "replicated" ? testing::replicated_setup()
                                       : triples == "ot"
                                           ? testing::additive_ot_setup(truncation)
                                           : testing::additive_setup(parties, truncation);
  if (setup.parties != parties) {
    std::fprintf(stderr, "%s runs with %d parties\n", setup.name.c_str(), setup.parties);
    return 2;
  }
  const auto dir = ml::kFashionMnistDir;
  const ml::IdxDataset train =
      ml::load_idx(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz", rows);
  const ml::IdxDataset test =
      ml::load_idx(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");
  ml::MlpConfig config;
  config.sgd.epochs = epochs;

  auto t0 = std::chrono::steady_clock::now();
  const ml::MlpPlain plain = ml::train_mlp_plain(train.images, train.labels, config);
  const double plain_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto start = std::chrono::steady_clock::now();
  const auto run = testing::run_secure_mlp(
      setup, train.images, train.labels, config, seed, [&](const ml::StepProgress& p) {
        if (p.batch % 10 != 0 && p.batch != p.batches) return;
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "epoch %d/%d batch %d/%d  %.1f s\n", p.epoch, p.epochs, p.batch,
                     p.batches, s);
      });
  const double steps =
      static_cast<double>(ml::batch_schedule(train.images.rows(), config.sgd).size());
  std::uint64_t bytes_max = 0, bytes_total = 0, offline_max = 0;
  for (const auto& t : run.training) {
    bytes_max = std::max(bytes_max, t.bytes_sent);
    bytes_total += t.bytes_sent;
  }
  for (const auto& t : run.offline) offline_max = std::max(offline_max, t.bytes_received);
  const double secure_acc = ml::mlp_accuracy(run.model, test.images, test.labels);
  const double plain_acc = ml::mlp_accuracy(plain, test.images, test.labels);
  std::printf("%s, parties %d, truncation %s, %ld training images, %d epoch(s), batch %d, lr %g\n",
              setup.name.c_str(), parties, truncation == Truncation::kLocal ? "local" : "pair",
              static_cast<long>(train.images.rows()), epochs, config.sgd.batch,
              config.sgd.learning_rate);
  std::printf("test accuracy (10k): secure %.2f%%, plaintext %.2f%%, max |w diff| %.4f\n",
              100 * secure_acc, 100 * plain_acc, ml::max_abs_diff(run.model, plain));
  std::printf("steps %.0f, training %.2f s (%.3f s / batch), plaintext %.2f s\n", steps,
              run.seconds, run.seconds / steps, plain_seconds);
  std::printf(
      "rounds %llu (%.1f / batch), bytes sent busiest party %.1f MB (%.2f MB / batch), "
      "all parties %.1f MB, triples offline, received by the busiest party %.1f MB\n",
      static_cast<unsigned long long>(run.training[0].rounds),
      static_cast<double>(run.training[0].rounds) / steps, bytes_max / 1e6, bytes_max / 1e6 / steps,
      bytes_total / 1e6, offline_max / 1e6);
  const double full = 469;  // ceil(60000 / 128)
  std::printf("extrapolated full 60k epoch (469 batches): %.0f s, %.0f rounds, %.2f GB per party\n",
              run.seconds / steps * full,
              static_cast<double>(run.training[0].rounds) / steps * full,
              bytes_max / steps * full / 1e9);
  return 0;
}
