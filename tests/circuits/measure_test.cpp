// The figures in docs/circuits.md. Disabled by default (seconds, not milliseconds); run with
//   circuits_tests --gtest_also_run_disabled_tests --gtest_filter='*Measure*'
// on a Release build.
#include <chrono>
#include <cmath>
#include <iostream>

#include "circuits/activations/relu.h"
#include "circuits/activations/sigmoid.h"
#include "circuits/activations/softmax.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

using RowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr Index kMillion = 1000000;

TEST(Measure, DISABLED_ReluOnAMillionElements) {
  for (int parties : {2, 3}) {
    Prg data(seed_from_u64(7));
    const IntMatrix x = random_ints(data, 1000, kMillion / 1000);
    run_protocol(ProtocolSetup{"additive", parties}, 7, [&](Protocol& proto) {
      const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, x.rows(), x.cols());
      const auto before = proto.network().traffic();
      const auto start = std::chrono::steady_clock::now();
      const Shared y = circuits::relu(proto, sx);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const auto cost = proto.network().traffic() - before;
      if (proto.self() == 0) {
        std::cout << "relu n=" << parties << " elements=" << x.size() << " rounds=" << cost.rounds
                  << " bytes_sent=" << cost.bytes_sent << " ("
                  << static_cast<double>(cost.bytes_sent) / static_cast<double>(x.size())
                  << " B/element) seconds=" << seconds << "\n";
      }
      const IntMatrix got = proto.open(y);
      for (Index i = 0; i < x.size(); ++i) {
        ASSERT_EQ(got.data()[i], std::max<std::int64_t>(x.data()[i], 0));
      }
    });
  }
}

TEST(Measure, DISABLED_SigmoidExpSoftmaxErrors) {
  const FixedPoint fp;
  Prg data(seed_from_u64(8));
  const Index n = 100000;
  Eigen::MatrixXd v(1, n), w(1, n);
  for (Index i = 0; i < n; ++i) {
    v(0, i) = uniform(data, -8, 8);
    w(0, i) = uniform(data, -20, 0);
  }
  const Index rows = 2000, cols = 10;
  Eigen::MatrixXd s(rows, cols);
  for (Index i = 0; i < s.size(); ++i) s.data()[i] = uniform(data, -10, 10);
  const IntMatrix x = fp.encode(v), y = fp.encode(w), z = fp.encode(s);
  run_protocol(ProtocolSetup{"additive", 2}, 8, [&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 1, n);
    const Shared sy = proto.input(0, proto.self() == 0 ? &y : nullptr, 1, n);
    const Shared sz = proto.input(0, proto.self() == 0 ? &z : nullptr, rows, cols);
    auto t0 = std::chrono::steady_clock::now();
    const RowMajorXd sig = fp.decode(proto.open(circuits::sigmoid(proto, sx)));
    auto t1 = std::chrono::steady_clock::now();
    const RowMajorXd ex = fp.decode(proto.open(circuits::exp_nonpositive(proto, sy)));
    auto t2 = std::chrono::steady_clock::now();
    const auto before = proto.network().traffic();
    const RowMajorXd sm = fp.decode(proto.open(circuits::softmax_rows(proto, sz)));
    const auto sm_cost = proto.network().traffic() - before;
    auto t3 = std::chrono::steady_clock::now();
    double e_sig = 0, e_exp = 0, e_sm = 0;
    for (Index i = 0; i < n; ++i) {
      const double xi = fp.decode(x(0, i)), yi = fp.decode(y(0, i));
      e_sig = std::max(e_sig, std::fabs(sig(0, i) - 1 / (1 + std::exp(-xi))));
      e_exp = std::max(e_exp, std::fabs(ex(0, i) - std::exp(yi)));
    }
    for (Index r = 0; r < rows; ++r) {
      Eigen::RowVectorXd row(cols);
      for (Index c = 0; c < cols; ++c) row(c) = fp.decode(z(r, c));
      const Eigen::RowVectorXd e = (row.array() - row.maxCoeff()).exp().matrix();
      for (Index c = 0; c < cols; ++c) e_sm = std::max(e_sm, std::fabs(sm(r, c) - e(c) / e.sum()));
    }
    using D = std::chrono::duration<double>;
    if (proto.self() == 0) {
      std::cout << "sigmoid max error on [-8,8] (" << n << " points): " << e_sig << " ("
                << D(t1 - t0).count() << " s)\nexp max error on [-20,0]: " << e_exp << " ("
                << D(t2 - t1).count() << " s)\nsoftmax max error (" << rows << "x" << cols
                << " in [-10,10]): " << e_sm << " (" << D(t3 - t2).count()
                << " s, rounds=" << sm_cost.rounds << ")\n";
    }
  });
}

}  // namespace
}  // namespace jointly::testing
