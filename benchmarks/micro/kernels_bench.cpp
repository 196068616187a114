// Local kernels that bound the protocols' compute: ring and field matmuls (the Beaver and DN07
// products of W2), the AES-CTR PRG that expands every share and triple, and frame headers.
// Run: build/benchmarks/kernels_bench
#include <benchmark/benchmark.h>

#include "net/frame.h"
#include "protocols/field.h"
#include "protocols/prg.h"

namespace jointly {
namespace {

void BM_RingMatmul(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), p = state.range(2);
  Prg prg(seed_from_u64(1));
  const RingMatrix a = prg.ring(m, k), b = prg.ring(k, p);
  for (auto _ : state) {
    RingMatrix c = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["mul_add_per_s"] = benchmark::Counter(
      static_cast<double>(m * k * p) * state.iterations(), benchmark::Counter::kIsRate);
}

FieldMatrix random_field(Prg& prg, Index rows, Index cols) {
  FieldMatrix f(rows, cols);
  for (Index i = 0; i < f.size(); ++i) f.data()[i] = Fp((u128(prg.next()) << 64) | prg.next());
  return f;
}

void BM_FieldMatmul(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), p = state.range(2);
  Prg prg(seed_from_u64(2));
  const FieldMatrix a = random_field(prg, m, k), b = random_field(prg, k, p);
  for (auto _ : state) {
    FieldMatrix c = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["mul_add_per_s"] = benchmark::Counter(
      static_cast<double>(m * k * p) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_FieldMul(benchmark::State& state) {
  Prg prg(seed_from_u64(3));
  const FieldMatrix a = random_field(prg, 1, 1 << 16), b = random_field(prg, 1, 1 << 16);
  for (auto _ : state) {
    FieldMatrix c = a.cwiseProduct(b);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * (1 << 16));
}

void BM_PrgFill(benchmark::State& state) {
  Prg prg(seed_from_u64(4));
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    prg.fill(buffer);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_FrameHeader(benchmark::State& state) {
  std::size_t length = 12345;
  for (auto _ : state) {
    const auto bytes = net::encode_header(net::FrameKind::kData, length);
    const auto header = net::decode_header(bytes);
    benchmark::DoNotOptimize(header);
    ++length;
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace
}  // namespace jointly

BENCHMARK(jointly::BM_RingMatmul)->Args({128, 784, 128})->Unit(benchmark::kMillisecond);
BENCHMARK(jointly::BM_FieldMatmul)->Args({128, 784, 128})->Unit(benchmark::kMillisecond);
BENCHMARK(jointly::BM_FieldMul);
BENCHMARK(jointly::BM_PrgFill)->Arg(16 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(jointly::BM_FrameHeader);
BENCHMARK_MAIN();
