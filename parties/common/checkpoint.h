// Checkpoints: after every epoch each party writes its own shares of the model and where its
// randomness stands, so that `jointly-party --resume` continues from the last epoch every
// party completed and opens exactly the model of the uninterrupted run (dealer triples).
//
// One file per party and epoch, <dir>/<party>.epoch-<k>.ckpt, written atomically (temporary
// file in the same folder, fsync, rename, fsync of the folder) with mode 0600: it holds
// secret shares and this party's seeds. The last two epochs are kept, because a party killed
// right after epoch k may leave the others at k-1. Format, agreement and what is restored:
// docs/checkpoints.md.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "net/network.h"
#include "parties/common/config.h"
#include "protocols/additive/additive.h"
#include "protocols/ring.h"
#include "protocols/triples/triple_source.h"

namespace jointly::parties {

// A checkpoint that cannot be used (missing, truncated, another version, consortium, party or
// data set), or parties that cannot agree on one. Exit code 1, like every bad input; the
// message names the file (or the party that lacks one).
class CheckpointError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// Version 2 added the kind of shares and a second word matrix (replicated sharing's second
// share, the high words of Shamir's field elements); version 1 files (additive) are still read.
inline constexpr std::uint32_t kCheckpointVersion = 2;
using Digest = std::array<std::uint8_t, 32>;

// What a checkpoint must match to be used: written by this party, for this consortium file and
// data schema (the agreement digest the parties prove to each other at start-up) and this
// party's data file.
struct CheckpointOwner {
  std::string party;
  int index = 0;
  int parties = 0;
  Digest agreement{};
  Digest data{};  // SHA-256 of this party's data file
  int epochs = 0;
  std::string triples;  // "dealer" | "ot" | "prss"
};

struct Checkpoint {
  CheckpointOwner owner;
  int epoch = 0;                      // epochs complete
  AdditiveState protocol;             // own and pairwise seeds, stream positions
  std::vector<std::uint64_t> dealer;  // dealer stream positions (empty for OT triples)
  // This party's shares of the model, as 64-bit words: ring shares (additive); the first and
  // second share (replicated); the low and high 64 bits of each field element (Shamir).
  enum class ShareKind : std::uint8_t { kRing = 0, kRingPair = 1, kField = 2 };
  ShareKind kind = ShareKind::kRing;
  RingMatrix weights;
  RingMatrix weights_next;  // empty for kRing
};

// SHA-256 of a file's bytes; ConfigError naming the file if it cannot be read.
Digest file_digest(const std::filesystem::path& path);

// The file format (docs/checkpoints.md). decode_checkpoint() checks magic, version and the
// trailing SHA-256 (a truncated or altered file fails), then that the checkpoint belongs to
// `expected`; every error is a CheckpointError naming `source`.
std::string encode_checkpoint(const Checkpoint& c);
Checkpoint decode_checkpoint(const std::string& bytes, const std::string& source,
                             const CheckpointOwner& expected);

// Writes `bytes` to `path` so that `path` is either absent, its old contents or all of the new
// ones: <path>.tmp in the same folder (mode 0600), fsync, rename over `path`, fsync the folder.
// CheckpointError naming the file if any step fails (the temporary file is removed).
void write_file_atomically(const std::filesystem::path& path, const std::string& bytes);

// One party's checkpoints in one folder (created, mode 0700, at the first save).
class CheckpointStore {
 public:
  CheckpointStore(std::filesystem::path dir, CheckpointOwner owner);

  const std::filesystem::path& dir() const { return dir_; }
  const CheckpointOwner& owner() const { return owner_; }
  std::filesystem::path path_of(int epoch) const;
  // Epochs with a checkpoint file of this party, ascending (temporary files do not count).
  std::vector<int> epochs() const;
  Checkpoint load(int epoch) const;
  // Writes c (atomically), then removes this party's checkpoints other than c.epoch and
  // c.epoch - 1 — including a previous run's, when a fresh run reaches its first epoch.
  void save(const Checkpoint& c) const;

 private:
  std::filesystem::path dir_;
  CheckpointOwner owner_;
};

// This party's state after `epoch` complete epochs.
// `triples` is null for a backend without a triple source (replicated).
Checkpoint snapshot(const CheckpointOwner& owner, int epoch, const Protocol& protocol,
                    const TripleSource* triples, const Shared& weights);
// Stores shares of the model in c (every kind of share), and gives them back as the protocol
// holds them.
void set_weights(Checkpoint& c, const Shared& weights);
Shared weights_of(const Checkpoint& c);
// The checkpoint's seeds with every stream at its start: what the resumed party builds its
// Additive with, so that it shares its data exactly as the first run did; Additive::seek()
// then moves the streams to the checkpoint's positions before training.
AdditiveState seeds_at_start(const Checkpoint& c);
// Puts the triple source back where the checkpoint left it (dealer: stream positions; OT
// triples draw fresh randomness and keep nothing).
void restore_triples(TripleSource* triples, const Checkpoint& c);

// `--resume`, before any other message of the run: every party tells every peer which epochs
// it holds (with a fingerprint of their pair seed, so checkpoints of different runs are not
// mixed); all take the minimum over parties of the latest epoch, and load their checkpoint of
// it. One round. Throws CheckpointError on every party alike if some party lacks that epoch
// (naming it), PeerError if a peer's message is malformed (e.g. it was not started with
// --resume).
Checkpoint agree_on_resume(net::Network& network, const CheckpointStore& store);

}  // namespace jointly::parties
