#include "ml/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

namespace jointly::ml {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw DataError(source + ": " + what);
}

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct Parsed {
  std::vector<std::uint32_t> dims;
  std::size_t offset = 0;              // header bytes: the data starts here
  std::uint64_t expected = 0;          // data bytes the header announces
  std::span<const std::uint8_t> data;  // the values after the header, in the caller's bytes
};

// The header's size from its first 4 bytes, which must be `magic`.
std::size_t header_bytes(std::span<const std::uint8_t> bytes, const std::string& path,
                         std::uint32_t magic, const char* kind) {
  if (bytes.size() < 4) {
    fail(path, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  }
  const std::uint32_t found = be32(bytes.data());
  if (found != magic) {
    fail(path, "wrong magic " + hex(found) + ", expected " + hex(magic) + " (IDX " + kind + ")");
  }
  return 4 + 4 * std::size_t{magic & 0xff};
}

// The header alone: magic, dimensions and the data size they announce (at most kMaxIdxBytes).
Parsed parse_header(std::span<const std::uint8_t> bytes, const std::string& path,
                    std::uint32_t magic, const char* kind) {
  Parsed p;
  p.offset = header_bytes(bytes, path, magic, kind);
  const std::size_t dims = (p.offset - 4) / 4;
  if (bytes.size() < p.offset) {
    fail(path, "truncated header: " + std::to_string(bytes.size()) + " bytes, the header of " +
                   std::to_string(dims) + " dimensions needs " + std::to_string(p.offset));
  }
  p.expected = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::uint32_t size = be32(bytes.data() + 4 + 4 * d);
    if (size == 0 || size > (1u << 28)) {
      fail(path, "dimension " + std::to_string(d) + " has size " + std::to_string(size));
    }
    p.dims.push_back(size);
    p.expected *= size;  // at most 2^30 * 2^28 before the check below: no overflow
    if (p.expected > kMaxIdxBytes) {
      fail(path, "the header announces more than " + std::to_string(kMaxIdxBytes >> 20) +
                     " MiB of data, the most an IDX file may hold");
    }
  }
  return p;
}

Parsed parse(std::span<const std::uint8_t> bytes, const std::string& path, std::uint32_t magic,
             const char* kind) {
  Parsed p = parse_header(bytes, path, magic, kind);
  const std::uint64_t have = bytes.size() - p.offset;
  if (have < p.expected) {
    fail(path, "truncated: header announces " + std::to_string(p.expected) +
                   " data bytes, file has " + std::to_string(have));
  }
  if (have > p.expected) {
    fail(path, "header announces " + std::to_string(p.expected) + " data bytes, file has " +
                   std::to_string(have) + " (" + std::to_string(have - p.expected) + " extra)");
  }
  p.data = bytes.subspan(p.offset);
  return p;
}

// Reads (and gunzips: zlib reads plain files through unchanged) the header, checks it, then
// inflates only the data it announces and one byte more, to tell a longer file: a gzip bomb
// or a header announcing terabytes is refused before anything large is allocated or inflated.
class IdxReader {
 public:
  explicit IdxReader(const std::filesystem::path& file)
      : path_(file.string()), in_(nullptr, gzclose) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) fail(path_, "no such file");
    // A device such as /dev/zero, or a pipe, would be read without end.
    if (!std::filesystem::is_regular_file(file, ec)) fail(path_, "is not a regular file");
    in_.reset(gzopen(path_.c_str(), "rb"));
    if (!in_) fail(path_, "cannot open");
    gzbuffer(in_.get(), 1 << 17);
  }

  // The header and data of a file whose magic must be `magic`; DataError otherwise.
  std::vector<std::uint8_t> read(std::uint32_t magic, const char* kind) {
    std::vector<std::uint8_t> bytes(4);
    bytes.resize(fill(bytes, 0));
    bytes.resize(header_bytes(bytes, path_, magic, kind));
    bytes.resize(fill(bytes, 4));
    const Parsed header = parse_header(bytes, path_, magic, kind);
    // Reserved, not yet written: a short file claiming the cap costs address space only.
    bytes.reserve(header.offset + header.expected + 1);
    const std::size_t got = grow(bytes, header.offset + header.expected + 1) - header.offset;
    if (got > header.expected) {
      fail(path_, "header announces " + std::to_string(header.expected) +
                      " data bytes, the file has more (it is longer than its header says)");
    }
    bytes.resize(header.offset + got);  // parse() reports a short file
    return bytes;
  }

 private:
  // Reads into bytes[from, size()) until full or the end of the stream; returns the end.
  std::size_t fill(std::vector<std::uint8_t>& bytes, std::size_t from) {
    constexpr std::size_t kChunk = std::size_t{1} << 24;  // gzread counts in int
    while (from < bytes.size()) {
      const auto want = static_cast<unsigned>(std::min(kChunk, bytes.size() - from));
      const int got = gzread(in_.get(), bytes.data() + from, want);
      if (got < 0) corrupt();
      if (got == 0) break;
      from += static_cast<std::size_t>(got);
    }
    int code = Z_OK;
    gzerror(in_.get(), &code);
    if (code != Z_OK) corrupt();
    return from;
  }
  // Appends to `bytes` what the stream holds, in slices, until it has `size` bytes or the
  // stream ends; returns the new size.
  std::size_t grow(std::vector<std::uint8_t>& bytes, std::size_t size) {
    constexpr std::size_t kSlice = std::size_t{1} << 22;
    for (;;) {
      const std::size_t at = bytes.size();
      if (at >= size) return at;
      const std::size_t want = std::min(size, at + kSlice);
      bytes.resize(want);
      const std::size_t end = fill(bytes, at);
      bytes.resize(end);
      if (end < want) return end;  // the stream ended
    }
  }
  [[noreturn]] void corrupt() {
    int code = 0;
    const char* message = gzerror(in_.get(), &code);
    fail(path_, std::string("truncated or corrupt gzip stream (") + message + ")");
  }

  std::string path_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> in_;
};

Eigen::Index limited(const std::string& path, Eigen::Index count,
                     std::optional<Eigen::Index> limit) {
  if (!limit) return count;
  if (*limit <= 0) fail(path, "row limit must be positive, got " + std::to_string(*limit));
  return std::min(count, *limit);
}

IdxImages images_from(const std::string& path, const Parsed& p, std::optional<Eigen::Index> limit) {
  IdxImages out;
  out.count = limited(path, p.dims[0], limit);
  out.rows = p.dims[1];
  out.cols = p.dims[2];
  const Eigen::Index width = out.rows * out.cols;
  out.pixels.resize(out.count, width);
  const std::uint8_t* data = p.data.data();
  for (Eigen::Index i = 0; i < out.count; ++i) {
    for (Eigen::Index j = 0; j < width; ++j) out.pixels(i, j) = data[i * width + j] / 255.0;
  }
  return out;
}

}  // namespace

IdxImages parse_idx_images(std::span<const std::uint8_t> bytes, const std::string& source,
                           std::optional<Eigen::Index> limit) {
  return images_from(source, parse(bytes, source, kIdxImagesMagic, "images"), limit);
}

std::vector<int> parse_idx_labels(std::span<const std::uint8_t> bytes, const std::string& source,
                                  std::optional<Eigen::Index> limit) {
  const Parsed p = parse(bytes, source, kIdxLabelsMagic, "labels");
  const Eigen::Index count = limited(source, p.dims[0], limit);
  const std::uint8_t* data = p.data.data();
  return std::vector<int>(data, data + count);
}

IdxImages load_idx_images(const std::filesystem::path& path, std::optional<Eigen::Index> limit) {
  return parse_idx_images(IdxReader(path).read(kIdxImagesMagic, "images"), path.string(), limit);
}

std::vector<int> load_idx_labels(const std::filesystem::path& path,
                                 std::optional<Eigen::Index> limit) {
  return parse_idx_labels(IdxReader(path).read(kIdxLabelsMagic, "labels"), path.string(), limit);
}

IdxDataset load_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                    std::optional<Eigen::Index> limit) {
  IdxDataset out;
  // Compare the header counts before the limit applies.
  const std::vector<int> all_labels = load_idx_labels(labels);
  const std::vector<std::uint8_t> image_bytes = IdxReader(images).read(kIdxImagesMagic, "images");
  const Parsed header = parse(image_bytes, images.string(), kIdxImagesMagic, "images");
  if (header.dims[0] != all_labels.size()) {
    throw DataError(images.string() + " has " + std::to_string(header.dims[0]) + " images but " +
                    labels.string() + " has " + std::to_string(all_labels.size()) + " labels");
  }
  out.images = images_from(images.string(), header, limit).pixels;
  out.labels.assign(all_labels.begin(), all_labels.begin() + out.images.rows());
  return out;
}

Table load_idx_table(const std::filesystem::path& images, const std::filesystem::path& labels,
                     std::optional<Eigen::Index> limit) {
  IdxDataset d = load_idx(images, labels, limit);
  Table t;
  t.source = images.string();
  t.features = std::move(d.images);
  t.labels.resize(static_cast<Eigen::Index>(d.labels.size()));
  for (std::size_t i = 0; i < d.labels.size(); ++i)
    t.labels(static_cast<Eigen::Index>(i)) = d.labels[i];
  for (Eigen::Index j = 0; j < t.features.cols(); ++j)
    t.feature_names.push_back("pixel" + std::to_string(j));
  return t;
}

void save_idx(const std::filesystem::path& path, std::uint32_t magic,
              const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> bytes;
  auto put = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> s));
  };
  put(magic);
  for (std::uint32_t d : dims) put(d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  const bool gz = path.extension() == ".gz";
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> out(gzopen(path.c_str(), gz ? "wb" : "wbT"),
                                                       gzclose);
  if (!out) fail(path.string(), "cannot create");
  if (gzwrite(out.get(), bytes.data(), static_cast<unsigned>(bytes.size())) !=
      static_cast<int>(bytes.size())) {
    fail(path.string(), "write failed");
  }
}

}  // namespace jointly::ml
