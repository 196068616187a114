// IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.
//
// Layout: a big-endian magic 0x000008TD (T = 08: unsigned bytes, D = number of dimensions),
// D big-endian 32-bit sizes, then the data in row-major order. Images are 0x00000803
// (count x rows x cols), labels 0x00000801 (count). Everything that does not match — wrong
// magic, a zero or absurd dimension, a file shorter or longer than its header promises, image
// and label files with different counts — is a DataError naming the file and what is wrong.
// Files ending in ".gz" (or starting with the gzip magic bytes) are decompressed with zlib.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ml/data/csv.h"  // DataError

namespace jointly::ml {

inline constexpr std::uint32_t kIdxImagesMagic = 0x00000803;
inline constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;

struct IdxImages {
  Eigen::Index count = 0, rows = 0, cols = 0;  // header sizes (count after the limit)
  Eigen::MatrixXd pixels;                      // count x (rows*cols), scaled to [0, 1]
};

// `limit`: read only the first `limit` images (the file is still checked to hold all the
// images its header announces).
IdxImages load_idx_images(const std::filesystem::path& path,
                          std::optional<Eigen::Index> limit = std::nullopt);
std::vector<int> load_idx_labels(const std::filesystem::path& path,
                                 std::optional<Eigen::Index> limit = std::nullopt);

// The same for bytes already in memory and already decompressed (the loaders above read and
// gunzip the file, then call these; the fuzz target calls them directly). `source` names the
// bytes in messages.
IdxImages parse_idx_images(std::span<const std::uint8_t> bytes, const std::string& source,
                           std::optional<Eigen::Index> limit = std::nullopt);
std::vector<int> parse_idx_labels(std::span<const std::uint8_t> bytes, const std::string& source,
                                  std::optional<Eigen::Index> limit = std::nullopt);

struct IdxDataset {
  Eigen::MatrixXd images;   // N x (rows*cols) in [0, 1]
  std::vector<int> labels;  // N entries
};

// Images and labels together; their header counts must agree (else DataError naming both).
IdxDataset load_idx(const std::filesystem::path& images, const std::filesystem::path& labels,
                    std::optional<Eigen::Index> limit = std::nullopt);

// The same as a training Table (ml/data/csv.h): features pixel0, pixel1, ... in [0, 1], the
// labels as numbers; `source` is the images file. jointly-party and jointly-sim read
// format = "idx" data through it.
Table load_idx_table(const std::filesystem::path& images, const std::filesystem::path& labels,
                     std::optional<Eigen::Index> limit = std::nullopt);

// Writes an IDX file (gzip-compressed when the name ends in ".gz"); for tests and tools.
// `dims` are the header sizes; data.size() must equal their product.
void save_idx(const std::filesystem::path& path, std::uint32_t magic,
              const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data);

// The Debian package's location (dataset-fashion-mnist).
inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace jointly::ml
