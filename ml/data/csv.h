// CSV loading for training data: a header row, then one record per line, every cell a finite
// number. The syntax is RFC 4180 as spreadsheets, Python's csv module, R's write.csv and
// database exports write it: quoted fields and header names, doubled quotes, CRLF or LF, a
// UTF-8 byte-order mark; numbers as strtod reads them ('+17.99', '1e-04', blanks around them,
// also inside quotes). The reader is ours, not libcsv's: docs/reliability.md says why. Whatever
// is wrong is reported with the file, the line number (1-based, header = line 1) and the column
// (its name, or its byte column for syntax errors), and nothing is loaded: a hospital's export
// with one bad cell must not train a model on a silently shifted table. load_csv refuses files
// over 1 GiB (a /dev/zero path fails at once instead of exhausting memory).
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jointly::ml {

class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Table {
  std::string source;                      // file path, for messages
  std::vector<std::string> feature_names;  // in file order, label and id excluded
  Eigen::MatrixXd features;                // rows x feature_names.size()
  Eigen::VectorXd labels;                  // empty when the file has no label column
  std::vector<std::string> ids;            // values of the id column, when one was named
  std::vector<std::size_t> lines;          // each row's line in `source` (blank lines count)
  // Each feature's column in the header (1-based, label and id counted), for messages.
  std::vector<std::size_t> feature_columns;
  Eigen::Index rows() const { return features.rows(); }
  // The header column of feature f (1-based), for messages; a table built in memory without
  // `feature_columns` has its features first.
  std::size_t column(std::size_t f) const {
    return feature_columns.empty() ? f + 1 : feature_columns[f];
  }
  // The line of row r in `source` (header = line 1), for messages; a table built in memory
  // without `lines` counts one line per row after the header.
  std::size_t line(Eigen::Index r) const {
    return lines.empty() ? static_cast<std::size_t>(r) + 2 : lines[static_cast<std::size_t>(r)];
  }
};

struct CsvOptions {
  std::string label = "label";    // empty: the file has no label column
  std::optional<std::string> id;  // column that aligns parties' rows (vertical split)
  bool require_label = true;
  // A header with no data rows is a Table of 0 rows (a compute node's schema-only file);
  // otherwise it is an error.
  bool allow_no_rows = false;
};

Table load_csv(const std::filesystem::path& path, const CsvOptions& options = {});
// The same for text already in memory (load_csv streams the file through the same reader; the
// fuzz target calls this): `source` names the text in messages and in Table::source.
Table parse_csv(const std::string& text, const std::string& source, const CsvOptions& options = {});
inline Table load_csv(const std::filesystem::path& path, const std::string& label) {
  CsvOptions options;
  options.label = label;
  return load_csv(path, options);
}

// Writes a table back in the same format (jointly-sim uses it to hand each party its rows or
// columns); the ids, when the table has them, go first, in a column named `id`.
void save_csv(const std::filesystem::path& path, const Table& table, const std::string& label,
              const std::string& id = "id");

// Rows [first, first + count) of a table.
Table slice_rows(const Table& table, Eigen::Index first, Eigen::Index count);

}  // namespace jointly::ml
