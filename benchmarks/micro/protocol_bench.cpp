// Micro-benchmarks on the in-process transport (threads, no sockets): the additive
// protocol's online mul and matmul, share / reconstruct for additive and Shamir, and Shamir's
// dealer-free preprocessing. What the protocols themselves cost, without TLS; counters report
// the bytes a party sends and the rounds, per call. Run: build/benchmarks/micro_benchmarks
#include <benchmark/benchmark.h>

#include <barrier>
#include <optional>

#include "net/in_memory.h"
#include "protocols/additive/additive.h"
#include "protocols/fixed_point.h"
#include "protocols/shamir/shamir.h"
#include "protocols/triples/dealer.h"

namespace jointly {
namespace {

enum class Op { kMul, kMatmulTrunc };

// Hands out one triple made in advance (the offline phase) and nothing else.
struct CachedTriples final : TripleSource {
  BeaverTriple triple;
  TruncPair pair;
  std::string name() const override { return "precomputed dealer"; }
  bool simulation_only() const override { return true; }
  BeaverTriple elementwise(Index, Index) override { return std::move(triple); }
  BeaverTriple matrix(Index, Index, Index) override { return std::move(triple); }
  TruncPair trunc_pair(Index, Index, int) override { return std::move(pair); }
  BeaverTriple and_triples(Index, Index) override { throw std::logic_error("not cached"); }
  DaBits dabits(Index, Index) override { throw std::logic_error("not cached"); }
  net::Traffic offline_traffic() const override { return {}; }
};

// Party 0's clock and traffic around `body`, every party synchronised before and after, so the
// interval covers the slowest party.
struct Timed {
  std::chrono::steady_clock::time_point start, end;
  net::Traffic traffic;
  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
};
template <class F>
void timed(std::barrier<>& sync, net::Network& network, Timed& out, F body) {
  sync.arrive_and_wait();
  const bool lead = network.self() == 0;
  if (lead) out.start = std::chrono::steady_clock::now();
  const auto before = network.traffic();
  body();
  sync.arrive_and_wait();
  if (lead) {
    out.end = std::chrono::steady_clock::now();
    out.traffic = network.traffic() - before;
  }
}

// Runs `iterations` operations per party; the timed section covers only the online phase
// (triples are generated before, as the offline phase, and the parties synchronise around it).
void run(benchmark::State& state, int parties, Op op) {
  const Index n = state.range(0);
  const Seed master = seed_from_u64(42);
  net::Traffic online{};
  for (auto _ : state) {
    state.PauseTiming();
    std::barrier sync(parties);
    Timed run;
    net::run_in_memory(parties, [&](net::Transport& transport) {
      net::Network network(transport);
      // Offline: this party's triple, made before the clock starts, so the online phase is
      // measured alone.
      Dealer dealer(master, transport.self(), parties);
      CachedTriples cached;
      if (op == Op::kMul) {
        cached.triple = dealer.elementwise(1, n);
      } else {
        cached.triple = dealer.matrix(128, 784, 128);
        cached.pair = dealer.trunc_pair(128, 128, kDefaultFracBits);
      }
      Additive proto(
          network, cached,
          {.truncation = Truncation::kPair, .seed = derive_seed(master, "p", transport.self())});
      const Shared x = op == Op::kMul ? proto.random(1, n) : proto.random(128, 784);
      const Shared y = op == Op::kMul ? proto.random(1, n) : proto.random(784, 128);
      timed(sync, network, run, [&] {
        if (op == Op::kMul) {
          benchmark::DoNotOptimize(proto.mul(x, y));
        } else {
          benchmark::DoNotOptimize(proto.trunc(proto.matmul(x, y), kDefaultFracBits));
        }
      });
    });
    online = run.traffic;
    state.SetIterationTime(run.seconds());
    state.ResumeTiming();
  }
  state.counters["bytes_per_party"] = static_cast<double>(online.bytes_sent);
  state.counters["rounds"] = static_cast<double>(online.rounds);
  if (op == Op::kMul) {
    state.counters["mul_per_s"] = benchmark::Counter(static_cast<double>(n) * state.iterations(),
                                                     benchmark::Counter::kIsRate);
  }
}

// Dealer-free Shamir preprocessing on 3 in-process parties: `n` Beaver triples (random
// sharings of a and b, one DN07 degree reduction for ab) or `n` shared random bits.
void shamir_randomness(benchmark::State& state, bool bits) {
  const Index n = state.range(0);
  net::Traffic traffic{};
  for (auto _ : state) {
    net::run_in_memory(3, [&](net::Transport& transport) {
      net::Network network(transport);
      Shamir proto(network);
      const auto before = network.traffic();
      if (bits) {
        benchmark::DoNotOptimize(proto.random_bits(n));
      } else {
        const FieldMatrix ab = proto.random_sharings(2 * n);
        benchmark::DoNotOptimize(proto.multiply(ab.leftCols(n), ab.rightCols(n)));
      }
      if (transport.self() == 0) traffic = network.traffic() - before;
    });
  }
  state.counters["bytes_per_party"] = static_cast<double>(traffic.bytes_sent);
  state.counters["rounds"] = static_cast<double>(traffic.rounds);
  state.counters[bits ? "bits_per_s" : "triples_per_s"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(), benchmark::Counter::kIsRate);
}

// Share and reconstruct: party 0 secret-shares n values (Protocol::input) and every party
// opens them (Protocol::open), for additive sharing (2 parties) and Shamir (3 parties).
void share_reconstruct(benchmark::State& state, bool shamir) {
  const Index n = state.range(0);
  const int parties = shamir ? 3 : 2;
  const Seed master = seed_from_u64(7);
  const IntMatrix values = IntMatrix::Constant(1, n, 12345);
  net::Traffic traffic{};
  for (auto _ : state) {
    state.PauseTiming();
    std::barrier sync(parties);
    Timed run;
    net::run_in_memory(parties, [&](net::Transport& transport) {
      net::Network network(transport);
      Dealer dealer(master, transport.self(), parties);
      std::optional<Additive> additive;
      std::optional<Shamir> field;
      if (shamir) {
        field.emplace(network);
      } else {
        additive.emplace(network, dealer, AdditiveOptions{});
      }
      Protocol& proto = shamir ? static_cast<Protocol&>(*field) : *additive;
      timed(sync, network, run, [&] {
        const Shared x = proto.input(0, transport.self() == 0 ? &values : nullptr, 1, n);
        benchmark::DoNotOptimize(proto.open(x));
      });
    });
    traffic = run.traffic;
    state.SetIterationTime(run.seconds());
    state.ResumeTiming();
  }
  state.counters["bytes_party0"] = static_cast<double>(traffic.bytes_sent);
  state.counters["rounds"] = static_cast<double>(traffic.rounds);
  state.counters["elements_per_s"] =
      benchmark::Counter(static_cast<double>(n) * state.iterations(), benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace jointly

using jointly::Op;
using jointly::share_reconstruct;
BENCHMARK_CAPTURE(share_reconstruct, additive_2p, false)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(share_reconstruct, shamir_3p, true)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
using jointly::shamir_randomness;
// Wall time: the work runs on the parties' threads, not the benchmark's.
BENCHMARK_CAPTURE(shamir_randomness, shamir_triples_3p, false)
    ->Arg(1'000'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(shamir_randomness, shamir_random_bits_3p, true)
    ->Arg(1'000'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
using jointly::run;
BENCHMARK_CAPTURE(run, mul_2p, 2, Op::kMul)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, mul_3p, 3, Op::kMul)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, matmul_trunc_2p, 2, Op::kMatmulTrunc)
    ->Arg(0)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, matmul_trunc_3p, 3, Op::kMatmulTrunc)
    ->Arg(0)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
