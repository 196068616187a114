// The id column of one party's table: the strings PSI intersects. Ids are any bytes (a CSV
// field, quotes removed); a table is read through io::read_bounded, so a hostile path fails
// at once. Two rows with the same id are an error naming the file and both lines: PSI would
// otherwise match one of them arbitrarily and the parties' rows would silently disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jointly::psi {

// A bad id file (missing column, duplicate id, syntax) or an input PSI cannot run on.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The ids sit in one buffer (a std::string per id would cost 32 bytes more each: 2^20 ids
// are 40 MB of a PSI party's memory budget otherwise).
struct IdTable {
  std::string source;                  // file path, for messages
  std::string blob;                    // the ids, one after another
  std::vector<std::uint32_t> offsets;  // id r is blob[offsets[r], offsets[r + 1]) (< 1 GiB)
  std::vector<std::uint32_t> lines;    // row r's line in `source` (header = line 1)
  std::size_t rows() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::string_view id(std::size_t r) const {
    return std::string_view(blob).substr(offsets[r], offsets[r + 1] - offsets[r]);
  }
  std::vector<std::string_view> views() const;
};

// The largest id file read (the same limit as training CSVs).
inline constexpr std::uintmax_t kMaxIdFileBytes = std::uintmax_t{1} << 30;

// Reads `column` (default `id`) of a CSV with a header row (RFC 4180: quoted fields, doubled
// quotes, CRLF or LF); the other columns are ignored. Throws InputError naming the file, and
// the line for a bad row or a duplicate id (with the line of its first occurrence).
IdTable load_ids(const std::filesystem::path& path, const std::string& column = "id");
IdTable parse_ids(const std::string& text, const std::string& source,
                  const std::string& column = "id");
// Throws InputError if two rows share an id ("<source>: id "x" on line 7 repeats line 3").
void check_unique(const IdTable& table);

}  // namespace jointly::psi
