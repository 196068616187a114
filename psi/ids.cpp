#include "psi/ids.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "io/bounded_read.h"

namespace jointly::psi {
namespace {

// One CSV record from `text` at `pos`: its fields, quotes removed. Advances `pos` past the
// record's line end; `line` counts the newlines consumed (a quoted field may span lines).
std::vector<std::string> read_record(const std::string& text, std::size_t& pos, std::size_t& line,
                                     const std::string& source) {
  std::vector<std::string> fields(1);
  bool quoted = false, was_quoted = false;
  const std::size_t start_line = line;
  while (pos < text.size()) {
    const char ch = text[pos++];
    if (quoted) {
      if (ch == '"') {
        if (pos < text.size() && text[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line;
        fields.back() += ch;
      }
      continue;
    }
    if (ch == '"') {
      if (!fields.back().empty() || was_quoted) {
        throw InputError(source + ": line " + std::to_string(start_line) +
                         ": a quote inside an unquoted field");
      }
      quoted = was_quoted = true;
    } else if (ch == ',') {
      fields.emplace_back();
      was_quoted = false;
    } else if (ch == '\n') {
      ++line;
      break;
    } else if (ch == '\r' && pos < text.size() && text[pos] == '\n') {
      // CRLF: the '\n' ends the record next.
    } else {
      if (was_quoted) {
        throw InputError(source + ": line " + std::to_string(start_line) +
                         ": text after a closing quote");
      }
      fields.back() += ch;
    }
  }
  if (quoted) {
    throw InputError(source + ": line " + std::to_string(start_line) +
                     ": a quoted field is not closed");
  }
  return fields;
}

}  // namespace

IdTable parse_ids(const std::string& text, const std::string& source, const std::string& column) {
  IdTable table;
  table.source = source;
  std::size_t pos = 0, line = 1;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // UTF-8 byte-order mark
  if (pos >= text.size())
    throw InputError(source + ": the file is empty (a header row is expected)");
  const std::vector<std::string> header = read_record(text, pos, line, source);
  const auto it = std::find(header.begin(), header.end(), column);
  if (it == header.end()) {
    throw InputError(source + ": no column named \"" + column + "\" in the header (line 1)");
  }
  if (std::find(it + 1, header.end(), column) != header.end()) {
    throw InputError(source + ": the header names column \"" + column + "\" twice");
  }
  const auto index = static_cast<std::size_t>(it - header.begin());
  // Sized once: growing by doubling would hold two copies of a 2^20-id table for a moment.
  const auto records =
      static_cast<std::size_t>(std::count(text.begin() + pos, text.end(), '\n')) + 1;
  table.offsets.reserve(records + 1);
  table.lines.reserve(records);
  table.blob.reserve(text.size() - pos);
  while (pos < text.size()) {
    const std::size_t at = line;
    std::vector<std::string> fields = read_record(text, pos, line, source);
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != header.size()) {
      throw InputError(source + ": line " + std::to_string(at) + ": " +
                       std::to_string(fields.size()) + " fields, the header has " +
                       std::to_string(header.size()));
    }
    if (table.offsets.empty()) table.offsets.push_back(0);
    table.blob += fields[index];
    table.offsets.push_back(static_cast<std::uint32_t>(table.blob.size()));
    table.lines.push_back(static_cast<std::uint32_t>(at));
  }
  if (table.rows() == 0) throw InputError(source + ": no rows after the header");
  table.blob.shrink_to_fit();
  return table;
}

std::vector<std::string_view> IdTable::views() const {
  std::vector<std::string_view> v(rows());
  for (std::size_t r = 0; r < v.size(); ++r) v[r] = id(r);
  return v;
}

IdTable load_ids(const std::filesystem::path& path, const std::string& column) {
  IdTable table;
  {
    std::string text;
    try {
      text = io::read_bounded(path, {kMaxIdFileBytes, "an id file (CSV)", true});
    } catch (const io::FileError& e) {
      throw InputError(e.what());
    }
    table = parse_ids(text, path.string(), column);
  }  // the file's text is freed before the duplicate check allocates its index
  check_unique(table);
  return table;
}

void check_unique(const IdTable& table) {
  // Sort (hash, row) pairs rather than the strings: a 2^20-row table sorts in a tenth of the
  // time; rows whose hashes are equal are then compared as strings.
  std::vector<std::pair<std::size_t, std::size_t>> keyed(table.rows());
  const std::hash<std::string_view> hash;
  for (std::size_t r = 0; r < table.rows(); ++r) keyed[r] = {hash(table.id(r)), r};
  std::sort(keyed.begin(), keyed.end());
  auto line = [&](std::size_t r) { return r < table.lines.size() ? table.lines[r] : r + 2; };
  for (std::size_t k = 0; k < keyed.size();) {
    std::size_t end = k + 1;
    while (end < keyed.size() && keyed[end].first == keyed[k].first) ++end;
    for (std::size_t x = k; x < end; ++x) {
      for (std::size_t y = x + 1; y < end; ++y) {
        const std::size_t first = keyed[x].second, again = keyed[y].second;  // first < again
        if (table.id(first) != table.id(again)) continue;
        throw InputError(table.source + ": id \"" + std::string(table.id(again)) + "\" on line " +
                         std::to_string(line(again)) + " (row " + std::to_string(again) +
                         ") repeats line " + std::to_string(line(first)) + " (row " +
                         std::to_string(first) + "): ids must be unique for PSI");
      }
    }
    k = end;
  }
}

}  // namespace jointly::psi
