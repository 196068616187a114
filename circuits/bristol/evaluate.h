// GMW evaluation of a Bristol Fashion circuit on XOR-shared, bit-sliced inputs (backends with
// a bit-wise XOR sharing: additive), and its evaluation on arithmetic sharings of bits for
// every protocol (below; the path Shamir takes).
//
// Bit-slicing: a wire carries one bit for each of N circuit instances, packed 64 to a word,
// so a circuit is evaluated on N inputs at once and every AND layer of all N instances costs
// one round. XOR, INV, EQ and EQW are local; the AND gates of one AND-depth layer (and every
// MAND) are evaluated together: and_depth() rounds, 2 · ceil(N / 64) words per AND gate to
// each peer.
#pragma once

#include <span>
#include <vector>

#include "circuits/bristol/circuit.h"
#include "circuits/compare/compare.h"
#include "circuits/gmw/bool_shared.h"

namespace jointly::circuits {

// inputs[i] is input i of the circuit: circuit.input_bits[i] rows (row j = bit j), each
// holding the same number of words (instances / 64, rounded up). Returns one such matrix per
// output. Throws std::invalid_argument on a shape mismatch.
std::vector<BoolShared> evaluate_bristol(Protocol& protocol, const BristolCircuit& circuit,
                                         const std::vector<BoolShared>& inputs);

Cost bristol_cost(int parties, const BristolCircuit& circuit, std::uint64_t instances);

// The same circuit on arithmetic sharings of bits (0/1), for any protocol: AND is a product and
// XOR costs one too (a ^ b = a + b - 2ab), INV, EQ and EQW are local. The products of one
// layer (by depth counting XOR and AND) go in one Protocol::mul; Protocol::prepare_products
// is told the total first (Shamir makes every double sharing in one round: 1 + field_depth()
// rounds, bristol_field_cost). inputs[i] is input_bits[i] x N (one column per instance);
// returns one such tensor per output.
std::vector<Shared> evaluate_bristol_arithmetic(Protocol& protocol, const BristolCircuit& circuit,
                                                const std::vector<Shared>& inputs);
std::uint64_t field_products(const BristolCircuit& circuit);  // per instance: ANDs + XORs
int field_depth(const BristolCircuit& circuit);               // layers of products
// On Shamir shares with t = (parties - 1) / 2.
Cost bristol_field_cost(int parties, const BristolCircuit& circuit, std::uint64_t instances);

// Local bit-matrix transposes (linear over XOR, so they apply to shares as to values):
// `bits`-bit values of N instances <-> bits x ceil(N / 64) words.
RingMatrix bitslice(std::span<const Ring> values, int bits);
std::vector<Ring> unbitslice(const RingMatrix& sliced, std::size_t instances);

}  // namespace jointly::circuits
