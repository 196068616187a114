// Fuzz target: the CSV loader (ml/data/csv.h) on arbitrary text.
//
// The first byte picks the options (a label column or none, an id column, whether the label is
// required) so every path of the reader is reachable; the rest is the file. DataError is the
// documented failure; a table that loads must have consistent shapes and only finite values.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "ml/data/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  jointly::ml::CsvOptions options;
  if (data[0] & 1) options.label.clear();
  if (data[0] & 2) options.id = "id";
  options.require_label = (data[0] & 4) == 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const jointly::ml::Table t = jointly::ml::parse_csv(text, "fuzz.csv", options);
    JOINTLY_FUZZ_CHECK(t.rows() > 0);
    JOINTLY_FUZZ_CHECK(t.features.cols() == static_cast<Eigen::Index>(t.feature_names.size()));
    JOINTLY_FUZZ_CHECK(t.labels.size() == 0 || t.labels.size() == t.rows());
    JOINTLY_FUZZ_CHECK(t.ids.empty() || static_cast<Eigen::Index>(t.ids.size()) == t.rows());
    JOINTLY_FUZZ_CHECK(t.features.allFinite() && t.labels.allFinite());
    JOINTLY_FUZZ_CHECK(jointly::ml::slice_rows(t, t.rows() - 1, 1).rows() == 1);
  } catch (const jointly::ml::DataError&) {
  }
  return 0;
}
