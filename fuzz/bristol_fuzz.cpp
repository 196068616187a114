// Fuzz target: the Bristol Fashion reader (circuits/bristol/circuit.h) on arbitrary text.
//
// BristolError is the documented failure. A circuit that parses goes through what its users
// do before evaluating it (AND count, AND depth), and must keep the reader's promises: every
// wire a gate reads or writes is in range, and no wire is written twice.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "circuits/bristol/circuit.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jointly::circuits;
  try {
    const BristolCircuit c =
        parse_bristol(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
    std::vector<bool> written(c.wires, false);
    for (const Gate& g : c.gates) {
      if (g.type != GateType::kEq) {
        for (std::uint32_t w : g.in) JOINTLY_FUZZ_CHECK(w < c.wires);
      }
      for (std::uint32_t w : g.out) {
        JOINTLY_FUZZ_CHECK(w < c.wires && !written[w]);
        written[w] = true;
      }
    }
    JOINTLY_FUZZ_CHECK(static_cast<std::uint64_t>(c.and_depth()) <= c.and_gates());
  } catch (const BristolError&) {
  }
  return 0;
}
