#include "protocols/shamir/shamir.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

#include "protocols/shamir/compare.h"
#include "protocols/wrong_shares.h"

namespace jointly {
namespace {

std::string shape(Index r, Index c) { return std::to_string(r) + "x" + std::to_string(c); }

void require_same_shape(const Shared& x, Index rows, Index cols, const char* op) {
  if (x.rows() != rows || x.cols() != cols) {
    throw std::invalid_argument(std::string(op) + ": shapes " + shape(x.rows(), x.cols()) +
                                " and " + shape(rows, cols) + " differ");
  }
}

void require_inner(Index left_cols, Index right_rows, const char* op) {
  if (left_cols != right_rows) {
    throw std::invalid_argument(std::string(op) + ": inner dimensions " +
                                std::to_string(left_cols) + " and " + std::to_string(right_rows) +
                                " differ");
  }
}

// Uniform field elements: 127 random bits, reduced (the one value p maps to 0: bias 2^-127).
FieldMatrix random_field(Prg& prg, Index rows, Index cols) {
  FieldMatrix m(rows, cols);
  std::vector<u128> raw(static_cast<std::size_t>(m.size()));
  prg.fill({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size() * sizeof(u128)});
  for (Index i = 0; i < m.size(); ++i)
    m.data()[i] = Fp(raw[static_cast<std::size_t>(i)] & Fp::kModulus);
  return m;
}

// Uniform integers in [0, 2^bits) as field elements (bits <= 126).
FieldMatrix random_bounded(Prg& prg, Index rows, Index cols, int bits) {
  FieldMatrix m(rows, cols);
  std::vector<u128> raw(static_cast<std::size_t>(m.size()));
  prg.fill({reinterpret_cast<std::uint8_t*>(raw.data()), raw.size() * sizeof(u128)});
  const u128 mask = (u128{1} << bits) - 1;
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = Fp(raw[static_cast<std::size_t>(i)] & mask);
  return m;
}

static_assert(sizeof(Fp) == 16, "an Fp is one u128 on the wire");

net::Bytes pack_field(std::initializer_list<const FieldMatrix*> parts) {
  std::size_t total = 0;
  for (const FieldMatrix* m : parts) total += static_cast<std::size_t>(m->size()) * sizeof(Fp);
  net::Bytes out(total);
  std::size_t at = 0;
  for (const FieldMatrix* m : parts) {
    const std::size_t n = static_cast<std::size_t>(m->size()) * sizeof(Fp);
    if (n != 0) std::memcpy(out.data() + at, m->data(), n);
    at += n;
  }
  return out;
}

// Fills the given matrices (shapes set by the caller) from a peer's message; refuses a wrong
// size or an element that is not reduced (>= p): both mean a broken or hostile peer.
void unpack_field(const net::Bytes& bytes, net::PartyId from,
                  std::initializer_list<FieldMatrix*> parts) {
  std::size_t expected = 0;
  for (const FieldMatrix* m : parts) expected += static_cast<std::size_t>(m->size()) * sizeof(Fp);
  if (bytes.size() != expected) {
    throw net::PeerError(from, "party " + std::to_string(from) + " sent " +
                                   std::to_string(bytes.size()) +
                                   " bytes where the protocol expects " + std::to_string(expected));
  }
  std::size_t at = 0;
  for (FieldMatrix* m : parts) {
    for (Index i = 0; i < m->size(); ++i, at += sizeof(u128)) {
      u128 v;
      std::memcpy(&v, bytes.data() + at, sizeof v);
      if (v >= Fp::kModulus) {
        throw net::PeerError(
            from, "party " + std::to_string(from) + " sent a field element that is not reduced");
      }
      m->data()[i] = Fp(v);
    }
  }
}

FieldMatrix flat(const FieldMatrix& m) {
  return Eigen::Map<const FieldMatrix>(m.data(), 1, m.size());
}
FieldMatrix reshaped(const FieldMatrix& m, Index rows, Index cols) {
  return Eigen::Map<const FieldMatrix>(m.data(), rows, cols);
}

// Lagrange coefficients that evaluate, at `at`, the polynomial through points xs.
std::vector<Fp> lagrange(const std::vector<Fp>& xs, Fp at) {
  std::vector<Fp> out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Fp num(1), den(1);
    for (std::size_t m = 0; m < xs.size(); ++m) {
      if (m == i) continue;
      num *= at - xs[m];
      den *= xs[i] - xs[m];
    }
    out.push_back(num * den.inverse());
  }
  return out;
}

}  // namespace

Shamir::Shamir(net::Network& network, ShamirOptions options)
    : network_(network),
      multiplication_(options.multiplication),
      n_(network.parties()),
      t_((network.parties() - 1) / 2),
      seed_(options.resume ? options.resume->own.seed
                           : (options.seed ? *options.seed : random_seed())),
      own_(seed_) {
  if (n_ < 3)
    throw std::invalid_argument("Shamir sharing with an honest majority needs at least 3 parties");
  for (int i = 0; i < n_; ++i) alpha_.push_back(Fp(static_cast<std::int64_t>(i + 1)));
  const std::vector<Fp> first(alpha_.begin(), alpha_.begin() + t_ + 1);
  lagrange_t_ = lagrange(first, Fp(0));
  lagrange_all_ = lagrange(alpha_, Fp(0));
  for (int j = t_ + 1; j < n_; ++j) check_.push_back(lagrange(first, alpha_[j]));
  // Rows k = 0..n-t-1, columns j: alpha_j^k. Any n - t columns form an invertible
  // Vandermonde matrix, so the n - t honest dealers' randomness maps one-to-one onto the
  // outputs, which are therefore uniform and unknown to any t parties.
  extract_.assign(static_cast<std::size_t>(n_ - t_), std::vector<Fp>(static_cast<std::size_t>(n_)));
  for (int k = 0; k < n_ - t_; ++k) {
    for (int j = 0; j < n_; ++j) extract_[k][j] = alpha_[j].pow(static_cast<u128>(k));
  }
}

std::string Shamir::name() const {
  return "shamir/" + std::to_string(n_) + " (t = " + std::to_string(t_) + ", " +
         (multiplication_ == ShamirMultiplication::kDn07 ? "DN07 degree reduction"
                                                         : "Beaver triples from DN07") +
         ", no dealer)";
}

FieldMatrix Shamir::field_of(const IntMatrix& m) const {
  return m.unaryExpr([](std::int64_t v) { return Fp(v); });
}

std::vector<FieldMatrix> Shamir::deal(const FieldMatrix& secret, int degree) {
  std::vector<FieldMatrix> coefficients;
  for (int k = 0; k < degree; ++k)
    coefficients.push_back(random_field(own_, secret.rows(), secret.cols()));
  std::vector<FieldMatrix> shares;
  for (int p = 0; p < n_; ++p) {
    // Horner: f(a) = (((c_d a + c_{d-1}) a + ...) a + c_1) a + secret.
    FieldMatrix acc = FieldMatrix::Zero(secret.rows(), secret.cols());
    for (int k = degree - 1; k >= 0; --k) acc = (acc + coefficients[k]) * alpha_[p];
    shares.push_back(acc + secret);
  }
  return shares;
}

FieldMatrix Shamir::reconstruct(const std::vector<FieldMatrix>& shares, int degree) const {
  if (degree == t_) {
    FieldMatrix out = shares[0] * lagrange_t_[0];
    for (int i = 1; i <= t_; ++i) out += shares[i] * lagrange_t_[i];
    for (int j = t_ + 1; j < n_; ++j) {
      FieldMatrix expected = shares[0] * check_[j - t_ - 1][0];
      for (int i = 1; i <= t_; ++i) expected += shares[i] * check_[j - t_ - 1][i];
      if (expected != shares[j]) blame(shares);
    }
    return out;
  }
  // Degree 2t with n = 2t + 1 (or more) shares: all of them, no redundancy to check.
  FieldMatrix out = shares[0] * lagrange_all_[0];
  for (int i = 1; i < n_; ++i) out += shares[i] * lagrange_all_[i];
  return out;
}

// The fast check above only says that the shares disagree; parties 0..t are not more
// trustworthy than the rest, so who is wrong is decided by all n shares (wrong_shares.h).
void Shamir::blame(const std::vector<FieldMatrix>& shares) const {
  const auto fits = [&](const std::vector<net::PartyId>& excluded) {
    std::vector<int> kept;
    for (int p = 0; p < n_; ++p) {
      if (!std::binary_search(excluded.begin(), excluded.end(), p)) kept.push_back(p);
    }
    // The first t + 1 kept shares define the polynomial; every other kept share must lie on it.
    std::vector<Fp> basis;
    for (int i = 0; i <= t_; ++i) basis.push_back(alpha_[kept[i]]);
    for (std::size_t j = static_cast<std::size_t>(t_) + 1; j < kept.size(); ++j) {
      const std::vector<Fp> at = lagrange(basis, alpha_[kept[j]]);
      FieldMatrix expected = shares[kept[0]] * at[0];
      for (int i = 1; i <= t_; ++i) expected += shares[kept[i]] * at[i];
      if (expected != shares[kept[j]]) return false;
    }
    return true;
  };
  throw_inconsistent_shares(n_, t_, self(), fits, "inconsistent shares in an opening");
}

FieldMatrix Shamir::open_field(const FieldMatrix& share, int degree) {
  const auto in = network_.broadcast(pack_field({&share}));
  std::vector<FieldMatrix> shares(static_cast<std::size_t>(n_),
                                  FieldMatrix(share.rows(), share.cols()));
  for (int p = 0; p < n_; ++p) {
    if (p == self()) {
      shares[p] = share;
    } else {
      unpack_field(in[p], p, {&shares[p]});
    }
  }
  return reconstruct(shares, degree);
}

std::vector<std::vector<FieldMatrix>> Shamir::deal_all(const std::vector<FieldMatrix>& mine,
                                                       const std::vector<int>& degrees) {
  std::vector<std::vector<FieldMatrix>> dealt;  // dealt[k][p]
  for (std::size_t k = 0; k < mine.size(); ++k) dealt.push_back(deal(mine[k], degrees[k]));
  std::vector<net::Bytes> out(static_cast<std::size_t>(n_));
  for (int p = 0; p < n_; ++p) {
    if (p == self()) continue;
    for (std::size_t k = 0; k < mine.size(); ++k) {
      const net::Bytes part = pack_field({&dealt[k][p]});
      out[p].insert(out[p].end(), part.begin(), part.end());
    }
  }
  const auto in = network_.exchange(std::move(out));
  std::vector<std::vector<FieldMatrix>> received(static_cast<std::size_t>(n_));  // [dealer][k]
  for (int p = 0; p < n_; ++p) {
    for (std::size_t k = 0; k < mine.size(); ++k) {
      received[p].push_back(p == self() ? dealt[k][p]
                                        : FieldMatrix(mine[k].rows(), mine[k].cols()));
    }
    if (p == self()) continue;
    // All matrices from one dealer arrive in one message.
    std::vector<FieldMatrix*> parts;
    for (auto& m : received[p]) parts.push_back(&m);
    net::Bytes slice;
    std::size_t at = 0;
    for (FieldMatrix* m : parts) {
      const std::size_t n = static_cast<std::size_t>(m->size()) * sizeof(Fp);
      if (at + n > in[p].size())
        throw net::PeerError(p, "party " + std::to_string(p) + " sent a short dealing");
      slice.assign(in[p].begin() + static_cast<std::ptrdiff_t>(at),
                   in[p].begin() + static_cast<std::ptrdiff_t>(at + n));
      unpack_field(slice, p, {m});
      at += n;
    }
    if (at != in[p].size())
      throw net::PeerError(p, "party " + std::to_string(p) + " sent a long dealing");
  }
  return received;
}

FieldMatrix Shamir::random_sharings(Index count) {
  const Index per_dealer = (count + (n_ - t_) - 1) / (n_ - t_);
  const auto received = deal_all({random_field(own_, 1, per_dealer)}, {t_});
  FieldMatrix out(1, per_dealer * (n_ - t_));
  for (int k = 0; k < n_ - t_; ++k) {
    FieldMatrix acc = FieldMatrix::Zero(1, per_dealer);
    for (int j = 0; j < n_; ++j) acc += received[j][0] * extract_[k][j];
    out.middleCols(k * per_dealer, per_dealer) = acc;
  }
  return out.leftCols(count);
}

Shamir::DoubleSharings Shamir::double_sharings(Index count) {
  const Index per_dealer = (count + (n_ - t_) - 1) / (n_ - t_);
  const FieldMatrix secret = random_field(own_, 1, per_dealer);
  const auto received = deal_all({secret, secret}, {t_, 2 * t_});
  DoubleSharings out{FieldMatrix(1, per_dealer * (n_ - t_)),
                     FieldMatrix(1, per_dealer * (n_ - t_))};
  for (int k = 0; k < n_ - t_; ++k) {
    FieldMatrix low = FieldMatrix::Zero(1, per_dealer), high = low;
    for (int j = 0; j < n_; ++j) {
      low += received[j][0] * extract_[k][j];
      high += received[j][1] * extract_[k][j];
    }
    out.t.middleCols(k * per_dealer, per_dealer) = low;
    out.two_t.middleCols(k * per_dealer, per_dealer) = high;
  }
  out.t = FieldMatrix(out.t.leftCols(count));
  out.two_t = FieldMatrix(out.two_t.leftCols(count));
  return out;
}

void Shamir::prepare_double_sharings(Index count) {
  if (count <= 0) return;
  const DoubleSharings fresh = double_sharings(count);
  const Index left = prepared_double_sharings();
  FieldMatrix t(1, left + count), two_t(1, left + count);
  t << pool_t_.rightCols(left), fresh.t;
  two_t << pool_2t_.rightCols(left), fresh.two_t;
  pool_t_ = std::move(t);
  pool_2t_ = std::move(two_t);
  pool_used_ = 0;
}

FieldMatrix Shamir::random_bits(Index count) {
  if (count <= 0) return FieldMatrix(1, 0);
  // One dealing round: a random sharing [a] and a double sharing ([r]_t, [r]_2t) per bit,
  // whose difference [r]_2t - [r]_t is a random degree-2t sharing of zero.
  const Index per_dealer = (count + (n_ - t_) - 1) / (n_ - t_);
  const FieldMatrix a_mine = random_field(own_, 1, per_dealer);
  const FieldMatrix r_mine = random_field(own_, 1, per_dealer);
  const auto received = deal_all({a_mine, r_mine, r_mine}, {t_, t_, 2 * t_});
  FieldMatrix a(1, per_dealer * (n_ - t_)), zero(1, per_dealer * (n_ - t_));
  for (int k = 0; k < n_ - t_; ++k) {
    FieldMatrix acc_a = FieldMatrix::Zero(1, per_dealer), low = acc_a, high = acc_a;
    for (int j = 0; j < n_; ++j) {
      acc_a += received[j][0] * extract_[k][j];
      low += received[j][1] * extract_[k][j];
      high += received[j][2] * extract_[k][j];
    }
    a.middleCols(k * per_dealer, per_dealer) = acc_a;
    zero.middleCols(k * per_dealer, per_dealer) = high - low;
  }
  a = FieldMatrix(a.leftCols(count));
  zero = FieldMatrix(zero.leftCols(count));
  // Second round: open a² (a degree-2t sharing, re-randomised by the zero sharing).
  const FieldMatrix squares = open_field(FieldMatrix(a.cwiseProduct(a) + zero), 2 * t_);
  // a = 0 has probability n·2^-127 per bit; such a bit would be 1/2, so it is refused loudly
  // rather than silently used.
  std::vector<Fp> roots(squares.data(), squares.data() + count), inverses(roots.size());
  for (const Fp v : roots) {
    if (v == Fp(0)) throw std::runtime_error("random_bits: a random sharing opened to zero");
  }
  // v^(2^125) = sqrt(a²) = ±a. The squarings of one element form a dependency chain, so a
  // block of independent elements is squared together, one step at a time, to keep the
  // multiplier busy (3-4x faster than element by element).
  constexpr std::size_t kBlock = 64;
  for (std::size_t first = 0; first < roots.size(); first += kBlock) {
    const std::size_t last = std::min(roots.size(), first + kBlock);
    for (int s = 0; s < Fp::kBits - 2; ++s) {
      for (std::size_t i = first; i < last; ++i) roots[i] = roots[i] * roots[i];
    }
  }
  // Montgomery's batch inversion: one field inversion and 3 products per root.
  Fp running(1);
  for (std::size_t i = 0; i < roots.size(); ++i) {
    inverses[i] = running;
    running = running * roots[i];
  }
  Fp inv = running.inverse();
  for (std::size_t i = roots.size(); i-- > 0;) {
    const Fp root_inverse = inverses[i] * inv;
    inv = inv * roots[i];
    inverses[i] = root_inverse;
  }
  const Fp half = Fp(2).inverse();
  FieldMatrix bits(1, count);
  for (Index i = 0; i < count; ++i) {
    // a / sqrt(a²) is ±1; (±1 + 1) / 2 is the bit. Adding the public 1 to every share keeps a
    // degree-t sharing (f + 1).
    bits.data()[i] = (a.data()[i] * inverses[static_cast<std::size_t>(i)] + Fp(1)) * half;
  }
  return bits;
}

FieldMatrix Shamir::multiply(const FieldMatrix& x, const FieldMatrix& y) {
  if (x.rows() != y.rows() || x.cols() != y.cols()) {
    throw std::invalid_argument("multiply: shapes " + shape(x.rows(), x.cols()) + " and " +
                                shape(y.rows(), y.cols()) + " differ");
  }
  return reduce_degree(x.cwiseProduct(y));
}

FieldMatrix Shamir::bounded_random(Index rows, Index cols, int bits) {
  if (bits < 1 || bits > Fp::kBits - 8) {
    throw std::invalid_argument("bounded_random: " + std::to_string(bits) + " bits");
  }
  const auto received = deal_all({random_bounded(own_, rows, cols, bits)}, {t_});
  FieldMatrix sum = FieldMatrix::Zero(rows, cols);
  for (int j = 0; j < n_; ++j) sum += received[j][0];
  return sum;
}

FieldMatrix Shamir::reduce_degree(const FieldMatrix& product) {
  if (prepared_double_sharings() >= product.size()) {
    const FieldMatrix masked = flat(product) - pool_2t_.middleCols(pool_used_, product.size());
    const FieldMatrix opened = open_field(masked, 2 * t_);
    const FieldMatrix low = pool_t_.middleCols(pool_used_, product.size());
    pool_used_ += product.size();
    return reshaped(FieldMatrix(low + opened), product.rows(), product.cols());
  }
  const DoubleSharings r = double_sharings(product.size());
  const FieldMatrix masked = flat(product) - r.two_t;
  const FieldMatrix opened = open_field(masked, 2 * t_);  // product - r, uniformly masked
  return reshaped(FieldMatrix(r.t + opened), product.rows(), product.cols());
}

Shared Shamir::input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) {
  if (owner < 0 || owner >= n_)
    throw std::invalid_argument("input: no party " + std::to_string(owner));
  if (self() != owner) {
    FieldMatrix share(rows, cols);
    unpack_field(network_.recv(owner), owner, {&share});
    network_.count_round();
    return Shared(std::move(share));
  }
  if (value == nullptr || value->rows() != rows || value->cols() != cols) {
    throw std::invalid_argument("input: the owner must pass a value of shape " + shape(rows, cols));
  }
  std::vector<FieldMatrix> shares = deal(field_of(*value), t_);
  for (int p = 0; p < n_; ++p) {
    if (p != self()) network_.send(p, pack_field({&shares[p]}));
  }
  network_.count_round();
  return Shared(std::move(shares[self()]));
}

IntMatrix Shamir::open(const Shared& x) {
  const FieldMatrix v = open_field(x.field(), t_);
  return v.unaryExpr([](Fp f) { return f.to_int64(); });
}

std::optional<IntMatrix> Shamir::open_to(net::PartyId receiver, const Shared& x) {
  if (receiver < 0 || receiver >= n_)
    throw std::invalid_argument("open_to: no party " + std::to_string(receiver));
  if (self() != receiver) {
    network_.send_round(receiver, pack_field({&x.field()}));
    return std::nullopt;
  }
  const auto in = network_.gather();
  std::vector<FieldMatrix> shares(static_cast<std::size_t>(n_), FieldMatrix(x.rows(), x.cols()));
  for (int p = 0; p < n_; ++p) {
    if (p == self()) {
      shares[p] = x.field();
    } else {
      unpack_field(in[p], p, {&shares[p]});
    }
  }
  return reconstruct(shares, t_).unaryExpr([](Fp f) { return f.to_int64(); });
}

Shared Shamir::random(Index rows, Index cols) {
  return Shared(reshaped(random_sharings(rows * cols), rows, cols));
}

Shared Shamir::add(const Shared& x, const Shared& y) {
  require_same_shape(x, y.rows(), y.cols(), "add");
  return Shared(x.field() + y.field());
}

Shared Shamir::sub(const Shared& x, const Shared& y) {
  require_same_shape(x, y.rows(), y.cols(), "sub");
  return Shared(x.field() - y.field());
}

// Adding a constant to every share adds it to f(0): f + c is still of degree t.
Shared Shamir::add_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c.rows(), c.cols(), "add_public");
  return Shared(x.field() + field_of(c));
}

Shared Shamir::scale(const Shared& x, std::int64_t c) { return Shared(x.field() * Fp(c)); }

Shared Shamir::mul_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c.rows(), c.cols(), "mul_public");
  return Shared(x.field().cwiseProduct(field_of(c)));
}

Shared Shamir::matmul_public(const Shared& x, const IntMatrix& c) {
  require_inner(x.cols(), c.rows(), "matmul_public");
  return Shared(x.field() * field_of(c));
}

Shared Shamir::matmul_public(const IntMatrix& c, const Shared& x) {
  require_inner(c.cols(), x.rows(), "matmul_public");
  return Shared(field_of(c) * x.field());
}

Shared Shamir::mul(const Shared& x, const Shared& y) {
  require_same_shape(x, y.rows(), y.cols(), "mul");
  if (multiplication_ == ShamirMultiplication::kDn07) {
    return Shared(reduce_degree(x.field().cwiseProduct(y.field())));
  }
  // Beaver: a triple (a, b, c = ab) made dealer-free, then one opening of d and e.
  const FieldMatrix ab = reshaped(random_sharings(2 * x.size()), 2, x.size());
  const FieldMatrix a = reshaped(ab.row(0), x.rows(), x.cols()),
                    b = reshaped(ab.row(1), x.rows(), x.cols());
  const FieldMatrix c = reduce_degree(a.cwiseProduct(b));
  const FieldMatrix masked_d = x.field() - a, masked_e = y.field() - b;
  FieldMatrix both(2 * x.rows(), x.cols());
  both << masked_d, masked_e;
  const FieldMatrix de = open_field(both, t_);
  const FieldMatrix d = de.topRows(x.rows()), e = de.bottomRows(x.rows());
  return Shared(FieldMatrix(c + d.cwiseProduct(b) + e.cwiseProduct(a) + d.cwiseProduct(e)));
}

Shared Shamir::matmul(const Shared& x, const Shared& y) {
  require_inner(x.cols(), y.rows(), "matmul");
  if (multiplication_ == ShamirMultiplication::kDn07) {
    // The local product of degree-t shares is a degree-2t sharing of X·Y: only the m·p
    // outputs need reducing.
    return Shared(reduce_degree(x.field() * y.field()));
  }
  const Index m = x.rows(), k = x.cols(), p = y.cols();
  const FieldMatrix ab = random_sharings(m * k + k * p);
  const FieldMatrix a = reshaped(ab.leftCols(m * k), m, k), b = reshaped(ab.rightCols(k * p), k, p);
  const FieldMatrix c = reduce_degree(a * b);
  const FieldMatrix masked_d = x.field() - a, masked_e = y.field() - b;
  const FieldMatrix both_flat = [&] {
    FieldMatrix f(1, m * k + k * p);
    f << flat(masked_d), flat(masked_e);
    return f;
  }();
  const FieldMatrix opened = open_field(both_flat, t_);
  const FieldMatrix d = reshaped(opened.leftCols(m * k), m, k),
                    e = reshaped(opened.rightCols(k * p), k, p);
  return Shared(FieldMatrix(c + d * b + a * e + d * e));
}

// Statistical truncation (Catrina–de Hoog style, dealer-free): every party j contributes a
// bounded random r_j = r_hi_j · 2^f + r_lo_j; the parties open c = x + 2^63 + Σ r_j, which is
// within 2^-40 of uniform for |x| < 2^63 since each r_j spans 2^104; then
// x >> f = (c >> f) - 2^(63-f) - Σ r_hi_j, up to the carries of Σ r_lo_j: the result lies in
// [⌊x / 2^f⌋, ⌊x / 2^f⌋ + n].
Shared Shamir::trunc(const Shared& x, int bits) {
  if (bits < 0 || bits >= kTruncInputBits - 1) {
    throw std::invalid_argument("trunc: cannot shift by " + std::to_string(bits) + " bits");
  }
  if (bits == 0) return x;
  const int mask_bits = kTruncInputBits + kShamirStatBits;
  const FieldMatrix hi = random_bounded(own_, x.rows(), x.cols(), mask_bits - bits);
  const FieldMatrix lo = random_bounded(own_, x.rows(), x.cols(), bits);
  const FieldMatrix r_mine = hi * Fp(std::int64_t{1} << bits) + lo;
  const auto received = deal_all({r_mine, hi}, {t_, t_});
  FieldMatrix r = FieldMatrix::Zero(x.rows(), x.cols()), r_hi = r;
  for (int j = 0; j < n_; ++j) {
    r += received[j][0];
    r_hi += received[j][1];
  }
  const Fp offset(u128{1} << (kTruncInputBits - 1));
  const FieldMatrix c = open_field(FieldMatrix(x.field().array() + offset) + r, t_);
  const Fp shifted_offset(u128{1} << (kTruncInputBits - 1 - bits));
  const FieldMatrix z =
      c.unaryExpr([&](Fp v) { return Fp(v.value() >> bits) - shifted_offset; }) - r_hi;
  return Shared(z);
}

BitProducts Shamir::gez_times(const Shared& x, const std::vector<Shared>& values) {
  return field_gez_times(*this, x, values);
}

BitProducts Shamir::gez_offsets_times(const Shared& x, std::span<const std::int64_t> offsets,
                                      const std::vector<Shared>& values) {
  return field_gez_offsets_times(*this, x, offsets, values);
}

OpCost Shamir::gez_cost(std::uint64_t elements, int products, int thresholds) const {
  return field_gez_cost(n_, elements, products, thresholds);
}

std::optional<PrgStreams> Shamir::streams() const {
  PrgStreams s;
  s.own = {seed_, own_.position()};
  return s;
}

void Shamir::seek(const PrgStreams& state) {
  if (state.own.seed != seed_ || !state.pair.empty())
    throw std::invalid_argument("seek: the state is not this Shamir instance's stream");
  own_.seek(state.own.position);
  pool_t_ = FieldMatrix();
  pool_2t_ = FieldMatrix();
  pool_used_ = 0;
}

namespace {

// The subsets of {0, ..., n-1} of size k, each in increasing order, in lexicographic order.
std::vector<std::vector<net::PartyId>> subsets(int n, int k) {
  std::vector<std::vector<net::PartyId>> out;
  std::vector<net::PartyId> current;
  const std::function<void(int)> extend = [&](int next) {
    if (static_cast<int>(current.size()) == k) {
      out.push_back(current);
      return;
    }
    for (int p = next; p < n; ++p) {
      current.push_back(p);
      extend(p + 1);
      current.pop_back();
    }
  };
  extend(0);
  return out;
}

// A uniformly random permutation of 0..n-1 from `seed` (Fisher–Yates; modulo bias below 2^-40
// for any realistic n).
std::vector<Index> permutation_from(const Seed& seed, Index n) {
  Prg prg(derive_seed(seed, "shamir.shuffle"));
  std::vector<Index> p(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
  for (std::size_t i = p.size(); i-- > 1;) {
    std::swap(p[i], p[static_cast<std::size_t>(prg.next() % (i + 1))]);
  }
  return p;
}

}  // namespace

std::optional<Shared> Shamir::shuffle_rows(const Shared& x) {
  const Index rows = x.rows(), cols = x.cols();
  const auto groups = subsets(n_, t_ + 1);
  const auto member = [](const std::vector<net::PartyId>& s, net::PartyId p) {
    return std::find(s.begin(), s.end(), p) != s.end();
  };
  // One round: each group's lowest member sends the group's seed to the other members.
  std::vector<Seed> seeds(groups.size());
  std::vector<net::Bytes> out(static_cast<std::size_t>(n_));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].front() != self()) continue;
    own_.fill(seeds[g]);
    for (const net::PartyId p : groups[g]) {
      if (p != self()) out[p].insert(out[p].end(), seeds[g].begin(), seeds[g].end());
    }
  }
  const auto in = network_.exchange(std::move(out));
  std::vector<std::size_t> at(static_cast<std::size_t>(n_), 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const net::PartyId lead = groups[g].front();
    if (lead == self() || !member(groups[g], self())) continue;
    if (at[lead] + kSeedBytes > in[lead].size())
      throw net::PeerError(lead, "party " + std::to_string(lead) + " sent a short shuffle seed");
    std::copy_n(in[lead].begin() + static_cast<std::ptrdiff_t>(at[lead]), kSeedBytes,
                seeds[g].begin());
    at[lead] += kSeedBytes;
  }
  // One pass per group, one round each.
  FieldMatrix current = x.field();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::vector<net::PartyId>& group = groups[g];
    std::vector<net::Bytes> dealt_out(static_cast<std::size_t>(n_));
    FieldMatrix next = FieldMatrix::Constant(rows, cols, Fp(0));
    if (member(group, self())) {
      std::vector<Fp> points;
      for (const net::PartyId p : group) points.push_back(alpha_[p]);
      const std::vector<Fp> lambda = lagrange(points, Fp(0));
      const auto mine =
          static_cast<std::size_t>(std::find(group.begin(), group.end(), self()) - group.begin());
      const FieldMatrix additive = current * lambda[mine];
      const std::vector<Index> pi = permutation_from(seeds[g], rows);
      FieldMatrix permuted(rows, cols);
      for (Index i = 0; i < rows; ++i)
        permuted.row(i) = additive.row(pi[static_cast<std::size_t>(i)]);
      std::vector<FieldMatrix> shares = deal(permuted, t_);
      for (int p = 0; p < n_; ++p) {
        if (p != self()) dealt_out[p] = pack_field({&shares[p]});
      }
      next = shares[self()];
    }
    const auto dealt_in = network_.exchange(std::move(dealt_out));
    for (const net::PartyId p : group) {
      if (p == self()) continue;
      FieldMatrix part(rows, cols);
      unpack_field(dealt_in[p], p, {&part});
      next += part;
    }
    current = std::move(next);
  }
  return Shared(std::move(current));
}

}  // namespace jointly
