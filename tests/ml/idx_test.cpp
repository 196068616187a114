// IDX loading: round trips (raw and gzip), every malformed file is a DataError naming the file
// and the problem, and the installed Fashion-MNIST files load.
#include "ml/data/idx.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace jointly::ml {
namespace {

namespace fs = std::filesystem;

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "jointly-idx-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  // 3 images of 2 x 2 pixels and their labels.
  static std::vector<std::uint8_t> pixels() { return {0, 255, 51, 102, 1, 2, 3, 4, 9, 8, 7, 6}; }
  void write_good(const std::string& images, const std::string& labels) const {
    save_idx(path(images), kIdxImagesMagic, {3, 2, 2}, pixels());
    save_idx(path(labels), kIdxLabelsMagic, {3}, {7, 0, 9});
  }
  void write_bytes(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  std::vector<std::uint8_t> read_bytes(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // Loading `name` as images (labels) must fail with a DataError naming the file and
  // containing `what`.
  void expect_images_error(const std::string& name, const std::string& what) const {
    expect_error(name, what, [](const fs::path& file) { load_idx_images(file); });
  }
  void expect_labels_error(const std::string& name, const std::string& what) const {
    expect_error(name, what, [](const fs::path& file) { load_idx_labels(file); });
  }
  template <class Load>
  void expect_error(const std::string& name, const std::string& what, Load load) const {
    try {
      load(path(name));
      FAIL() << "no error for " << name;
    } catch (const DataError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path(name).string()), std::string::npos) << message;
      EXPECT_NE(message.find(what), std::string::npos) << message;
    }
  }

  fs::path dir_;
};

void expect_good(const IdxDataset& data) {
  ASSERT_EQ(data.images.rows(), 3);
  ASSERT_EQ(data.images.cols(), 4);
  const auto px = std::vector<std::uint8_t>{0, 255, 51, 102, 1, 2, 3, 4, 9, 8, 7, 6};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_DOUBLE_EQ(data.images(i, j), px[i * 4 + j] / 255.0);
  }
  EXPECT_EQ(data.labels, (std::vector<int>{7, 0, 9}));
}

TEST_F(IdxTest, RawRoundTrip) {
  write_good("img.idx", "lab.idx");
  // Raw files really are raw: the header starts with the magic.
  const auto bytes = read_bytes("img.idx");
  ASSERT_EQ(bytes.size(), 16u + 12u);
  EXPECT_EQ(bytes[2], 0x08);
  EXPECT_EQ(bytes[3], 0x03);
  expect_good(load_idx(path("img.idx"), path("lab.idx")));
  const IdxImages images = load_idx_images(path("img.idx"));
  EXPECT_EQ(images.rows, 2);
  EXPECT_EQ(images.cols, 2);
}

TEST_F(IdxTest, GzipRoundTrip) {
  write_good("img.idx.gz", "lab.idx.gz");
  const auto bytes = read_bytes("img.idx.gz");
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(bytes[0], 0x1f);  // gzip magic
  EXPECT_EQ(bytes[1], 0x8b);
  expect_good(load_idx(path("img.idx.gz"), path("lab.idx.gz")));
}

TEST_F(IdxTest, RowLimit) {
  write_good("img.idx.gz", "lab.idx");
  const IdxDataset two = load_idx(path("img.idx.gz"), path("lab.idx"), 2);
  EXPECT_EQ(two.images.rows(), 2);
  EXPECT_EQ(two.labels, (std::vector<int>{7, 0}));
  EXPECT_EQ(load_idx(path("img.idx.gz"), path("lab.idx"), 100).images.rows(), 3);
  EXPECT_THROW(load_idx_images(path("img.idx.gz"), 0), DataError);
}

// The decoders behind the loaders, on bytes in memory (the fuzz target uses them).
TEST_F(IdxTest, ParsesBytesInMemoryNamingTheGivenSource) {
  write_good("img.idx", "lab.idx");
  const std::vector<std::uint8_t> bytes = read_bytes("img.idx");
  const IdxImages images = parse_idx_images(bytes, "upload", 2);
  EXPECT_EQ(images.pixels.rows(), 2);
  EXPECT_DOUBLE_EQ(images.pixels(0, 1), 1.0);
  EXPECT_EQ(parse_idx_labels(read_bytes("lab.idx"), "upload"), (std::vector<int>{7, 0, 9}));
  try {
    parse_idx_labels(bytes, "upload");
    FAIL() << "images accepted as labels";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("upload: wrong magic 0x00000803"), std::string::npos)
        << e.what();
  }
}

TEST_F(IdxTest, MissingFile) { expect_images_error("absent.idx", "no such file"); }

TEST_F(IdxTest, WrongMagic) {
  save_idx(path("labels-as-images.idx"), kIdxLabelsMagic, {12}, pixels());
  expect_images_error("labels-as-images.idx", "wrong magic 0x00000801, expected 0x00000803");
  write_bytes("text.idx", {'h', 'e', 'l', 'l', 'o', '\n'});
  expect_images_error("text.idx", "wrong magic");
}

TEST_F(IdxTest, TooShortForHeader) {
  write_bytes("tiny.idx", {0, 0});
  expect_images_error("tiny.idx", "too short");
  write_bytes("header.idx", {0, 0, 8, 3, 0, 0, 0, 3, 0, 0});
  expect_images_error("header.idx", "truncated header");
}

TEST_F(IdxTest, ZeroDimension) {
  save_idx(path("zero.idx"), kIdxImagesMagic, {3, 0, 2}, {});
  expect_images_error("zero.idx", "dimension 1 has size 0");
}

TEST_F(IdxTest, TruncatedData) {
  write_good("img.idx", "lab.idx");
  auto bytes = read_bytes("img.idx");
  bytes.pop_back();
  write_bytes("short.idx", bytes);
  expect_images_error("short.idx", "truncated: header announces 12 data bytes, file has 11");
}

TEST_F(IdxTest, TrailingBytes) {
  write_good("img.idx", "lab.idx");
  auto bytes = read_bytes("img.idx");
  bytes.push_back(0);
  write_bytes("long.idx", bytes);
  expect_images_error("long.idx", "header announces 12 data bytes, the file has more");
  save_idx(path("long.idx.gz"), kIdxImagesMagic, {2, 2, 2}, pixels());  // 12 bytes for 8
  expect_images_error("long.idx.gz", "header announces 8 data bytes, the file has more");
}

// The header is checked before the data is inflated: sizes past the cap are refused at once,
// whatever follows them.
TEST_F(IdxTest, HeaderAnnouncingTooMuchIsRefusedBeforeReadingTheData) {
  // 2^31 images: a dimension beyond any real data set.
  save_idx(path("huge-count.idx.gz"), kIdxImagesMagic, {1u << 31, 28, 28}, pixels());
  expect_images_error("huge-count.idx.gz", "dimension 0 has size 2147483648");
  // Every dimension plausible, their product (2^27 images of 28 x 28: 98 GiB) is not.
  save_idx(path("huge.idx.gz"), kIdxImagesMagic, {1u << 27, 28, 28}, pixels());
  expect_images_error("huge.idx.gz",
                      "the header announces more than 1024 MiB of data, the most an IDX file "
                      "may hold");
  // Raw too: 2^31 bytes of 2^14 x 2^14 images announced by a 28-byte file.
  save_idx(path("huge.idx"), kIdxImagesMagic, {8, 1u << 14, 1u << 14}, pixels());
  expect_images_error("huge.idx", "the header announces more than 1024 MiB");
}

// A gzip bomb: a small header followed by 256 MiB of zeros, which deflate to a few hundred
// KiB. Only the 12 announced bytes and one more are inflated.
TEST_F(IdxTest, GzipBombIsRefusedAfterTheAnnouncedBytes) {
  {
    const std::vector<std::uint8_t> header = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
    const std::unique_ptr<gzFile_s, int (*)(gzFile)> out(gzopen(path("bomb.idx.gz").c_str(), "wb1"),
                                                         gzclose);
    ASSERT_TRUE(out);
    ASSERT_EQ(gzwrite(out.get(), header.data(), header.size()), 16);
    const std::vector<std::uint8_t> zeros(1 << 20);
    for (int i = 0; i < 256; ++i) {
      ASSERT_EQ(gzwrite(out.get(), zeros.data(), zeros.size()), 1 << 20);
    }
  }
  ASSERT_LT(fs::file_size(path("bomb.idx.gz")), 2u << 20);
  // Not "... file has 268435468 (268435456 extra)": the loader stopped after one byte more.
  expect_images_error("bomb.idx.gz", "header announces 12 data bytes, the file has more");
}

TEST_F(IdxTest, DeviceIsRefusedWithoutReadingIt) {
  if (!fs::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  try {
    load_idx_images("/dev/zero");
    FAIL() << "/dev/zero accepted";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/zero: is not a regular file");
  }
}

TEST_F(IdxTest, TruncatedGzipStream) {
  // Enough pixels that the compressed stream is long, then cut it in half.
  std::vector<std::uint8_t> many(4 * 28 * 28);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<std::uint8_t>(i * 7919 % 251);
  save_idx(path("big.idx.gz"), kIdxImagesMagic, {4, 28, 28}, many);
  auto bytes = read_bytes("big.idx.gz");
  bytes.resize(bytes.size() / 2);
  write_bytes("cut.idx.gz", bytes);
  expect_images_error("cut.idx.gz", "truncated");
}

TEST_F(IdxTest, LabelsFileWithWrongHeaderOrTruncated) {
  write_good("img.idx", "lab.idx");
  expect_labels_error("img.idx", "wrong magic 0x00000803, expected 0x00000801");
  auto bytes = read_bytes("lab.idx");
  bytes.resize(6);  // magic and half of the count
  write_bytes("half-header.idx", bytes);
  expect_labels_error("half-header.idx", "truncated header");
  bytes = read_bytes("lab.idx");
  bytes.pop_back();
  write_bytes("short.idx", bytes);
  expect_labels_error("short.idx", "truncated: header announces 3 data bytes, file has 2");
}

TEST_F(IdxTest, MismatchedCounts) {
  save_idx(path("img.idx"), kIdxImagesMagic, {3, 2, 2}, pixels());
  save_idx(path("lab.idx"), kIdxLabelsMagic, {2}, {1, 2});
  try {
    load_idx(path("img.idx"), path("lab.idx"));
    FAIL() << "no error";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path("img.idx").string() + " has 3 images but " +
                           path("lab.idx").string() + " has 2 labels"),
              std::string::npos)
        << message;
  }
}

TEST(FashionMnist, InstalledFilesLoad) {
  const fs::path images = kFashionMnistDir / "t10k-images-idx3-ubyte.gz";
  const fs::path labels = kFashionMnistDir / "t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(images) || !fs::exists(labels)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (" << kFashionMnistDir << ")";
  }
  const IdxImages head = load_idx_images(images, 5);
  EXPECT_EQ(head.count, 5);
  EXPECT_EQ(head.rows, 28);
  EXPECT_EQ(head.cols, 28);
  EXPECT_GE(head.pixels.minCoeff(), 0.0);
  EXPECT_LE(head.pixels.maxCoeff(), 1.0);
  EXPECT_GT(head.pixels.maxCoeff(), 0.5);
  const std::vector<int> all = load_idx_labels(labels);
  ASSERT_EQ(all.size(), 10000u);
  std::vector<int> per_class(10);
  for (int label : all) {
    ASSERT_GE(label, 0);
    ASSERT_LT(label, 10);
    ++per_class[static_cast<std::size_t>(label)];
  }
  for (int c : per_class) EXPECT_EQ(c, 1000);  // the test set is balanced
}

}  // namespace
}  // namespace jointly::ml
