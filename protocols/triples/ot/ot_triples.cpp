#include "protocols/triples/ot/ot_triples.h"

#include <map>
#include <stdexcept>
#include <tuple>

namespace jointly {
namespace {

using Kind = TripleRequest::Kind;
using ot::CotJob;

constexpr int kBitsPerWord = 64;

std::size_t count_of(Index rows, Index cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("OtTriples: negative shape");
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

// Copies `count` choice bits starting at bit `first` (a multiple of 64) of a word array.
void copy_bits(const Ring* words, std::size_t first, std::size_t count, std::uint8_t* out) {
  std::memcpy(out, reinterpret_cast<const std::uint8_t*>(words) + first / 8, (count + 7) / 8);
}

// Cumulative progress over several jobs.
struct ProgressTotal {
  const ot::Progress& report;
  std::uint64_t base = 0, total = 0;
  ot::Progress for_job() const {
    if (!report) return {};
    return [this](std::uint64_t done, std::uint64_t) { report(base + done, total); };
  }
};

std::uint64_t matrix_ots(Index m, Index k, Index n) {
  return static_cast<std::uint64_t>(std::min(m * k, k * n)) * kBitsPerWord;
}

}  // namespace

OtTriples::OtTriples(net::Network& network, const Seed& seed, const ot::OtOptions& options)
    : network_(network),
      channel_(network, derive_seed(seed, "jointly.ot-triples.channel"), options),
      prg_(derive_seed(seed, "jointly.ot-triples.values")) {}

OtTriples::~OtTriples() = default;

std::string OtTriples::name() const {
  return "OT (" + channel_.options().describe() +
         " over X25519/ristretto255 base OTs, Gilboa; semi-honest)";
}

PreparedItem OtTriples::one(const TripleRequest& request) {
  return std::move(generate({&request, 1}).front());
}

BeaverTriple OtTriples::elementwise(Index rows, Index cols) {
  return one(TripleRequest::elementwise(rows, cols)).triple;
}
BeaverTriple OtTriples::matrix(Index m, Index k, Index n) {
  return one(TripleRequest::matrix(m, k, n)).triple;
}
TruncPair OtTriples::trunc_pair(Index rows, Index cols, int bits) {
  return one(TripleRequest::trunc_pair(rows, cols, bits)).pair;
}
BeaverTriple OtTriples::and_triples(Index rows, Index cols) {
  return one(TripleRequest::and_triples(rows, cols)).triple;
}
DaBits OtTriples::dabits(Index rows, Index cols) {
  return one(TripleRequest::dabits(rows, cols)).dabits;
}

std::vector<PreparedItem> OtTriples::generate(std::span<const TripleRequest> plan,
                                              const PrepareProgress& progress) {
  std::vector<PreparedItem> items(plan.size());
  // --- Group the plan: one OT job per kind (and per oriented matrix shape). -------------
  std::size_t n_mul = 0, n_and = 0, n_dabits = 0;
  std::map<std::tuple<Index, Index, Index>, std::vector<std::size_t>> shapes;
  ProgressTotal total{progress};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const TripleRequest& r = plan[i];
    items[i].request = r;
    const std::size_t n = count_of(r.rows, r.cols);
    if (n == 0 && r.kind != Kind::kMatrix) {  // empty but correctly shaped
      const RingMatrix empty(r.rows, r.cols);
      items[i].triple = {empty, empty, empty};
      items[i].pair = {empty, empty, empty};
      items[i].dabits = {empty, empty};
    }
    switch (r.kind) {
      case Kind::kElementwise:
        n_mul += n;
        break;
      case Kind::kMatrix: {
        count_of(r.rows, r.inner);
        // Orientation: OT on the bits of the smaller of A (m x k) and B (k x n).
        const bool flip = r.cols < r.rows;
        const auto key =
            flip ? std::tuple{r.cols, r.inner, r.rows} : std::tuple{r.rows, r.inner, r.cols};
        shapes[key].push_back(i);
        total.total += 2 * matrix_ots(r.rows, r.inner, r.cols);
        break;
      }
      case Kind::kTruncPair:
        if (r.bits < 0 || r.bits >= kRingBits - 1) {
          throw std::invalid_argument("trunc_pair: cannot shift by " + std::to_string(r.bits));
        }
        n_dabits += n * kBitsPerWord;
        break;
      case Kind::kAnd:
        n_and += n * kBitsPerWord;
        break;
      case Kind::kDaBits:
        n_dabits += n;
        break;
    }
  }
  total.total += 2 * n_mul * kBitsPerWord + 2 * n_and + n_dabits;
  const bool lead = network_.self() == 0;

  // --- Element-wise triples: a·b = a_0 b_0 + a_1 b_1 + Gilboa(a_0, b_1) + Gilboa(a_1, b_0).
  if (n_mul > 0) {
    RingMatrix a = prg_.ring(1, static_cast<Index>(n_mul));
    RingMatrix b = prg_.ring(1, static_cast<Index>(n_mul));
    RingMatrix c = a.cwiseProduct(b);
    Ring* cp = c.data();
    const Ring* ap = a.data();
    const Ring* bp = b.data();
    CotJob job;
    job.mode = CotJob::Mode::kGilboa;
    job.recv_ots = job.send_ots = n_mul * kBitsPerWord;
    job.choices = [bp](std::size_t first, std::size_t count, std::uint8_t* bits) {
      copy_bits(bp, first, count, bits);
    };
    job.correlations = [ap](std::size_t first, std::size_t count, Ring* delta) {
      for (std::size_t t = 0; t < count; ++t) delta[t] = ap[(first + t) / kBitsPerWord];
    };
    job.received = [cp](std::size_t first, std::size_t count, const Ring* y) {
      for (std::size_t t = 0; t < count; ++t) {
        cp[(first + t) / kBitsPerWord] += y[t] << ((first + t) % kBitsPerWord);
      }
    };
    job.sent = [cp](std::size_t first, std::size_t count, const Ring* x, const Ring*) {
      for (std::size_t t = 0; t < count; ++t) {
        cp[(first + t) / kBitsPerWord] -= x[t] << ((first + t) % kBitsPerWord);
      }
    };
    channel_.run(job, total.for_job());
    total.base += job.recv_ots + job.send_ots;
    std::size_t at = 0;
    for (PreparedItem& item : items) {
      if (item.request.kind != Kind::kElementwise) continue;
      const Index rows = item.request.rows, cols = item.request.cols;
      const Index n = rows * cols;
      const Index off = static_cast<Index>(at);
      item.triple.a = a.middleCols(off, n).reshaped<Eigen::RowMajor>(rows, cols);
      item.triple.b = b.middleCols(off, n).reshaped<Eigen::RowMajor>(rows, cols);
      item.triple.c = c.middleCols(off, n).reshaped<Eigen::RowMajor>(rows, cols);
      at += static_cast<std::size_t>(n);
    }
  }

  // --- Matrix triples, one job per oriented shape (m x k)·(k x n): a COT per bit of A with
  // B's row as the correlation vector. ---------------------------------------------------
  for (const auto& [key, members] : shapes) {
    const auto [m, k, n] = key;
    const std::size_t group = members.size();
    const std::size_t a_size = static_cast<std::size_t>(m * k);
    std::vector<RingMatrix> as(group), bs(group), cs(group);
    RingMatrix a_all(1, static_cast<Index>(group * a_size));
    for (std::size_t g = 0; g < group; ++g) {
      as[g] = prg_.ring(m, k);
      bs[g] = prg_.ring(k, n);
      cs[g] = as[g] * bs[g];
      // An empty A (m or k is 0) has no data pointer; memcpy must not see it (UBSan).
      if (a_size != 0) std::memcpy(a_all.data() + g * a_size, as[g].data(), a_size * sizeof(Ring));
    }
    const std::size_t width = static_cast<std::size_t>(n);
    // OT o: entry q = o / 64 of the concatenated A's: matrix g = q / (m k), row i, column t.
    auto locate = [a_size, k](std::size_t o, std::size_t& g, Index& i, Index& t) {
      const std::size_t q = o / kBitsPerWord;
      g = q / a_size;
      const std::size_t e = q % a_size;
      i = static_cast<Index>(e) / k;
      t = static_cast<Index>(e) % k;
    };
    CotJob job;
    job.mode = CotJob::Mode::kGilboa;
    job.width = width;
    job.recv_ots = job.send_ots = group * a_size * kBitsPerWord;
    const Ring* ap = a_all.data();
    job.choices = [ap](std::size_t first, std::size_t count, std::uint8_t* bits) {
      copy_bits(ap, first, count, bits);
    };
    job.correlations = [&](std::size_t first, std::size_t count, Ring* delta) {
      if (width == 0) return;  // B has no columns: nothing to correlate (and no data pointer)
      for (std::size_t u = 0; u < count; ++u) {
        std::size_t g;
        Index i, t;
        locate(first + u, g, i, t);
        std::memcpy(delta + u * width, bs[g].row(t).data(), width * sizeof(Ring));
      }
    };
    auto accumulate = [&](std::size_t first, std::size_t count, const Ring* v, bool add) {
      for (std::size_t u = 0; u < count; ++u) {
        std::size_t g;
        Index i, t;
        locate(first + u, g, i, t);
        const unsigned j = (first + u) % kBitsPerWord;
        Ring* row = cs[g].row(i).data();
        const Ring* src = v + u * width;
        if (add) {
          for (std::size_t l = 0; l < width; ++l) row[l] += src[l] << j;
        } else {
          for (std::size_t l = 0; l < width; ++l) row[l] -= src[l] << j;
        }
      }
    };
    job.received = [&](std::size_t first, std::size_t count, const Ring* y) {
      accumulate(first, count, y, true);
    };
    job.sent = [&](std::size_t first, std::size_t count, const Ring* x, const Ring*) {
      accumulate(first, count, x, false);
    };
    channel_.run(job, total.for_job());
    total.base += job.recv_ots + job.send_ots;
    for (std::size_t g = 0; g < group; ++g) {
      PreparedItem& item = items[members[g]];
      if (item.request.cols < item.request.rows) {  // built as (B^T, A^T, (AB)^T)
        item.triple.a = bs[g].transpose();
        item.triple.b = as[g].transpose();
        item.triple.c = cs[g].transpose();
      } else {
        item.triple.a = std::move(as[g]);
        item.triple.b = std::move(bs[g]);
        item.triple.c = std::move(cs[g]);
      }
    }
  }

  // --- daBits (and trunc pairs from 64 daBits each): b = b_0 + b_1 - 2 b_0 b_1, with b_0 b_1
  // by one COT: party 1 chooses with b_1, party 0 sends with correlation b_0. -------------
  if (n_dabits > 0) {
    std::vector<std::uint8_t> bits((n_dabits + 127) / 128 * 16);
    prg_.fill(bits);
    RingMatrix ring(1, static_cast<Index>(n_dabits));
    Ring* rp = ring.data();
    for (std::size_t i = 0; i < n_dabits; ++i) rp[i] = ot::get_bit(bits.data(), i);
    CotJob job;
    job.mode = CotJob::Mode::kCorrelated;
    (lead ? job.send_ots : job.recv_ots) = n_dabits;
    job.choices = [&bits](std::size_t first, std::size_t count, std::uint8_t* out) {
      std::memcpy(out, bits.data() + first / 8, (count + 7) / 8);
    };
    job.correlations = [rp](std::size_t first, std::size_t count, Ring* delta) {
      std::memcpy(delta, rp + first, count * sizeof(Ring));
    };
    // Shares of b: party 0 holds b_0 + 2x, party 1 holds b_1 - 2y (y - x = b_0 b_1).
    RingMatrix shares = ring;
    Ring* sp = shares.data();
    job.received = [sp](std::size_t first, std::size_t count, const Ring* y) {
      for (std::size_t t = 0; t < count; ++t) sp[first + t] -= 2 * y[t];
    };
    job.sent = [sp](std::size_t first, std::size_t count, const Ring* x, const Ring*) {
      for (std::size_t t = 0; t < count; ++t) sp[first + t] += 2 * x[t];
    };
    channel_.run(job, total.for_job());
    total.base += n_dabits;
    std::size_t at = 0;
    for (PreparedItem& item : items) {
      const Index rows = item.request.rows, cols = item.request.cols;
      const std::size_t n = count_of(rows, cols);
      if (item.request.kind == Kind::kDaBits) {
        const Index off = static_cast<Index>(at);
        item.dabits.xor_bits =
            ring.middleCols(off, rows * cols).reshaped<Eigen::RowMajor>(rows, cols);
        item.dabits.ring_bits =
            shares.middleCols(off, rows * cols).reshaped<Eigen::RowMajor>(rows, cols);
        at += n;
      } else if (item.request.kind == Kind::kTruncPair) {
        const int f = item.request.bits;
        TruncPair& p = item.pair;
        p.r.resize(rows, cols);
        p.r_msb.resize(rows, cols);
        p.r_low.resize(rows, cols);
        for (std::size_t e = 0; e < n; ++e) {
          const Ring* r_bits = sp + at + e * kBitsPerWord;
          Ring r = 0, low = 0;
          for (int i = 0; i < kBitsPerWord; ++i) r += r_bits[i] << i;
          for (int i = f; i < kBitsPerWord - 1; ++i) low += r_bits[i] << (i - f);
          p.r.data()[e] = r;
          p.r_msb.data()[e] = r_bits[kBitsPerWord - 1];
          p.r_low.data()[e] = low;
        }
        at += n * kBitsPerWord;
      }
    }
  }

  // --- AND triples: per bit, a random OT each way. As sender (m0, m1): a = m0 ⊕ m1 and share
  // m0; as receiver with choice b: share m_b; so m0 ⊕ m_b = a·b across the parties. --------
  if (n_and > 0) {
    const std::size_t words = n_and / kBitsPerWord;
    RingMatrix b = prg_.ring(1, static_cast<Index>(words));
    RingMatrix a = RingMatrix::Zero(1, static_cast<Index>(words));
    RingMatrix mask = a;  // XOR of the OT outputs held by this party
    Ring* ap = a.data();
    Ring* mp = mask.data();
    const Ring* bp = b.data();
    CotJob job;
    job.mode = CotJob::Mode::kRandom;
    job.recv_ots = job.send_ots = n_and;
    job.choices = [bp](std::size_t first, std::size_t count, std::uint8_t* out) {
      copy_bits(bp, first, count, out);
    };
    job.received = [mp](std::size_t first, std::size_t count, const Ring* y) {
      for (std::size_t t = 0; t < count; ++t) {
        const std::size_t o = first + t;
        mp[o / kBitsPerWord] ^= (y[t] & 1) << (o % kBitsPerWord);
      }
    };
    job.sent = [ap, mp](std::size_t first, std::size_t count, const Ring* x0, const Ring* x1) {
      for (std::size_t t = 0; t < count; ++t) {
        const std::size_t o = first + t;
        ap[o / kBitsPerWord] |= ((x0[t] ^ x1[t]) & 1) << (o % kBitsPerWord);
        mp[o / kBitsPerWord] ^= (x0[t] & 1) << (o % kBitsPerWord);
      }
    };
    channel_.run(job, total.for_job());
    total.base += 2 * n_and;
    std::size_t at = 0;
    for (PreparedItem& item : items) {
      if (item.request.kind != Kind::kAnd) continue;
      const Index rows = item.request.rows, cols = item.request.cols;
      const Index off = static_cast<Index>(at), n = rows * cols;
      BeaverTriple& t = item.triple;
      t.a = a.middleCols(off, n).reshaped<Eigen::RowMajor>(rows, cols);
      t.b = b.middleCols(off, n).reshaped<Eigen::RowMajor>(rows, cols);
      t.c.resize(rows, cols);
      for (Index e = 0; e < n; ++e) {
        t.c.data()[e] = (ap[off + e] & bp[off + e]) ^ mp[off + e];
      }
      at += static_cast<std::size_t>(n);
    }
  }
  return items;
}

}  // namespace jointly
