// Fuzz target: the IDX decoder (ml/data/idx.h) on arbitrary bytes.
//
// The first byte picks images or labels and the row limit (none, 1..6, or the invalid 0); the
// rest is the (already decompressed) file. DataError is the documented failure; what decodes
// must respect the limit and the header's shape, with pixels scaled to [0, 1].
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "ml/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool images = (data[0] & 1) == 0;
  const int pick = (data[0] >> 1) & 7;
  std::optional<Eigen::Index> limit;
  if (pick == 7) {
    limit = 0;
  } else if (pick > 0) {
    limit = pick;
  }
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  try {
    if (images) {
      const jointly::ml::IdxImages out = jointly::ml::parse_idx_images(bytes, "fuzz.idx", limit);
      JOINTLY_FUZZ_CHECK(out.pixels.rows() == out.count && (!limit || out.count <= *limit));
      JOINTLY_FUZZ_CHECK(out.pixels.cols() == out.rows * out.cols);
      JOINTLY_FUZZ_CHECK(out.pixels.size() == 0 ||
                         (out.pixels.minCoeff() >= 0 && out.pixels.maxCoeff() <= 1));
    } else {
      const std::vector<int> labels = jointly::ml::parse_idx_labels(bytes, "fuzz.idx", limit);
      JOINTLY_FUZZ_CHECK(!labels.empty() && (!limit || std::ssize(labels) <= *limit));
      for (int l : labels) JOINTLY_FUZZ_CHECK(l >= 0 && l <= 255);
    }
  } catch (const jointly::ml::DataError&) {
  }
  return 0;
}
