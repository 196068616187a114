// The programs whose views the leakage tests examine, one per operation, and their secrets.
// Each computes two independent instances of its operation (so that randomness reused from the
// first to the second shows as a relation), on tensors kept small: the relation test needs a
// few more runs than its view has features.
#pragma once

#include <string>

#include "tests/protocols/leakage/views.h"

namespace jointly::testing::leakage {

enum class Operation { kProducts, kMatrixProducts, kTruncation, kComparison, kOpenTo, kShuffle };

inline std::string operation_name(Operation op) {
  switch (op) {
    case Operation::kProducts:
      return "products";
    case Operation::kMatrixProducts:
      return "matrix_products";
    case Operation::kTruncation:
      return "truncation";
    case Operation::kComparison:
      return "comparison";
    case Operation::kOpenTo:
      return "open_to";
    case Operation::kShuffle:
      return "shuffle_rows";
  }
  return "?";
}

inline constexpr int kTruncBits = 8;

// The party that open_to reveals to: never the observer (party 1).
inline net::PartyId receiver_of(const ProtocolSetup& setup) {
  return setup.parties > 2 ? setup.parties - 1 : 0;
}

// x, y, u, v of the operation's shapes (1 x cols; y and v cols x cols for matrix products),
// from `seed`; values below 2^20 in magnitude (2^36 for
// truncation, a fixed-point product's size), so every backend's comparison is exact.
inline Secrets secrets_for(Operation op, std::uint64_t seed, Index cols = 2) {
  Prg prg(seed_from_u64(seed));
  const bool matrix = op == Operation::kMatrixProducts;
  Secrets s;
  for (int i = 0; i < 4; ++i) {
    IntMatrix m = small_ints(prg, matrix && i % 2 == 1 ? cols : 1, cols);
    // A fixed-point product: low bits set too, so a relation shows in every bit-plane.
    if (op == Operation::kTruncation) {
      m = m * (std::int64_t{1} << 16) + small_ints(prg, m.rows(), m.cols());
    }
    s.push_back(m);
  }
  return s;
}

inline Program program_for(Operation op, const ProtocolSetup& setup) {
  switch (op) {
    case Operation::kProducts:
      return [](PartyRun& run) {
        const Shared x = run.input(0), y = run.input(1), u = run.input(2), v = run.input(3);
        run.record(run.protocol().mul(x, y));
        run.record(run.protocol().mul(u, v));
      };
    case Operation::kMatrixProducts:
      return [](PartyRun& run) {
        const Shared x = run.input(0), y = run.input(1), u = run.input(2), v = run.input(3);
        run.record(run.protocol().matmul(x, y));
        run.record(run.protocol().matmul(u, v));
      };
    case Operation::kTruncation:
      return [](PartyRun& run) {
        const Shared x = run.input(0), y = run.input(1);
        run.record(run.protocol().trunc(x, kTruncBits));
        run.record(run.protocol().trunc(y, kTruncBits));
      };
    case Operation::kComparison:
      return [](PartyRun& run) {
        const Shared x = run.input(0);
        run.record(run.protocol().ltz(x));
      };
    case Operation::kShuffle:
      // A 4-row table shuffled twice (Protocol::shuffle_rows, where the backend has it).
      return [](PartyRun& run) {
        const Shared table =
            Shared::vstack({run.input(0), run.input(1), run.input(2), run.input(3)});
        run.record(*run.protocol().shuffle_rows(table));
        run.record(*run.protocol().shuffle_rows(table));
      };
    case Operation::kOpenTo:
      return [receiver = receiver_of(setup)](PartyRun& run) {
        const Shared w = run.protocol().add(run.input(0), run.input(1));
        run.protocol().open_to(receiver, w);
        run.record(w);
      };
  }
  return {};
}

// The experiment for a real protocol: secrets A and B drawn independently.
inline Experiment experiment_for(const ProtocolSetup& setup, Operation op, std::uint64_t seed,
                                 Index cols = 2) {
  Experiment e;
  e.name = setup.name + "/" + operation_name(op);
  e.setup = setup;
  e.program = program_for(op, setup);
  e.a = secrets_for(op, 2 * seed, cols);
  e.b = secrets_for(op, 2 * seed + 1, cols);
  e.seed = seed;
  return e;
}

}  // namespace jointly::testing::leakage
