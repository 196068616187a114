#include "ml/data/idx.h"

#include <zlib.h>

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

// The whole file, decompressed if it is gzip (zlib reads plain files through unchanged).
std::vector<std::uint8_t> read_all(const std::filesystem::path& file) {
  const std::string path = file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(path, "no such file");
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(path.c_str(), "rb"), gzclose);
  if (!in) fail(path, "cannot open");
  gzbuffer(in.get(), 1 << 17);
  std::vector<std::uint8_t> out;
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const int got = gzread(in.get(), chunk, sizeof chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(in.get(), &code);
      fail(path, std::string("truncated or corrupt gzip stream (") + message + ")");
    }
    if (got == 0) break;
    out.insert(out.end(), chunk, chunk + got);
  }
  int code = 0;
  const char* message = gzerror(in.get(), &code);
  if (code != Z_OK) {
    fail(path, std::string("truncated or corrupt gzip stream (") + message + ")");
  }
  return out;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct Parsed {
  std::vector<std::uint32_t> dims;
  std::span<const std::uint8_t> data;  // the values after the header, in the caller's bytes
};

Parsed parse(std::span<const std::uint8_t> bytes, const std::string& path, std::uint32_t magic,
             const char* kind) {
  Parsed p;
  if (bytes.size() < 4) {
    fail(path, "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  }
  const std::uint32_t found = be32(bytes.data());
  if (found != magic) {
    fail(path, "wrong magic " + hex(found) + ", expected " + hex(magic) + " (IDX " + kind + ")");
  }
  const std::size_t dims = magic & 0xff;
  const std::size_t offset = 4 + 4 * dims;
  if (bytes.size() < offset) {
    fail(path, "truncated header: " + std::to_string(bytes.size()) + " bytes, the header of " +
                   std::to_string(dims) + " dimensions needs " + std::to_string(offset));
  }
  std::uint64_t expected = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::uint32_t size = be32(bytes.data() + 4 + 4 * d);
    if (size == 0 || size > (1u << 28)) {
      fail(path, "dimension " + std::to_string(d) + " has size " + std::to_string(size));
    }
    p.dims.push_back(size);
    expected *= size;
    if (expected > (std::uint64_t{1} << 34)) fail(path, "header announces more than 2^34 values");
  }
  const std::uint64_t have = bytes.size() - offset;
  if (have < expected) {
    fail(path, "truncated: header announces " + std::to_string(expected) +
                   " data bytes, file has " + std::to_string(have));
  }
  if (have > expected) {
    fail(path, "header announces " + std::to_string(expected) + " data bytes, file has " +
                   std::to_string(have) + " (" + std::to_string(have - expected) + " extra)");
  }
  p.data = bytes.subspan(offset);
  return p;
}

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
  return parse_idx_images(read_all(path), path.string(), limit);
}

std::vector<int> load_idx_labels(const std::filesystem::path& path,
                                 std::optional<Eigen::Index> limit) {
  return parse_idx_labels(read_all(path), path.string(), limit);
}

IdxDataset load_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                    std::optional<Eigen::Index> limit) {
  IdxDataset out;
  // Compare the header counts before the limit applies.
  const std::vector<int> all_labels = load_idx_labels(labels);
  const std::vector<std::uint8_t> image_bytes = read_all(images);
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
