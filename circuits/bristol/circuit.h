// Boolean circuits in Bristol Fashion, the format of the SCALE-MAMBA / MP-SPDZ circuit sets
// (https://nigelsmart.github.io/MPC-Circuits/):
//
//   <gates> <wires>
//   <number of inputs> <bits of input 1> ... <bits of input k>
//   <number of outputs> <bits of output 1> ... <bits of output m>
//   <blank line>
//   <in> <out> <input wires...> <output wires...> <XOR|AND|INV|EQ|EQW|MAND>
//
// Input values occupy the first wires (input 1 first), outputs the last wires (output 1
// first). Within an input or output, wire j is bit j (least significant first) — the order the
// helpers bitslice() / unbitslice() use. EQ's "input" is the constant 0 or 1; MAND with 2k
// inputs and k outputs is k ANDs of (in[i], in[k + i]).
//
// The reader checks everything a later evaluation relies on and reports the first problem
// with its line number: header counts, gate arity for its type, wire indices in range, every
// wire written once (and input wires never), every gate input written before it is read, and
// every output wire written. Sizes are bounded before anything is allocated: at most 2^26
// wires, and the header's gate count is checked against the gates actually present.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jointly::circuits {

class BristolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class GateType { kXor, kAnd, kInv, kEq, kEqw, kMand };

struct Gate {
  GateType type;
  std::vector<std::uint32_t> in;  // for kEq: the constant (0 or 1), not a wire
  std::vector<std::uint32_t> out;
  int line;  // in the source, for messages
};

struct BristolCircuit {
  std::string source;  // file name or a label, for messages
  std::uint32_t wires = 0;
  std::vector<std::uint32_t> input_bits, output_bits;
  std::vector<Gate> gates;

  std::uint64_t and_gates() const;  // MAND counts k
  // Longest chain of AND gates from an input to an output: the rounds GMW needs.
  int and_depth() const;
};

// `source` names the text in error messages ("adder64.txt line 7: ...").
BristolCircuit parse_bristol(std::string_view text, std::string_view source = "<circuit>");
BristolCircuit read_bristol_file(const std::string& path);

}  // namespace jointly::circuits
