// The checkpoint file (parties/common/checkpoint.h): round trip, atomic replacement, keeping the
// last two epochs, and refusing another party's, consortium's, data set's or version's file and
// truncated or altered ones, with the file named in every error.
#include "parties/common/checkpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "protocols/prg.h"

namespace jointly::parties {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

Digest digest_of(std::uint8_t fill) {
  Digest d{};
  d.fill(fill);
  return d;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "jointly-ckpt-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "checkpoints";  // created by the first save
    owner_ = {"hospital-b", 1, 3, digest_of(0xaa), digest_of(0xbb), 5, "dealer"};
  }
  void TearDown() override { fs::remove_all(root_); }

  // A checkpoint with every field set to something recognisable.
  Checkpoint sample(int epoch) const {
    Checkpoint c;
    c.owner = owner_;
    c.epoch = epoch;
    c.protocol.own = {seed_from_u64(1), 4096};
    c.protocol.pair = {AdditiveState::Stream{seed_from_u64(2), 123}, std::nullopt,
                       AdditiveState::Stream{seed_from_u64(3), 456}};
    c.dealer = {1000u + static_cast<unsigned>(epoch)};
    Prg prg(seed_from_u64(100 + static_cast<std::uint64_t>(epoch)));
    c.weights = prg.ring(31, 1);
    return c;
  }

  // Runs `load` and returns its CheckpointError message ("" if it did not throw one).
  template <class F>
  static std::string refusal(F load) {
    try {
      load();
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "";
  }

  fs::path root_, dir_;
  CheckpointOwner owner_;
};

TEST_F(CheckpointTest, RoundTripKeepsEveryFieldAndIsPrivate) {
  const CheckpointStore store(dir_, owner_);
  const Checkpoint c = sample(2);
  store.save(c);
  EXPECT_EQ(store.epochs(), std::vector<int>{2});
  const fs::path file = store.path_of(2);
  EXPECT_EQ(file, dir_ / "hospital-b.epoch-2.ckpt");
  EXPECT_EQ(mode_of(file), 0600u) << "the file holds secret shares";
  EXPECT_EQ(mode_of(dir_), 0700u);

  const Checkpoint back = store.load(2);
  EXPECT_EQ(back.owner.party, c.owner.party);
  EXPECT_EQ(back.owner.index, c.owner.index);
  EXPECT_EQ(back.owner.parties, c.owner.parties);
  EXPECT_EQ(back.owner.agreement, c.owner.agreement);
  EXPECT_EQ(back.owner.data, c.owner.data);
  EXPECT_EQ(back.owner.epochs, c.owner.epochs);
  EXPECT_EQ(back.owner.triples, c.owner.triples);
  EXPECT_EQ(back.epoch, 2);
  EXPECT_EQ(back.protocol.own.seed, c.protocol.own.seed);
  EXPECT_EQ(back.protocol.own.position, 4096u);
  ASSERT_EQ(back.protocol.pair.size(), 3u);
  EXPECT_FALSE(back.protocol.pair[1].has_value());
  EXPECT_EQ(back.protocol.pair[0]->seed, c.protocol.pair[0]->seed);
  EXPECT_EQ(back.protocol.pair[0]->position, 123u);
  EXPECT_EQ(back.protocol.pair[2]->seed, c.protocol.pair[2]->seed);
  EXPECT_EQ(back.protocol.pair[2]->position, 456u);
  EXPECT_EQ(back.dealer, c.dealer);
  EXPECT_EQ(back.weights, c.weights);
  EXPECT_EQ(encode_checkpoint(back), read_bytes(file));
}

// Replicated sharing: each party holds two share matrices of the model (format version 2).
TEST_F(CheckpointTest, ReplicatedSharesRoundTripAsAPair) {
  const CheckpointStore store(dir_, owner_);
  Checkpoint c = sample(3);
  c.dealer.clear();
  Prg prg(seed_from_u64(77));
  c.kind = Checkpoint::ShareKind::kRingPair;
  c.weights_next = prg.ring(31, 1);
  store.save(c);
  const Checkpoint back = store.load(3);
  EXPECT_EQ(back.weights, c.weights);
  EXPECT_EQ(back.weights_next, c.weights_next);
  const Shared w = weights_of(back);
  ASSERT_TRUE(w.is_pair());
  EXPECT_EQ(w.pair().mine, c.weights);
  EXPECT_EQ(w.pair().next, c.weights_next);
  // An additive checkpoint has no second share and gives back a ring tensor.
  EXPECT_FALSE(weights_of(sample(2)).is_pair());
}

// Shamir: field elements of 127 bits survive the round trip through two words each.
TEST_F(CheckpointTest, FieldSharesRoundTrip) {
  FieldMatrix f(3, 1);
  f(0, 0) = Fp(std::int64_t{-1});  // p - 1: both words in use
  f(1, 0) = Fp(std::int64_t{12345});
  f(2, 0) = Fp(u128{1} << 100);
  Checkpoint c = sample(1);
  set_weights(c, Shared(f));
  const Checkpoint back = decode_checkpoint(encode_checkpoint(c), "f.ckpt", owner_);
  const Shared w = weights_of(back);
  ASSERT_FALSE(w.is_ring());
  for (Index i = 0; i < 3; ++i) EXPECT_EQ(w.field()(i, 0).value(), f(i, 0).value());
}

// A second share whose shape differs from the first is refused, naming the file.
TEST_F(CheckpointTest, ASecondShareOfAnotherShapeIsRefused) {
  Checkpoint c = sample(3);
  Prg prg(seed_from_u64(78));
  c.kind = Checkpoint::ShareKind::kRingPair;
  c.weights_next = prg.ring(30, 1);
  const std::string bytes = encode_checkpoint(c);
  const std::string msg = refusal([&] { decode_checkpoint(bytes, "x.ckpt", owner_); });
  EXPECT_NE(msg.find("x.ckpt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("second share"), std::string::npos) << msg;
}

TEST_F(CheckpointTest, KeepsTheLastTwoEpochsAndDropsAnEarlierRunsFiles) {
  const CheckpointStore store(dir_, owner_);
  for (int e = 1; e <= 4; ++e) store.save(sample(e));
  EXPECT_EQ(store.epochs(), (std::vector<int>{3, 4}));
  EXPECT_EQ(store.load(3).dealer, sample(3).dealer);
  // Another party's files in the same folder are not ours to count or remove.
  CheckpointOwner other = owner_;
  other.party = "hospital-c";
  const CheckpointStore theirs(dir_, other);
  Checkpoint c = sample(4);
  c.owner = other;
  theirs.save(c);
  // A fresh run's first epoch replaces what an earlier run left.
  store.save(sample(1));
  EXPECT_EQ(store.epochs(), std::vector<int>{1});
  EXPECT_EQ(theirs.epochs(), std::vector<int>{4});
}

// A reader looking while the file is replaced over and over sees the old or the new contents,
// never a partial file, and the temporary file never takes the real name.
TEST_F(CheckpointTest, ReplacementIsAtomicForAConcurrentReader) {
  fs::create_directories(dir_);
  const fs::path file = dir_ / "x.ckpt";
  const std::string a(200000, 'a'), b(300000, 'b');
  write_file_atomically(file, a);
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (!stop) {
      const std::string seen = read_bytes(file);
      if (seen != a && seen != b) ++torn;
      ++reads;
    }
  });
  for (int i = 0; i < 200; ++i) write_file_atomically(file, i % 2 ? a : b);
  stop = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "a reader saw a partly written file";
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST_F(CheckpointTest, AFailedWriteLeavesNoTemporaryFileAndNamesTheFile) {
  fs::create_directories(dir_ / "hospital-b.epoch-2.ckpt" / "in-the-way");
  const CheckpointStore store(dir_, owner_);
  const std::string msg = refusal([&] { store.save(sample(2)); });
  EXPECT_NE(msg.find("hospital-b.epoch-2.ckpt"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(dir_ / "hospital-b.epoch-2.ckpt.tmp"));
}

// What a party killed while writing leaves: a temporary file, never counted as a checkpoint;
// the next save replaces it (and makes it private even if it was not).
TEST_F(CheckpointTest, ALeftOverTemporaryFileIsIgnoredAndReplaced) {
  const CheckpointStore store(dir_, owner_);
  store.save(sample(1));
  const fs::path tmp = dir_ / "hospital-b.epoch-2.ckpt.tmp";
  write_bytes(tmp, encode_checkpoint(sample(2)).substr(0, 40));
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  EXPECT_EQ(store.epochs(), std::vector<int>{1});
  store.save(sample(2));
  EXPECT_EQ(store.epochs(), (std::vector<int>{1, 2}));
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(mode_of(store.path_of(2)), 0600u);
  EXPECT_EQ(store.load(2).weights, sample(2).weights);
}

TEST_F(CheckpointTest, RefusesAnotherPartysConsortiumsOrDataSetsCheckpoint) {
  const CheckpointStore store(dir_, owner_);
  store.save(sample(2));
  const fs::path file = store.path_of(2);
  auto load_as = [&](CheckpointOwner expect, const fs::path& where) {
    return refusal([&] { decode_checkpoint(read_bytes(where), where.string(), expect); });
  };

  CheckpointOwner other_party = owner_;
  other_party.party = "hospital-c";
  std::string msg = load_as(other_party, file);
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("'hospital-b', not of 'hospital-c'"), std::string::npos) << msg;
  // Renamed to look like hospital-c's: still refused by hospital-c's store.
  fs::copy_file(file, dir_ / "hospital-c.epoch-2.ckpt");
  msg = refusal([&] { CheckpointStore(dir_, other_party).load(2); });
  EXPECT_NE(msg.find("hospital-c.epoch-2.ckpt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not of 'hospital-c'"), std::string::npos) << msg;

  CheckpointOwner other_config = owner_;
  other_config.agreement = digest_of(0xcc);
  msg = load_as(other_config, file);
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("digest differs"), std::string::npos) << msg;

  CheckpointOwner other_data = owner_;
  other_data.data = digest_of(0xdd);
  msg = load_as(other_data, file);
  EXPECT_NE(msg.find("other training data"), std::string::npos) << msg;

  CheckpointOwner other_epochs = owner_;
  other_epochs.epochs = 6;
  msg = load_as(other_epochs, file);
  EXPECT_NE(msg.find("epochs"), std::string::npos) << msg;
}

// A checkpoint path that is a FIFO (or another non-file) is refused at once, naming it: no
// hang waiting for a writer. The data file's digest reads a device no more than load_csv does.
TEST_F(CheckpointTest, AFifoInPlaceOfACheckpointOrADeviceAsDataIsRefusedAtOnce) {
  const CheckpointStore store(dir_, owner_);
  store.save(sample(1));
  const fs::path file = store.path_of(2);
  ASSERT_EQ(::mkfifo(file.c_str(), 0600), 0);
  const std::string msg = refusal([&] { store.load(2); });
  EXPECT_EQ(msg, file.string() + ": is not a regular file (a checkpoint is expected)");
  try {
    file_digest("/dev/zero");
    FAIL() << "/dev/zero digested";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/dev/zero: is not a regular file (a CSV file or a pipe is expected)");
  }
}

TEST_F(CheckpointTest, RefusesTruncatedAlteredWrongVersionAndMissingFiles) {
  const CheckpointStore store(dir_, owner_);
  store.save(sample(2));
  const fs::path file = store.path_of(2);
  const std::string good = read_bytes(file);
  auto refused_with = [&](const std::string& bytes) {
    write_bytes(file, bytes);
    return refusal([&] { store.load(2); });
  };

  for (std::size_t keep : {good.size() - 1, good.size() - 40, std::size_t{100}, std::size_t{20}}) {
    const std::string msg = refused_with(good.substr(0, keep));
    EXPECT_NE(msg.find(file.string()), std::string::npos) << keep << ": " << msg;
    EXPECT_NE(msg.find("truncated or corrupted"), std::string::npos) << keep << ": " << msg;
  }
  std::string msg = refused_with(good.substr(0, 10));
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  msg = refused_with("");
  EXPECT_NE(msg.find("not a jointly checkpoint"), std::string::npos) << msg;

  std::string altered = good;
  altered[good.size() / 2] ^= 1;  // one bit of a share
  msg = refused_with(altered);
  EXPECT_NE(msg.find("truncated or corrupted"), std::string::npos) << msg;

  std::string newer = good;
  newer[8] = static_cast<char>(kCheckpointVersion + 1);  // the version follows the 8-byte magic
  msg = refused_with(newer);
  EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("version " + std::to_string(kCheckpointVersion + 1)), std::string::npos)
      << msg;

  msg = refused_with("not a checkpoint at all, just text");
  EXPECT_NE(msg.find("not a jointly checkpoint"), std::string::npos) << msg;

  write_bytes(file, good);
  EXPECT_EQ(store.load(2).weights, sample(2).weights);  // the original is still fine
  msg = refusal([&] { store.load(1); });
  EXPECT_NE(msg.find((dir_ / "hospital-b.epoch-1.ckpt").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such checkpoint"), std::string::npos) << msg;
  // A file renamed to another epoch is refused too.
  fs::copy_file(file, store.path_of(3));
  msg = refusal([&] { store.load(3); });
  EXPECT_NE(msg.find("holds epoch 2, not 3"), std::string::npos) << msg;
}

}  // namespace
}  // namespace jointly::parties
