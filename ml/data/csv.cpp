#include "ml/data/csv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "io/bounded_read.h"

namespace jointly::ml {
namespace {

// The largest CSV load_csv reads: far above any table a party trains on in memory, and a clear
// error (instead of a hang or an exhausted machine) for a path such as /dev/zero.
constexpr std::uintmax_t kMaxCsvBytes = std::uintmax_t{1} << 30;  // 1 GiB

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& what) {
  std::ostringstream msg;
  msg << source;
  if (line > 0) msg << " line " << line;
  msg << ": " << what;
  throw DataError(msg.str());
}

[[noreturn]] void fail_at(const std::string& source, std::size_t line, std::size_t column,
                          const std::string& what) {
  fail(source, line, "column " + std::to_string(column) + ": " + what);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (is_blank(s[b]) || s[b] == '\r')) ++b;
  while (e > b && (is_blank(s[e - 1]) || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// One field of a record: its text with quotes removed and doubled quotes undone, whether it
// was quoted, and where it starts (for messages).
struct Cell {
  std::string text;
  bool quoted = false;
  std::size_t line = 0, column = 0;  // 1-based; column counts bytes from the line start
};

// RFC 4180 records: fields separated by ',', records by CRLF or LF; a field in double quotes
// may hold ',', line breaks and doubled quotes (""). Blanks before an opening quote and after
// a closing one are allowed (as Python's skipinitialspace writes them); anything else after a
// closing quote, a quote inside an unquoted field and an unterminated quote are refused with
// the line and column. A UTF-8 byte-order mark at the very start is skipped.
class Records {
 public:
  Records(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
  }

  std::size_t line() const { return line_; }

  // The next record into `cells`; false at the end of the text.
  bool next(std::vector<Cell>& cells) {
    cells.clear();
    if (pos_ >= text_.size()) return false;
    for (;;) {
      cells.push_back(field());
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      end_of_line();  // field() stops only at ',', a line end or the end of the text
      return true;
    }
  }

 private:
  std::size_t column() const { return pos_ - line_start_ + 1; }

  void end_of_line() {
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  Cell field() {
    Cell cell{.text = {}, .quoted = false, .line = line_, .column = column()};
    std::size_t q = pos_;
    while (q < text_.size() && is_blank(text_[q])) ++q;
    if (q < text_.size() && text_[q] == '"') {
      pos_ = q + 1;
      cell.quoted = true;
      cell.column = q - line_start_ + 1;
      for (;;) {
        if (pos_ >= text_.size()) {
          fail_at(source_, cell.line, cell.column,
                  "the quote opened here is never closed (an unterminated quoted field)");
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            cell.text += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') {  // a line break inside quotes belongs to the field
          ++line_;
          line_start_ = pos_;
        }
        cell.text += c;
      }
      while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' && text_[pos_] != '\n') {
        fail_at(source_, line_, column(),
                std::string("text after a closing quote ('") + text_[pos_] +
                    "'); a quote inside a quoted field is written twice (\"\")");
      }
      return cell;
    }
    const std::size_t begin = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ',' || c == '\n' ||
          (c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')))
        break;
      if (c == '"') {
        fail_at(source_, line_, column(),
                "a quote inside an unquoted field (quote the whole field and double the quote)");
      }
      ++pos_;
    }
    cell.text = text_.substr(begin, pos_ - begin);
    return cell;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0, line_ = 1, line_start_ = 0;
};

// Numbers as strtod reads them in the C locale and exporters write them: an optional sign ('+'
// included), digits with an optional '.', an optional exponent; blanks around the number, also
// inside quotes ("  17.99 "), are ignored. Refused: empty cells, NaN and infinities, hexadecimal,
// a decimal comma, thousands separators and anything else std::from_chars does not read whole.
double parse_number(const Cell& raw, const std::string& path, const std::string& column) {
  const std::string cell = trim(raw.text);
  const std::string where = "column '" + column + "'";
  if (cell.empty()) fail(path, raw.line, where + " is empty (missing value)");
  std::string_view digits = cell;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+')
    digits.remove_prefix(1);  // from_chars takes '-' but not '+'
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    fail(path, raw.line, where + " holds '" + cell + "', which is out of the range of a double");
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    std::string hint;
    if (cell.find(',') != std::string::npos) hint = " (the decimal separator is '.')";
    fail(path, raw.line, where + " holds '" + cell + "', which is not a number" + hint);
  }
  if (!std::isfinite(value))
    fail(path, raw.line, where + " holds '" + cell + "' (NaN and infinities are refused)");
  return value;
}

bool blank_record(const std::vector<Cell>& cells) {
  return cells.size() == 1 && !cells[0].quoted && trim(cells[0].text).empty();
}

// The reader behind load_csv and parse_csv; `path` names the source in messages.
Table read_csv(std::string_view text, const std::string& path, const CsvOptions& options) {
  Records records(text, path);
  std::vector<Cell> cells;
  if (!records.next(cells) || blank_record(cells))
    fail(path, 0, "the file is empty (no header row)");

  std::vector<std::string> header;
  std::unordered_set<std::string> seen;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    std::string h = trim(cells[c].text);
    if (h.empty()) {
      fail(path, 1,
           "the header has an empty column name (column " + std::to_string(c + 1) + ")" +
               (c == 0 ? "; R's write.csv writes its row names there: use row.names = FALSE" : ""));
    }
    if (!seen.insert(h).second) fail(path, 1, "the header names column '" + h + "' twice");
    header.push_back(std::move(h));
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
    table.feature_columns.push_back(c + 1);
  }

  std::vector<double> values, labels;
  std::unordered_map<std::string, std::size_t> id_lines;  // id -> line, to report duplicates
  std::size_t rows = 0;
  while (records.next(cells)) {
    if (blank_record(cells)) continue;  // tolerate blank lines (e.g. a trailing newline)
    const std::size_t line_no = cells[0].line;
    if (cells.size() != header.size()) {
      fail(path, line_no,
           "has " + std::to_string(cells.size()) + " cells, the header has " +
               std::to_string(header.size()));
    }
    for (int c : feature_cols) values.push_back(parse_number(cells[c], path, header[c]));
    if (label_col >= 0) labels.push_back(parse_number(cells[label_col], path, header[label_col]));
    if (id_col >= 0) {
      std::string id = trim(cells[id_col].text);
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

// The whole file, refused past kMaxCsvBytes; a pipe is read as it comes, a device refused.
std::string read_bounded(const std::filesystem::path& path) {
  try {
    return io::read_bounded(path,
                            {.max_bytes = kMaxCsvBytes, .what = "a CSV file", .allow_pipe = true});
  } catch (const io::FileError& e) {
    throw DataError(e.what());
  }
}

}  // namespace

Table load_csv(const std::filesystem::path& path, const CsvOptions& options) {
  return read_csv(read_bounded(path), path.string(), options);
}

Table parse_csv(const std::string& text, const std::string& source, const CsvOptions& options) {
  return read_csv(text, source, options);
}

// A name or id as RFC 4180 writes it: quoted (quotes doubled) when it holds a separator, a
// quote, a line break or surrounding blanks, so that load_csv reads back the same text.
std::string csv_field(const std::string& s) {
  const bool plain = s.find_first_of(",\"\r\n") == std::string::npos &&
                     (s.empty() || (!is_blank(s.front()) && !is_blank(s.back())));
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void save_csv(const std::filesystem::path& path, const Table& table, const std::string& label,
              const std::string& id) {
  std::ofstream out(path);
  if (!out) throw DataError(path.string() + ": cannot write the file");
  const bool ids = !table.ids.empty();
  if (ids) out << csv_field(id);
  for (std::size_t c = 0; c < table.feature_names.size(); ++c) {
    out << (c || ids ? "," : "") << csv_field(table.feature_names[c]);
  }
  if (table.labels.size() > 0) out << "," << csv_field(label);
  out << "\n" << std::setprecision(17);
  for (Eigen::Index r = 0; r < table.rows(); ++r) {
    if (ids) out << csv_field(table.ids[static_cast<std::size_t>(r)]);
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
  out.feature_columns = table.feature_columns;
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
