// TLS versus plain TCP on loopback, and mesh start-up time (numbers recorded in docs/net.md).
//
//   net_bench --benchmark_filter=Throughput   # 2 parties move 256 MB per iteration in 16 MB frames
//   net_bench --benchmark_filter=Startup      # 3-party mesh: connect, handshake, hello
//
// Both parties run as threads of this process, so on a 2-core box they share the CPU with
// each other's io threads: the figures are a lower bound for two machines.
#include <benchmark/benchmark.h>

#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/tcp/certs.h"
#include "net/tcp/mesh.h"

namespace jointly::net {
namespace {

constexpr std::size_t kFrameBytes = std::size_t{16} << 20;
constexpr int kFramesPerIteration = 16;  // 256 MB each way per iteration
constexpr std::uint8_t kRun = 1;
constexpr std::uint8_t kStop = 0;
constexpr const char* kLoopback = "127.0.0.1";

// Distinct free ports: all are held until the last is chosen.
std::vector<std::uint16_t> free_ports(int count) {
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> held;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    held.emplace_back(io,
                      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(kLoopback), 0));
    ports.push_back(held.back().local_endpoint().port());
  }
  return ports;
}

std::vector<MeshOptions> consortium(int parties, bool tls) {
  std::vector<KeyPair> ids;
  std::vector<PeerEndpoint> endpoints;
  const std::vector<std::uint16_t> ports = free_ports(parties);
  for (int p = 0; p < parties; ++p) {
    ids.push_back(generate_identity("party-" + std::to_string(p)));
    endpoints.push_back({"party-" + std::to_string(p), kLoopback, ports[p], ids[p].cert_pem});
  }
  std::vector<MeshOptions> options(static_cast<std::size_t>(parties));
  for (int p = 0; p < parties; ++p) {
    options[p].self = p;
    options[p].parties = endpoints;
    options[p].key_pem = ids[p].key_pem;
    options[p].tls = tls;
  }
  return options;
}

std::vector<std::unique_ptr<MeshTransport>> connect_all(const std::vector<MeshOptions>& options) {
  std::vector<std::future<std::unique_ptr<MeshTransport>>> pending;
  for (const auto& o : options) {
    pending.push_back(std::async(std::launch::async, [&o] { return connect_mesh(o); }));
  }
  std::vector<std::unique_ptr<MeshTransport>> transports;
  for (auto& p : pending) transports.push_back(p.get());
  return transports;
}

// One direction's frames go out, the other direction's come in; received buffers are sent
// back next time, so the benchmark measures the transport, not the allocator or memset.
void exchange(MeshTransport& t, PartyId peer, std::vector<Bytes>& frames) {
  for (auto& f : frames) t.send(peer, std::move(f));
  for (auto& f : frames) f = t.recv(peer);
}

// range(0): 1 = TLS, 0 = plain TCP. range(1): 1 = both parties send at once, 0 = one way
// (party 1 only receives, then acknowledges with one byte).
void BM_Throughput(benchmark::State& state) {
  const bool tls = state.range(0) != 0;
  const bool both_ways = state.range(1) != 0;
  auto transports = connect_all(consortium(2, tls));
  std::vector<Bytes> frames0(kFramesPerIteration, Bytes(kFrameBytes, 1));
  std::thread echo([&] {
    std::vector<Bytes> frames1(kFramesPerIteration, Bytes(kFrameBytes, 2));
    while (transports[1]->recv(0).front() == kRun) {
      if (both_ways) {
        exchange(*transports[1], 0, frames1);
      } else {
        for (auto& f : frames1) f = transports[1]->recv(0);
        transports[1]->send(0, Bytes{kRun});
      }
    }
  });
  for (auto _ : state) {
    transports[0]->send(1, Bytes{kRun});
    if (both_ways) {
      exchange(*transports[0], 1, frames0);
    } else {
      for (auto& f : frames0) {
        transports[0]->send(1, std::move(f));
        f = Bytes(kFrameBytes, 1);  // the sent buffer is gone: this refill is timed too
      }
      transports[0]->recv(1);
    }
  }
  transports[0]->send(1, Bytes{kStop});
  echo.join();
  // Bytes each party sent per second (both directions at once when both_ways).
  state.SetBytesProcessed(state.iterations() * kFramesPerIteration *
                          static_cast<std::int64_t>(kFrameBytes));
  state.SetLabel(std::string(tls ? "TLS 1.3 AES-128-GCM" : "plain TCP") +
                 (both_ways ? ", both ways" : ", one way"));
}
BENCHMARK(BM_Throughput)
    ->ArgsProduct({{1, 0}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Startup(benchmark::State& state) {
  const bool tls = state.range(0) != 0;
  constexpr int kParties = 3;
  for (auto _ : state) {
    state.PauseTiming();
    const auto options = consortium(kParties, tls);
    state.ResumeTiming();
    auto transports = connect_all(options);
    state.PauseTiming();
    // Goodbyes are not part of start-up; in parallel, as separate processes would.
    std::vector<std::thread> closers;
    for (auto& t : transports) closers.emplace_back([t = std::move(t)]() mutable { t.reset(); });
    for (auto& c : closers) c.join();
    state.ResumeTiming();
  }
  state.SetLabel(tls ? "3 parties, TLS" : "3 parties, plain TCP");
}
BENCHMARK(BM_Startup)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace jointly::net

BENCHMARK_MAIN();
