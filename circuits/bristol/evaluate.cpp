#include "circuits/bristol/evaluate.h"

#include <stdexcept>
#include <string>

#include "circuits/gmw/gmw.h"

namespace jointly::circuits {
namespace {

bool is_and(const Gate& g) { return g.type == GateType::kAnd || g.type == GateType::kMand; }

// Gates grouped by interactive depth: layer d holds the interactive gates whose outputs have
// depth d (they read only wires of depth < d) and the local gates whose outputs have depth d
// (they read wires of depth <= d, in file order). On XOR shares only AND gates interact; on
// field sharings of bits XOR does too (a ^ b = a + b - 2ab).
struct Schedule {
  std::vector<std::vector<const Gate*>> ands, locals;
};

// Outputs occupy the last wires, output 1 first.
std::uint32_t first_output_wire(const BristolCircuit& c) {
  std::uint32_t first = c.wires;
  for (std::uint32_t bits : c.output_bits) first -= bits;
  return first;
}

Schedule schedule(const BristolCircuit& c, bool xor_interacts = false) {
  const auto interacts = [&](const Gate& g) {
    return is_and(g) || (xor_interacts && g.type == GateType::kXor);
  };
  std::vector<int> depth(c.wires, 0);
  Schedule s;
  const auto layer = [](std::vector<std::vector<const Gate*>> & v, int d) -> auto& {
    if (static_cast<int>(v.size()) <= d) v.resize(static_cast<std::size_t>(d) + 1);
    return v[static_cast<std::size_t>(d)];
  };
  for (const Gate& g : c.gates) {
    int d = 0;
    if (g.type != GateType::kEq) {
      for (std::uint32_t w : g.in) d = std::max(d, depth[w]);
    }
    if (interacts(g)) ++d;
    for (std::uint32_t w : g.out) depth[w] = d;
    layer(interacts(g) ? s.ands : s.locals, d).push_back(&g);
  }
  const std::size_t layers = std::max(s.ands.size(), s.locals.size());
  s.ands.resize(layers);
  s.locals.resize(layers);
  return s;
}

}  // namespace

std::vector<BoolShared> evaluate_bristol(Protocol& protocol, const BristolCircuit& circuit,
                                         const std::vector<BoolShared>& inputs) {
  Gmw gmw(protocol, "evaluate_bristol");
  if (inputs.size() != circuit.input_bits.size()) {
    throw std::invalid_argument(circuit.source + " takes " +
                                std::to_string(circuit.input_bits.size()) + " inputs, not " +
                                std::to_string(inputs.size()));
  }
  const std::size_t words = inputs.empty() ? 0 : static_cast<std::size_t>(inputs[0].cols());
  Words wires(static_cast<std::size_t>(circuit.wires) * words, 0);
  const auto wire = [&](std::uint32_t w) { return wires.data() + std::size_t{w} * words; };
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].rows() != circuit.input_bits[i] ||
        static_cast<std::size_t>(inputs[i].cols()) != words) {
      throw std::invalid_argument(circuit.source + " input " + std::to_string(i) + " must be " +
                                  std::to_string(circuit.input_bits[i]) + " x " +
                                  std::to_string(words) + " words");
    }
    for (Index b = 0; b < inputs[i].rows(); ++b, ++next) {
      std::copy(inputs[i].words.row(b).data(), inputs[i].words.row(b).data() + words, wire(next));
    }
  }

  const Ring ones = gmw.public_ones();  // a public 1 in every instance
  const Schedule s = schedule(circuit);
  Words x, y;
  for (std::size_t d = 0; d < s.ands.size(); ++d) {
    if (!s.ands[d].empty()) {
      x.clear();
      y.clear();
      for (const Gate* g : s.ands[d]) {
        const std::size_t k = g->out.size();
        for (std::size_t j = 0; j < k; ++j) {
          x.insert(x.end(), wire(g->in[j]), wire(g->in[j]) + words);
          y.insert(y.end(), wire(g->in[k + j]), wire(g->in[k + j]) + words);
        }
      }
      const Words z = gmw.and_words(x, y);
      std::size_t at = 0;
      for (const Gate* g : s.ands[d]) {
        for (std::uint32_t w : g->out) {
          std::copy(z.begin() + static_cast<std::ptrdiff_t>(at),
                    z.begin() + static_cast<std::ptrdiff_t>(at + words), wire(w));
          at += words;
        }
      }
    }
    for (const Gate* g : s.locals[d]) {
      Ring* out = wire(g->out[0]);
      switch (g->type) {
        case GateType::kXor: {
          const Ring *a = wire(g->in[0]), *b = wire(g->in[1]);
          for (std::size_t i = 0; i < words; ++i) out[i] = a[i] ^ b[i];
          break;
        }
        case GateType::kInv: {
          const Ring* a = wire(g->in[0]);
          for (std::size_t i = 0; i < words; ++i) out[i] = a[i] ^ ones;
          break;
        }
        case GateType::kEq:
          std::fill(out, out + words, g->in[0] ? ones : 0);
          break;
        case GateType::kEqw:
          std::copy(wire(g->in[0]), wire(g->in[0]) + words, out);
          break;
        default:
          throw std::logic_error("evaluate_bristol: AND gate in a local layer");
      }
    }
  }

  std::vector<BoolShared> outputs;
  std::uint32_t first = first_output_wire(circuit);
  for (std::uint32_t bits : circuit.output_bits) {
    RingMatrix out(bits, static_cast<Index>(words));
    for (std::uint32_t b = 0; b < bits; ++b, ++first) {
      std::copy(wire(first), wire(first) + words, out.row(b).data());
    }
    outputs.push_back(BoolShared{std::move(out)});
  }
  return outputs;
}

std::vector<Shared> evaluate_bristol_arithmetic(Protocol& protocol, const BristolCircuit& circuit,
                                                const std::vector<Shared>& inputs) {
  if (inputs.size() != circuit.input_bits.size()) {
    throw std::invalid_argument(circuit.source + " takes " +
                                std::to_string(circuit.input_bits.size()) + " inputs, not " +
                                std::to_string(inputs.size()));
  }
  const Index n = inputs.empty() ? 0 : inputs[0].cols();  // instances
  std::vector<Shared> wires(circuit.wires);
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].rows() != circuit.input_bits[i] || inputs[i].cols() != n) {
      throw std::invalid_argument(circuit.source + " input " + std::to_string(i) + " must be " +
                                  std::to_string(circuit.input_bits[i]) + " x " +
                                  std::to_string(n) + " bits");
    }
    for (Index b = 0; b < inputs[i].rows(); ++b, ++next) wires[next] = inputs[i].middle_rows(b, 1);
  }
  // A sharing of zero of the protocol's kind: public constants are added to it.
  const Shared zero = inputs.empty() ? Shared() : protocol.sub(wires[0], wires[0]);
  const IntMatrix ones = IntMatrix::Ones(1, n);
  const Schedule s = schedule(circuit, true);
  protocol.prepare_products(static_cast<Index>(field_products(circuit)) * n);
  for (std::size_t d = 0; d < s.ands.size(); ++d) {
    if (!s.ands[d].empty()) {
      std::vector<Shared> left, right;
      for (const Gate* g : s.ands[d]) {
        const std::size_t k = g->out.size();
        for (std::size_t j = 0; j < k; ++j) {
          left.push_back(wires[g->in[j]]);
          right.push_back(wires[g->in[k + j]]);
        }
      }
      const Shared z = protocol.mul(Shared::vstack(left), Shared::vstack(right));
      Index at = 0;
      for (const Gate* g : s.ands[d]) {
        for (std::uint32_t w : g->out) {
          wires[w] = z.middle_rows(at, 1);
          if (g->type == GateType::kXor) {  // a ^ b = a + b - 2ab
            const auto a = static_cast<std::size_t>(at);
            wires[w] = protocol.sub(protocol.add(left[a], right[a]), protocol.scale(wires[w], 2));
          }
          ++at;
        }
      }
    }
    for (const Gate* g : s.locals[d]) {
      Shared& out = wires[g->out[0]];
      switch (g->type) {
        case GateType::kInv:  // 1 - a: the public 1 minus the sharing
          out = protocol.add_public(protocol.scale(wires[g->in[0]], -1), ones);
          break;
        case GateType::kEq:
          out = protocol.add_public(zero, ones * static_cast<std::int64_t>(g->in[0]));
          break;
        case GateType::kEqw:
          out = wires[g->in[0]];
          break;
        default:
          throw std::logic_error("evaluate_bristol_arithmetic: interactive gate in a local layer");
      }
    }
  }

  std::vector<Shared> outputs;
  std::uint32_t first = first_output_wire(circuit);
  for (std::uint32_t bits : circuit.output_bits) {
    std::vector<Shared> rows;
    for (std::uint32_t b = 0; b < bits; ++b, ++first) rows.push_back(wires[first]);
    outputs.push_back(Shared::vstack(rows));
  }
  return outputs;
}

std::uint64_t field_products(const BristolCircuit& circuit) {
  std::uint64_t products = 0;
  for (const Gate& g : circuit.gates) {
    if (is_and(g)) products += g.out.size();
    if (g.type == GateType::kXor) ++products;
  }
  return products;
}

int field_depth(const BristolCircuit& circuit) {
  int depth = 0;
  for (const auto& layer : schedule(circuit, true).ands) depth += layer.empty() ? 0 : 1;
  return depth;
}

Cost bristol_field_cost(int parties, const BristolCircuit& circuit, std::uint64_t instances) {
  const std::uint64_t peers = static_cast<std::uint64_t>(parties - 1);
  const std::uint64_t honest = static_cast<std::uint64_t>(parties - (parties - 1) / 2);
  const std::uint64_t products = field_products(circuit) * instances;
  const std::uint64_t dealt = products == 0 ? 0 : 2 * ((products + honest - 1) / honest);
  return Cost{static_cast<std::uint64_t>(field_depth(circuit) + (products == 0 ? 0 : 1)),
              peers * (dealt + products) * sizeof(Fp)};
}

Cost bristol_cost(int parties, const BristolCircuit& circuit, std::uint64_t instances) {
  const std::uint64_t words = (instances + kRingBits - 1) / kRingBits;
  return Cost{
      static_cast<std::uint64_t>(circuit.and_depth()),
      static_cast<std::uint64_t>(parties - 1) * 2 * circuit.and_gates() * words * sizeof(Ring)};
}

RingMatrix bitslice(std::span<const Ring> values, int bits) {
  const Index words = static_cast<Index>((values.size() + kRingBits - 1) / kRingBits);
  RingMatrix out = RingMatrix::Zero(bits, words);
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < bits; ++b) {
      out(b, static_cast<Index>(i / kRingBits)) |= ((values[i] >> b) & 1) << (i % kRingBits);
    }
  }
  return out;
}

std::vector<Ring> unbitslice(const RingMatrix& sliced, std::size_t instances) {
  std::vector<Ring> out(instances, 0);
  for (std::size_t i = 0; i < instances; ++i) {
    for (Index b = 0; b < sliced.rows(); ++b) {
      out[i] |= ((sliced(b, static_cast<Index>(i / kRingBits)) >> (i % kRingBits)) & 1) << b;
    }
  }
  return out;
}

}  // namespace jointly::circuits
