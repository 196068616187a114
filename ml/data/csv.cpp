#include "ml/data/csv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace jointly::ml {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& what) {
  std::ostringstream msg;
  msg << source;
  if (line > 0) msg << " line " << line;
  msg << ": " << what;
  throw DataError(msg.str());
}

double parse_number(const std::string& raw, const std::string& path, std::size_t line,
                    const std::string& column) {
  const std::string cell = trim(raw);
  if (cell.empty()) fail(path, line, "column '" + column + "' is empty (missing value)");
  double value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size()) {
    fail(path, line, "column '" + column + "' holds '" + cell + "', which is not a number");
  }
  if (!std::isfinite(value)) {
    fail(path, line,
         "column '" + column + "' holds '" + cell + "' (NaN and infinities are refused)");
  }
  return value;
}

// The reader behind load_csv and parse_csv; `path` names the source in messages.
Table read_csv(std::istream& in, const std::string& path, const CsvOptions& options) {
  std::string line;
  if (!std::getline(in, line) || trim(line).empty())
    fail(path, 0, "the file is empty (no header row)");

  std::vector<std::string> header = split(line);
  for (auto& h : header) h = trim(h);
  std::unordered_set<std::string> seen;
  for (const auto& h : header) {
    if (h.empty()) fail(path, 1, "the header has an empty column name");
    if (!seen.insert(h).second) fail(path, 1, "the header names column '" + h + "' twice");
  }
  int label_col = -1, id_col = -1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (!options.label.empty() && header[c] == options.label) label_col = static_cast<int>(c);
    if (options.id && header[c] == *options.id) id_col = static_cast<int>(c);
  }
  if (options.require_label && !options.label.empty() && label_col < 0) {
    fail(path, 1, "no label column '" + options.label + "' in the header");
  }
  if (options.id && id_col < 0) fail(path, 1, "no id column '" + *options.id + "' in the header");

  Table table;
  table.source = path;
  std::vector<int> feature_cols;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (static_cast<int>(c) == label_col || static_cast<int>(c) == id_col) continue;
    feature_cols.push_back(static_cast<int>(c));
    table.feature_names.push_back(header[c]);
  }

  std::vector<double> values, labels;
  std::unordered_map<std::string, std::size_t> id_lines;  // id -> line, to report duplicates
  std::size_t line_no = 1, rows = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;  // tolerate blank lines (e.g. a trailing newline)
    const std::vector<std::string> cells = split(line);
    if (cells.size() != header.size()) {
      fail(path, line_no,
           "has " + std::to_string(cells.size()) + " cells, the header has " +
               std::to_string(header.size()));
    }
    for (int c : feature_cols) values.push_back(parse_number(cells[c], path, line_no, header[c]));
    if (label_col >= 0)
      labels.push_back(parse_number(cells[label_col], path, line_no, header[label_col]));
    if (id_col >= 0) {
      std::string id = trim(cells[id_col]);
      if (id.empty()) fail(path, line_no, "column '" + *options.id + "' is empty (missing id)");
      const auto [at, fresh] = id_lines.emplace(id, line_no);
      if (!fresh) {
        fail(path, line_no,
             "column '" + *options.id + "' holds '" + id + "', which line " +
                 std::to_string(at->second) + " already holds (ids must be unique)");
      }
      table.ids.push_back(std::move(id));
    }
    table.lines.push_back(line_no);
    ++rows;
  }
  if (rows == 0 && !options.allow_no_rows) fail(path, 0, "the file has a header but no data rows");

  const auto cols = static_cast<Eigen::Index>(feature_cols.size());
  table.features =
      Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          values.data(), static_cast<Eigen::Index>(rows), cols);
  if (label_col >= 0)
    table.labels = Eigen::Map<Eigen::VectorXd>(labels.data(), static_cast<Eigen::Index>(rows));
  return table;
}

}  // namespace

Table load_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in(path);
  if (!in) fail(path.string(), 0, "cannot open the file");
  return read_csv(in, path.string(), options);
}

Table parse_csv(const std::string& text, const std::string& source, const CsvOptions& options) {
  std::istringstream in(text);
  return read_csv(in, source, options);
}

void save_csv(const std::filesystem::path& path, const Table& table, const std::string& label,
              const std::string& id) {
  std::ofstream out(path);
  if (!out) throw DataError(path.string() + ": cannot write the file");
  const bool ids = !table.ids.empty();
  if (ids) out << id;
  for (std::size_t c = 0; c < table.feature_names.size(); ++c) {
    out << (c || ids ? "," : "") << table.feature_names[c];
  }
  if (table.labels.size() > 0) out << "," << label;
  out << "\n" << std::setprecision(17);
  for (Eigen::Index r = 0; r < table.rows(); ++r) {
    if (ids) out << table.ids[static_cast<std::size_t>(r)];
    for (Eigen::Index c = 0; c < table.features.cols(); ++c)
      out << (c || ids ? "," : "") << table.features(r, c);
    if (table.labels.size() > 0) out << "," << table.labels(r);
    out << "\n";
  }
  if (!out) throw DataError(path.string() + ": write failed");
}

Table slice_rows(const Table& table, Eigen::Index first, Eigen::Index count) {
  Table out;
  out.source = table.source;
  out.feature_names = table.feature_names;
  // A table may have no feature column (a file of ids and labels). Its matrix has a null data
  // pointer, and an Eigen block of it still offsets that pointer: undefined behaviour, so the
  // empty slice is made directly.
  if (table.features.cols() > 0) {
    out.features = table.features.middleRows(first, count);
  } else {
    out.features.resize(count, 0);
  }
  if (table.labels.size() > 0) out.labels = table.labels.segment(first, count);
  if (!table.ids.empty())
    out.ids.assign(table.ids.begin() + first, table.ids.begin() + first + count);
  if (!table.lines.empty())
    out.lines.assign(table.lines.begin() + first, table.lines.begin() + first + count);
  return out;
}

}  // namespace jointly::ml
