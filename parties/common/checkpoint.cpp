#include "parties/common/checkpoint.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "io/bounded_read.h"
#include "protocols/prg.h"
#include "protocols/triples/dealer.h"

namespace jointly::parties {
namespace {

namespace fs = std::filesystem;

// Bounds on what a party reads from user-named paths: its training data (as ml::load_csv) and
// its own checkpoints, which hold a model's shares and a few seeds (kilobytes for logistic
// regression, a few MB for the W5 MLP).
constexpr std::uintmax_t kMaxDataFileBytes = std::uintmax_t{1} << 30;    // 1 GiB
constexpr std::uintmax_t kMaxCheckpointBytes = std::uintmax_t{1} << 28;  // 256 MiB

constexpr char kMagic[8] = {'J', 'N', 'T', 'L', 'Y', 'C', 'K', 'P'};
constexpr char kResumeMagic[8] = {'J', 'N', 'T', 'L', 'Y', 'R', 'E', 'S'};

Digest sha256(const std::string& bytes) {
  Digest d{};
  static_assert(sizeof(Digest) == crypto_hash_sha256_BYTES);
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return d;
}

// Little-endian fields, appended / read with bounds checks.
class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { uint(v, 4); }
  void u64(std::uint64_t v) { uint(v, 8); }
  template <std::size_t N>
  void bytes(const std::array<std::uint8_t, N>& b) {
    out_.append(reinterpret_cast<const char*>(b.data()), N);
  }
  void text(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_ += s;
  }
  void raw(const char* data, std::size_t n) { out_.append(data, n); }
  std::string& str() { return out_; }

 private:
  void uint(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& bytes, std::size_t begin, std::size_t end, std::string source)
      : bytes_(bytes), at_(begin), end_(end), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(source_ + ": " + what);
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(uint(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
  std::uint64_t u64() { return uint(8); }
  template <std::size_t N>
  std::array<std::uint8_t, N> bytes() {
    need(N);
    std::array<std::uint8_t, N> b{};
    std::memcpy(b.data(), bytes_.data() + at_, N);
    at_ += N;
    return b;
  }
  std::string text() {
    const std::uint32_t n = u32();
    need(n);
    std::string s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }
  void need(std::size_t n) const {
    if (end_ - at_ < n) fail("malformed checkpoint (a field runs past the end)");
  }
  bool done() const { return at_ == end_; }

 private:
  std::uint64_t uint(int n) {
    need(static_cast<std::size_t>(n));
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[at_ + i])) << (8 * i);
    at_ += static_cast<std::size_t>(n);
    return v;
  }
  const std::string& bytes_;
  std::size_t at_, end_;
  std::string source_;
};

void write_stream(Writer& w, const AdditiveState::Stream& s) {
  w.bytes(s.seed);
  w.u64(s.position);
}

AdditiveState::Stream read_stream(Reader& r) {
  AdditiveState::Stream s;
  s.seed = r.bytes<kSeedBytes>();
  s.position = r.u64();
  return s;
}

std::string errno_text() { return std::strerror(errno); }

// What a peer learns about one of our checkpoints: its epoch and a one-way fingerprint of the
// pair seed we share with that peer (the peer holds the seed itself, nobody else learns it).
// Shamir holds no pair seeds: its fingerprint is a constant, so checkpoints of two runs of the
// same consortium and data are not told apart (docs/checkpoints.md).
Seed run_fingerprint(const Checkpoint& c, net::PartyId peer) {
  const auto at = static_cast<std::size_t>(peer);
  if (at >= c.protocol.pair.size() || !c.protocol.pair[at]) return derive_seed(Seed{}, "no-pair");
  return derive_seed(c.protocol.pair[at]->seed, "checkpoint.run");
}

}  // namespace

Digest file_digest(const fs::path& path) {
  try {
    // The training data: the same limits as ml::load_csv's.
    return sha256(io::read_bounded(
        path, {.max_bytes = kMaxDataFileBytes, .what = "a CSV file", .allow_pipe = true}));
  } catch (const io::FileError& e) {
    throw ConfigError(e.what());
  }
}

std::string encode_checkpoint(const Checkpoint& c) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kCheckpointVersion);
  w.bytes(c.owner.agreement);
  w.bytes(c.owner.data);
  w.text(c.owner.party);
  w.u32(static_cast<std::uint32_t>(c.owner.index));
  w.u32(static_cast<std::uint32_t>(c.owner.parties));
  w.u32(static_cast<std::uint32_t>(c.owner.epochs));
  w.text(c.owner.triples);
  w.u32(static_cast<std::uint32_t>(c.epoch));
  write_stream(w, c.protocol.own);
  w.u32(static_cast<std::uint32_t>(c.protocol.pair.size()));
  for (const auto& p : c.protocol.pair) {
    w.u8(p ? 1 : 0);
    if (p) write_stream(w, *p);
  }
  w.u32(static_cast<std::uint32_t>(c.dealer.size()));
  for (std::uint64_t pos : c.dealer) w.u64(pos);
  w.u64(static_cast<std::uint64_t>(c.weights.rows()));
  w.u64(static_cast<std::uint64_t>(c.weights.cols()));
  for (Index i = 0; i < c.weights.size(); ++i) w.u64(c.weights.data()[i]);
  w.u8(static_cast<std::uint8_t>(c.kind));
  w.u64(static_cast<std::uint64_t>(c.weights_next.rows()));
  w.u64(static_cast<std::uint64_t>(c.weights_next.cols()));
  for (Index i = 0; i < c.weights_next.size(); ++i) w.u64(c.weights_next.data()[i]);
  w.bytes(sha256(w.str()));
  return std::move(w.str());
}

Checkpoint decode_checkpoint(const std::string& bytes, const std::string& source,
                             const CheckpointOwner& expected) {
  const std::size_t header = sizeof kMagic + 4;
  Reader head(bytes, 0, bytes.size(), source);
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    head.fail("not a jointly checkpoint file");
  if (bytes.size() < header) head.fail("truncated checkpoint (no version)");
  head.bytes<sizeof kMagic>();
  const std::uint32_t version = head.u32();
  if (version != kCheckpointVersion && version != 1) {
    head.fail(fmt::format("checkpoint format version {}; this jointly-party reads version {}",
                          version, kCheckpointVersion));
  }
  if (bytes.size() < header + sizeof(Digest) ||
      sha256(bytes.substr(0, bytes.size() - sizeof(Digest))) !=
          Reader(bytes, bytes.size() - sizeof(Digest), bytes.size(), source)
              .bytes<sizeof(Digest)>()) {
    head.fail("truncated or corrupted checkpoint (its SHA-256 does not match)");
  }

  Reader r(bytes, header, bytes.size() - sizeof(Digest), source);
  Checkpoint c;
  c.owner.agreement = r.bytes<sizeof(Digest)>();
  c.owner.data = r.bytes<sizeof(Digest)>();
  c.owner.party = r.text();
  c.owner.index = static_cast<int>(r.u32());
  c.owner.parties = static_cast<int>(r.u32());
  c.owner.epochs = static_cast<int>(r.u32());
  c.owner.triples = r.text();
  c.epoch = static_cast<int>(r.u32());
  c.protocol.own = read_stream(r);
  const std::uint32_t pairs = r.u32();
  if (pairs > 4096) r.fail("malformed checkpoint (party count)");
  for (std::uint32_t p = 0; p < pairs; ++p) {
    if (r.u8() != 0) {
      c.protocol.pair.emplace_back(read_stream(r));
    } else {
      c.protocol.pair.emplace_back();
    }
  }
  const std::uint32_t streams = r.u32();
  r.need(static_cast<std::size_t>(streams) * 8);
  for (std::uint32_t i = 0; i < streams; ++i) c.dealer.push_back(r.u64());
  const std::uint64_t rows = r.u64(), cols = r.u64();
  if (rows > (1u << 20) || cols > (1u << 20)) r.fail("malformed checkpoint (model shape)");
  r.need(static_cast<std::size_t>(rows * cols * 8));
  c.weights.resize(static_cast<Index>(rows), static_cast<Index>(cols));
  for (Index i = 0; i < c.weights.size(); ++i) c.weights.data()[i] = r.u64();
  if (version >= 2) {
    const std::uint8_t kind = r.u8();
    if (kind > 2) r.fail("malformed checkpoint (kind of shares)");
    c.kind = static_cast<Checkpoint::ShareKind>(kind);
    const std::uint64_t next_rows = r.u64(), next_cols = r.u64();
    const bool two = c.kind != Checkpoint::ShareKind::kRing;
    if (two ? (next_rows != rows || next_cols != cols) : (next_rows != 0 || next_cols != 0))
      r.fail("malformed checkpoint (second share's shape)");
    r.need(static_cast<std::size_t>(next_rows * next_cols * 8));
    c.weights_next.resize(static_cast<Index>(next_rows), static_cast<Index>(next_cols));
    for (Index i = 0; i < c.weights_next.size(); ++i) c.weights_next.data()[i] = r.u64();
  }
  if (!r.done()) r.fail("malformed checkpoint (trailing bytes)");

  // Whose checkpoint is it? Each refusal says what differs.
  if (c.owner.party != expected.party) {
    r.fail(fmt::format("checkpoint of party '{}', not of '{}'", c.owner.party, expected.party));
  }
  if (c.owner.agreement != expected.agreement) {
    r.fail(
        "checkpoint of another consortium: its config/schema digest differs from this run's "
        "(consortium file or data columns changed)");
  }
  if (c.owner.data != expected.data) {
    r.fail("checkpoint made with other training data (this party's data file changed)");
  }
  if (c.owner.index != expected.index || c.owner.parties != expected.parties ||
      c.owner.epochs != expected.epochs || c.owner.triples != expected.triples) {
    r.fail("checkpoint does not match this run's parties, epochs or triple source");
  }
  if (c.epoch < 1 || c.epoch > c.owner.epochs ||
      (!c.protocol.pair.empty() &&  // Shamir has no pair streams
       c.protocol.pair.size() != static_cast<std::size_t>(c.owner.parties))) {
    r.fail("malformed checkpoint (epoch or party count)");
  }
  for (int p = 0; p < c.owner.parties && !c.protocol.pair.empty(); ++p) {
    if (c.protocol.pair[static_cast<std::size_t>(p)].has_value() != (p != c.owner.index))
      r.fail("malformed checkpoint (pair seeds)");
  }
  return c;
}

void write_file_atomically(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = path.string() + ".tmp";
  auto fail = [&](const std::string& what) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw CheckpointError(fmt::format("{}: cannot {} ({})", path.string(), what, why));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("create " + tmp.filename().string());
  // O_CREAT's mode only applies to a new file: a left-over temporary file keeps its own.
  if (::fchmod(fd, 0600) != 0) {
    ::close(fd);
    fail("make it private (chmod 0600)");
  }
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write it");
    }
    at += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync it");
  }
  if (::close(fd) != 0) fail("close it");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename " + tmp.filename().string());
  // The rename itself is durable once the folder is synced.
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    const std::string why = errno_text();
    if (dir >= 0) ::close(dir);
    throw CheckpointError(
        fmt::format("{}: cannot fsync its folder {} ({})", path.string(), folder.string(), why));
  }
  ::close(dir);
}

CheckpointStore::CheckpointStore(fs::path dir, CheckpointOwner owner)
    : dir_(std::move(dir)), owner_(std::move(owner)) {}

fs::path CheckpointStore::path_of(int epoch) const {
  return dir_ / fmt::format("{}.epoch-{}.ckpt", owner_.party, epoch);
}

std::vector<int> CheckpointStore::epochs() const {
  std::vector<int> found;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return found;
  const std::string prefix = owner_.party + ".epoch-", suffix = ".ckpt";
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.substr(name.size() - suffix.size()) != suffix) {
      continue;
    }
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      continue;
    found.push_back(std::stoi(digits));
  }
  std::sort(found.begin(), found.end());
  return found;
}

Checkpoint CheckpointStore::load(int epoch) const {
  const fs::path path = path_of(epoch);
  std::string bytes;
  try {
    bytes = io::read_bounded(path, {.max_bytes = kMaxCheckpointBytes, .what = "a checkpoint"});
  } catch (const io::FileError& e) {
    // A missing file is the common case (that epoch was never reached); else say what it is.
    throw CheckpointError(
        path.string() + ": " +
        (fs::exists(path) ? e.reason() : "no such checkpoint (" + e.reason() + ")"));
  }
  Checkpoint c = decode_checkpoint(bytes, path.string(), owner_);
  if (c.epoch != epoch) {
    throw CheckpointError(
        fmt::format("{}: holds epoch {}, not {} (renamed?)", path.string(), c.epoch, epoch));
  }
  return c;
}

void CheckpointStore::save(const Checkpoint& c) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) {
    throw CheckpointError(dir_.string() + ": cannot create the checkpoint folder (" + ec.message() +
                          ")");
  }
  fs::permissions(dir_, fs::perms::owner_all, ec);
  if (ec) {
    throw CheckpointError(dir_.string() + ": cannot make the checkpoint folder private (" +
                          ec.message() + ")");
  }
  write_file_atomically(path_of(c.epoch), encode_checkpoint(c));
  for (int e : epochs()) {
    if (e != c.epoch && e != c.epoch - 1) fs::remove(path_of(e), ec);
  }
}

Checkpoint snapshot(const CheckpointOwner& owner, int epoch, const Protocol& protocol,
                    const TripleSource* triples, const Shared& weights) {
  Checkpoint c;
  c.owner = owner;
  c.epoch = epoch;
  const std::optional<PrgStreams> streams = protocol.streams();
  if (!streams) throw CheckpointError(protocol.name() + " cannot write checkpoints yet");
  c.protocol = *streams;
  if (triples != nullptr) c.dealer = triples->positions();
  set_weights(c, weights);
  return c;
}

void set_weights(Checkpoint& c, const Shared& weights) {
  c.weights_next = RingMatrix();
  c.kind = Checkpoint::ShareKind::kRing;
  if (weights.is_pair()) {
    c.kind = Checkpoint::ShareKind::kRingPair;
    c.weights = weights.pair().mine;
    c.weights_next = weights.pair().next;
  } else if (weights.is_ring()) {
    c.weights = weights.ring();
  } else {
    const FieldMatrix& f = weights.field();
    c.kind = Checkpoint::ShareKind::kField;
    c.weights.resize(f.rows(), f.cols());
    c.weights_next.resize(f.rows(), f.cols());
    for (Index i = 0; i < f.size(); ++i) {
      c.weights.data()[i] = static_cast<std::uint64_t>(f.data()[i].value());
      c.weights_next.data()[i] = static_cast<std::uint64_t>(f.data()[i].value() >> 64);
    }
  }
}

Shared weights_of(const Checkpoint& c) {
  switch (c.kind) {
    case Checkpoint::ShareKind::kRingPair:
      return Shared(c.weights, c.weights_next);
    case Checkpoint::ShareKind::kField: {
      FieldMatrix f(c.weights.rows(), c.weights.cols());
      for (Index i = 0; i < f.size(); ++i) {
        const u128 v = (u128{c.weights_next.data()[i]} << 64) | c.weights.data()[i];
        if (v >= Fp::kModulus) throw CheckpointError("checkpoint: a field share is out of range");
        f.data()[i] = Fp(v);
      }
      return Shared(std::move(f));
    }
    case Checkpoint::ShareKind::kRing:
      break;
  }
  return Shared(c.weights);
}

AdditiveState seeds_at_start(const Checkpoint& c) {
  AdditiveState s = c.protocol;
  s.own.position = 0;
  for (auto& pair : s.pair) {
    if (pair) pair->position = 0;
  }
  return s;
}

void restore_triples(TripleSource* triples, const Checkpoint& c) {
  const std::size_t have = triples != nullptr ? triples->positions().size() : 0;
  if (c.dealer.size() != have) {
    throw CheckpointError(fmt::format(
        "checkpoint of epoch {}: {} dealer stream positions, this party's source has {}", c.epoch,
        c.dealer.size(), have));
  }
  if (triples != nullptr) triples->seek(c.dealer);
}

Checkpoint agree_on_resume(net::Network& network, const CheckpointStore& store) {
  const int n = network.parties(), self = network.self();
  const CheckpointOwner& me = store.owner();
  std::vector<Checkpoint> mine;
  for (int e : store.epochs()) mine.push_back(store.load(e));

  // To each peer: magic, count, then (epoch, fingerprint of our pair seed) per checkpoint.
  std::vector<net::Bytes> out(static_cast<std::size_t>(n));
  for (int p = 0; p < n; ++p) {
    if (p == self) continue;
    Writer w;
    w.raw(kResumeMagic, sizeof kResumeMagic);
    w.u32(static_cast<std::uint32_t>(mine.size()));
    for (const auto& c : mine) {
      w.u32(static_cast<std::uint32_t>(c.epoch));
      w.bytes(run_fingerprint(c, p));
    }
    out[p].assign(w.str().begin(), w.str().end());
  }
  const std::vector<net::Bytes> in = network.exchange(std::move(out));

  struct Held {
    int epoch;
    Seed fingerprint;
  };
  std::vector<std::vector<Held>> held(static_cast<std::size_t>(n));
  for (const auto& c : mine) held[self].push_back({c.epoch, {}});
  for (int p = 0; p < n; ++p) {
    if (p == self) continue;
    const std::string bytes(in[p].begin(), in[p].end());
    const std::string who = network.peer_name(p);
    if (bytes.size() < sizeof kResumeMagic + 4 ||
        std::memcmp(bytes.data(), kResumeMagic, sizeof kResumeMagic) != 0) {
      throw net::PeerError(p, who +
                                  " did not answer with its checkpoints: every party must be "
                                  "started with --resume");
    }
    Reader r(bytes, sizeof kResumeMagic, bytes.size(), who + "'s checkpoint list");
    try {
      const std::uint32_t count = r.u32();
      r.need(static_cast<std::size_t>(count) * (4 + kSeedBytes));
      for (std::uint32_t i = 0; i < count; ++i) {
        const int epoch = static_cast<int>(r.u32());
        held[p].push_back({epoch, r.bytes<kSeedBytes>()});
      }
      if (!r.done()) r.fail("trailing bytes");
    } catch (const CheckpointError& e) {
      throw net::PeerError(p, who + " sent a malformed checkpoint list: " + e.what());
    }
  }

  // The minimum over parties of each one's latest epoch; every party must hold it. All
  // parties evaluate the same lists, so all fail alike.
  int target = std::numeric_limits<int>::max();
  for (int p = 0; p < n; ++p) {
    const std::string who = p == self ? me.party : network.peer_name(p);
    if (held[p].empty()) {
      if (p == self) {
        throw CheckpointError(fmt::format("{}: no checkpoint to resume from (no {}.epoch-<k>.ckpt)",
                                          store.dir().string(), me.party));
      }
      throw CheckpointError(fmt::format("cannot resume: {} has no checkpoint", who));
    }
    int latest = 0;
    for (const auto& h : held[p]) latest = std::max(latest, h.epoch);
    target = std::min(target, latest);
  }
  for (int p = 0; p < n; ++p) {
    const bool has = std::any_of(held[p].begin(), held[p].end(),
                                 [&](const Held& h) { return h.epoch == target; });
    if (has) continue;
    std::string list;
    for (const auto& h : held[p]) list += (list.empty() ? "" : ", ") + std::to_string(h.epoch);
    if (p == self) {
      throw CheckpointError(fmt::format(
          "{}: missing; the parties' last common epoch is {}, this party holds epochs {}",
          store.path_of(target).string(), target, list));
    }
    throw CheckpointError(fmt::format(
        "cannot resume: the parties' last common epoch is {}, but {} holds only epochs {}", target,
        network.peer_name(p), list));
  }
  const Checkpoint& chosen = *std::find_if(mine.begin(), mine.end(),
                                           [&](const Checkpoint& c) { return c.epoch == target; });
  for (int p = 0; p < n; ++p) {
    if (p == self) continue;
    for (const auto& h : held[p]) {
      if (h.epoch == target && h.fingerprint != run_fingerprint(chosen, p)) {
        throw CheckpointError(fmt::format(
            "{}: comes from another run than {}'s checkpoint of epoch {} (their pair seeds "
            "differ); resume only from checkpoints of one run",
            store.path_of(target).string(), network.peer_name(p), target));
      }
    }
  }
  return chosen;
}

}  // namespace jointly::parties
