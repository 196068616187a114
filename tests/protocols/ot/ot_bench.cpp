// Measures the OT preprocessing (docs/ot.md, "Measured"): two parties as threads of one
// process over the in-memory transport, so the figures are compute + copying, no TCP/TLS.
//   ot_bench [all|w1|w2|ot|w4] [iknp|softspoken] [k] [threads]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "circuits/activations/sigmoid.h"
#include "net/in_memory.h"
#include "protocols/additive/gmw.h"
#include "protocols/triples/ot/ot_triples.h"

namespace jointly {
namespace {

using Clock = std::chrono::steady_clock;

ot::OtOptions g_options;  // from the command line

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Measured {
  double seconds = 0;    // wall, the slower party, base OTs excluded
  double cpu = 0;        // CPU seconds of the busier party's thread (independent of load)
  net::Traffic traffic;  // party 0's, base OTs excluded (both parties send the same)
};

// Runs `body` on both parties after the base OTs; times and counts only `body`.
Measured measure(const std::function<void(OtTriples&)>& body) {
  Measured out[2];
  net::run_in_memory(
      2,
      [&](net::Transport& transport) {
        net::Network network(transport);
        OtTriples source(network, random_seed(), g_options);
        const net::Traffic before = source.offline_traffic();
        const auto start = Clock::now();
        const double cpu_start = thread_cpu_seconds();
        body(source);
        Measured& m = out[transport.self()];
        m.cpu = thread_cpu_seconds() - cpu_start;
        m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        m.traffic = source.offline_traffic() - before;
      },
      std::chrono::minutes(10));
  Measured m = out[0];
  m.seconds = std::max(out[0].seconds, out[1].seconds);
  m.cpu = std::max(out[0].cpu, out[1].cpu);
  return m;
}

void report(const char* what, const Measured& m, double items, const char* unit) {
  std::printf(
      "%-42s %7.3f s wall %7.3f s cpu/party %9.1f MB sent/party %6llu rounds %10.0f %s/s (cpu) "
      "%9.1f B/%s\n",
      what, m.seconds, m.cpu, m.traffic.bytes_sent / 1e6,
      static_cast<unsigned long long>(m.traffic.rounds), items / m.cpu, unit,
      m.traffic.bytes_sent / items, unit);
  std::fflush(stdout);
}

void w1() {
  const Index n = 1'000'000;
  const auto m = measure([&](OtTriples& s) { s.elementwise(1, n); });
  report("W1: 1M element-wise triples", m, static_cast<double>(n), "triple");
}

void w2() {
  const auto m = measure([](OtTriples& s) { s.matrix(128, 784, 128); });
  report("W2: one 128x784·784x128 matrix triple", m, 1, "matrix");
}

void extended_ots() {
  const std::size_t n = 1'000'000;
  for (auto mode : {ot::CotJob::Mode::kRandom, ot::CotJob::Mode::kCorrelated}) {
    const auto m = measure([&](OtTriples& s) {
      ot::CotJob job;
      job.mode = mode;
      job.recv_ots = job.send_ots = n / 2;  // 1M in all, half each way
      job.choices = [](std::size_t, std::size_t count, std::uint8_t* bits) {
        std::fill_n(bits, (count + 7) / 8, 0x5a);
      };
      job.correlations = [](std::size_t, std::size_t count, Ring* d) { std::fill_n(d, count, 3); };
      job.received = [](std::size_t, std::size_t, const Ring*) {};
      job.sent = [](std::size_t, std::size_t, const Ring*, const Ring*) {};
      s.channel().run(job);
    });
    report(mode == ot::CotJob::Mode::kRandom ? "1M random OTs (half each way)"
                                             : "1M correlated OTs (Z_2^64, half each way)",
           m, static_cast<double>(n), "OT");
  }
}

// W4's plan: one SGD step (B = 32, d = 31, pair truncation) as ml::plan_logreg lists it, with
// sigmoid's comparisons from gez_times_requests, repeated for 150 steps.
std::vector<TripleRequest> w4_plan() {
  const Index batch = 32, d = 31;
  const int f = 16;
  std::vector<TripleRequest> step = {TripleRequest::matrix(batch, d, 1),
                                     TripleRequest::trunc_pair(batch, 1, f)};
  const auto sigmoid = gez_times_requests(2, circuits::sigmoid_comparisons() * batch, 1, 1);
  step.insert(step.end(), sigmoid.begin(), sigmoid.end());
  step.push_back(TripleRequest::trunc_pair(batch, 1, f));  // sigmoid's own truncation
  step.push_back(TripleRequest::matrix(d, batch, 1));
  step.push_back(TripleRequest::trunc_pair(d, 1, f));
  step.push_back(TripleRequest::trunc_pair(d, 1, f));
  std::printf("W4 step plan (%zu items):", step.size());
  for (const auto& r : step) std::printf(" [%s]", describe(r).c_str());
  std::printf("\n");
  std::vector<TripleRequest> plan;
  for (int i = 0; i < 150; ++i) plan.insert(plan.end(), step.begin(), step.end());
  return plan;
}

void w4() {
  const auto plan = w4_plan();
  const auto m = measure([&](OtTriples& s) { s.generate(plan); });
  report("W4 offline: 150 steps, B=32, d=31", m, 150, "step");
}

}  // namespace
}  // namespace jointly

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  if (argc > 2) jointly::g_options.extension = jointly::ot::parse_extension(argv[2]);
  if (argc > 3) jointly::g_options.k = std::stoi(argv[3]);
  if (argc > 4) jointly::g_options.threads = std::stoi(argv[4]);
  jointly::g_options.validate();
  std::printf("%s\n", jointly::g_options.describe().c_str());
  if (which == "all" || which == "ot") jointly::extended_ots();
  if (which == "all" || which == "w1") jointly::w1();
  if (which == "all" || which == "w4") jointly::w4();
  if (which == "all" || which == "w2") jointly::w2();
  return 0;
}
