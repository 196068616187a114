#include "circuits/bristol/circuit.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <numeric>
#include <sstream>

namespace jointly::circuits {
namespace {

class Reader {
 public:
  Reader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  // The next non-blank line split into tokens; false at the end of the text.
  bool next(std::vector<std::string_view>& tokens) {
    while (at_ < text_.size()) {
      const std::size_t end = std::min(text_.find('\n', at_), text_.size());
      std::string_view line = text_.substr(at_, end - at_);
      at_ = end + 1;
      ++line_;
      tokens.clear();
      std::size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        const std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) tokens.push_back(line.substr(start, i - start));
      }
      if (!tokens.empty()) return true;
    }
    return false;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw BristolError(std::string(source_) + " line " + std::to_string(line_) + ": " + what);
  }

  std::uint32_t number(std::string_view token, const char* what) const {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size()) {
      fail(std::string("expected ") + what + ", found '" + std::string(token) + "'");
    }
    return v;
  }

  int line() const { return line_; }

 private:
  std::string_view text_, source_;
  std::size_t at_ = 0;
  int line_ = 0;
};

struct Arity {
  GateType type;
  const char* name;
  int in, out;  // -1: variable (MAND)
};
constexpr Arity kArities[] = {{GateType::kXor, "XOR", 2, 1}, {GateType::kAnd, "AND", 2, 1},
                              {GateType::kInv, "INV", 1, 1}, {GateType::kEq, "EQ", 1, 1},
                              {GateType::kEqw, "EQW", 1, 1}, {GateType::kMand, "MAND", -1, -1}};

constexpr std::size_t kMinGateLineBytes = 11;
// The reader, and_depth() and evaluate_bristol() allocate per wire, and a header may announce
// 4e9 wires in a few bytes (with the inputs all but one of them). 2^26 wires is far beyond
// the published circuits (SHA-512 has about 350 000) and costs at most 256 MB per wire table.
constexpr std::uint32_t kMaxWires = std::uint32_t{1} << 26;

std::vector<std::uint32_t> counted_list(Reader& r, const std::vector<std::string_view>& tokens,
                                        const char* what) {
  const std::uint32_t count = r.number(tokens[0], what);
  if (tokens.size() != count + 1u) {
    r.fail(std::string("the ") + what + " line announces " + std::to_string(count) +
           " widths but lists " + std::to_string(tokens.size() - 1));
  }
  std::vector<std::uint32_t> out;
  for (std::size_t i = 1; i < tokens.size(); ++i) out.push_back(r.number(tokens[i], "a width"));
  return out;
}

}  // namespace

BristolCircuit parse_bristol(std::string_view text, std::string_view source) {
  Reader r(text, source);
  BristolCircuit c;
  c.source = source;
  std::vector<std::string_view> t;
  if (!r.next(t) || t.size() != 2) r.fail("the header must be '<gates> <wires>'");
  const std::uint32_t gate_count = r.number(t[0], "the gate count");
  c.wires = r.number(t[1], "the wire count");
  if (c.wires > kMaxWires) {
    r.fail("the header announces " + std::to_string(c.wires) + " wires; at most " +
           std::to_string(kMaxWires) + " are accepted");
  }
  if (!r.next(t)) r.fail("missing the inputs line");
  c.input_bits = counted_list(r, t, "inputs");
  if (!r.next(t)) r.fail("missing the outputs line");
  c.output_bits = counted_list(r, t, "outputs");
  const std::uint64_t in_wires = std::accumulate(c.input_bits.begin(), c.input_bits.end(), 0ull);
  const std::uint64_t out_wires = std::accumulate(c.output_bits.begin(), c.output_bits.end(), 0ull);
  if (in_wires + out_wires > c.wires) {
    r.fail("inputs (" + std::to_string(in_wires) + " wires) and outputs (" +
           std::to_string(out_wires) + ") do not fit in " + std::to_string(c.wires) + " wires");
  }

  std::vector<bool> written(c.wires, false);
  std::fill(written.begin(), written.begin() + static_cast<std::ptrdiff_t>(in_wires), true);
  // The header's count is the file's claim, not a size to allocate: a 20-byte file announcing
  // 4e9 gates must be refused by the count check below, not by the allocator. Every gate line
  // takes at least kMinGateLineBytes of the text ("1 1 0 1 EQ" and its newline).
  c.gates.reserve(std::min<std::size_t>(gate_count, text.size() / kMinGateLineBytes));
  while (r.next(t)) {
    if (c.gates.size() == gate_count) {
      r.fail("more gates than the " + std::to_string(gate_count) + " the header announces");
    }
    if (t.size() < 3) r.fail("a gate line needs '<in> <out> <wires...> <type>'");
    Gate g;
    g.line = r.line();
    const std::uint32_t nin = r.number(t[0], "an input count");
    const std::uint32_t nout = r.number(t[1], "an output count");
    if (t.size() != 3u + nin + nout) {
      r.fail("the gate announces " + std::to_string(nin) + " inputs and " + std::to_string(nout) +
             " outputs but lists " + std::to_string(t.size() - 3) + " wires");
    }
    const auto* arity = std::find_if(std::begin(kArities), std::end(kArities),
                                     [&](const Arity& a) { return t.back() == a.name; });
    if (arity == std::end(kArities)) r.fail("unknown gate type '" + std::string(t.back()) + "'");
    g.type = arity->type;
    const bool arity_ok = arity->in < 0 ? (nout > 0 && nin == 2 * nout)
                                        : (nin == static_cast<std::uint32_t>(arity->in) &&
                                           nout == static_cast<std::uint32_t>(arity->out));
    if (!arity_ok) {
      r.fail(std::string(arity->name) + " cannot have " + std::to_string(nin) + " inputs and " +
             std::to_string(nout) + " outputs");
    }
    for (std::uint32_t i = 0; i < nin; ++i) {
      const std::uint32_t w = r.number(t[2 + i], "a wire index");
      if (g.type == GateType::kEq) {
        if (w > 1) r.fail("EQ takes the constant 0 or 1, not " + std::to_string(w));
      } else if (w >= c.wires) {
        r.fail("wire " + std::to_string(w) + " is out of range (" + std::to_string(c.wires) +
               " wires)");
      } else if (!written[w]) {
        r.fail("wire " + std::to_string(w) + " is read before any gate writes it");
      }
      g.in.push_back(w);
    }
    for (std::uint32_t i = 0; i < nout; ++i) {
      const std::uint32_t w = r.number(t[2 + nin + i], "a wire index");
      if (w >= c.wires) {
        r.fail("wire " + std::to_string(w) + " is out of range (" + std::to_string(c.wires) +
               " wires)");
      }
      if (written[w]) {
        r.fail("wire " + std::to_string(w) +
               (w < in_wires ? " is an input wire" : " is written twice"));
      }
      written[w] = true;
      g.out.push_back(w);
    }
    c.gates.push_back(std::move(g));
  }
  if (c.gates.size() != gate_count) {
    r.fail("the header announces " + std::to_string(gate_count) + " gates but the file has " +
           std::to_string(c.gates.size()));
  }
  for (std::uint64_t w = c.wires - out_wires; w < c.wires; ++w) {
    if (!written[w]) r.fail("output wire " + std::to_string(w) + " is never written");
  }
  return c;
}

BristolCircuit read_bristol_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BristolError(path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_bristol(text.str(), path);
}

std::uint64_t BristolCircuit::and_gates() const {
  std::uint64_t n = 0;
  for (const Gate& g : gates) {
    if (g.type == GateType::kAnd || g.type == GateType::kMand) n += g.out.size();
  }
  return n;
}

int BristolCircuit::and_depth() const {
  std::vector<int> depth(wires, 0);
  int deepest = 0;
  for (const Gate& g : gates) {
    int d = 0;
    if (g.type != GateType::kEq) {
      for (std::uint32_t w : g.in) d = std::max(d, depth[w]);
    }
    if (g.type == GateType::kAnd || g.type == GateType::kMand) ++d;
    for (std::uint32_t w : g.out) depth[w] = d;
    deepest = std::max(deepest, d);
  }
  return deepest;
}

}  // namespace jointly::circuits
