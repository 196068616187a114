#include "parties/party/joint_data.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "ml/data/partition.h"
#include "ml/logreg/logreg.h"
#include "ml/mlp/mlp.h"
#include "net/network.h"

namespace jointly::parties {
namespace {

// Little-endian framing of what a party announces in a columns split.
void put_u64(net::Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

class Reader {
 public:
  Reader(const net::Bytes& in, net::PartyId from, std::string name,
         std::string what = "column layout")
      : in_(in), from_(from), name_(std::move(name)), what_(std::move(what)) {}

  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{in_[at_++]} << (8 * i);
    return v;
  }
  void bytes(std::uint8_t* out, std::size_t n) {
    need(n);
    std::memcpy(out, in_.data() + at_, n);
    at_ += n;
  }
  std::string string() {
    const std::uint64_t n = u64();
    need(n);
    std::string s(reinterpret_cast<const char*>(in_.data() + at_), n);
    at_ += n;
    return s;
  }
  // A count of items of at least `item_bytes` each that must fit in what is left.
  std::uint64_t count(std::size_t item_bytes) {
    const std::uint64_t n = u64();
    if (n > (in_.size() - at_) / item_bytes) malformed();
    return n;
  }
  void done() const {
    if (at_ != in_.size()) malformed();
  }

 private:
  void need(std::uint64_t n) const {
    if (n > in_.size() - at_) malformed();
  }
  [[noreturn]] void malformed() const {
    throw net::PeerError(from_, name_ + " sent a malformed " + what_);
  }

  const net::Bytes& in_;
  std::size_t at_ = 0;
  net::PartyId from_;
  std::string name_;
  std::string what_;
};

net::Bytes encode_part(const ml::ColumnsPart& part) {
  net::Bytes out;
  put_u64(out, static_cast<std::uint64_t>(part.rows));
  out.insert(out.end(), part.ids.begin(), part.ids.end());
  out.push_back(part.has_label ? 1 : 0);
  put_u64(out, part.feature_names.size());
  for (const auto& name : part.feature_names) {
    put_u64(out, name.size());
    out.insert(out.end(), name.begin(), name.end());
  }
  return out;
}

ml::ColumnsPart decode_part(const net::Bytes& in, net::PartyId from, const std::string& name) {
  Reader r(in, from, name);
  ml::ColumnsPart part;
  part.party = name;
  part.rows = static_cast<Index>(r.u64());
  r.bytes(part.ids.data(), part.ids.size());
  std::uint8_t label = 0;
  r.bytes(&label, 1);
  part.has_label = label != 0;
  const std::uint64_t names = r.count(8);  // each name: its length, then its bytes
  for (std::uint64_t i = 0; i < names; ++i) part.feature_names.push_back(r.string());
  r.done();
  return part;
}

// This party's labels as the model takes them: the column itself, or one-hot rows.
IntMatrix encode_labels(const ml::Table& data, const FixedPoint& fp, int classes) {
  if (classes == 0) return fp.encode(Eigen::MatrixXd(data.labels));
  std::vector<int> labels(static_cast<std::size_t>(data.labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<int>(data.labels(static_cast<Eigen::Index>(i)));
  return fp.encode(ml::one_hot(labels, classes));
}

Eigen::MatrixXd maybe_bias(const Eigen::MatrixXd& x, bool bias) {
  return bias ? ml::with_bias(x) : x;
}

JointData share_rows(Protocol& protocol, const Consortium& c, const ml::Table& data,
                     const FixedPoint& fp, AuditLog& audit, const SharingOptions& options) {
  net::Network& network = protocol.network();
  const int n = protocol.parties(), self = protocol.self();
  // Public: how many rows each party contributes (the shapes of the shared tensors).
  std::vector<Index> rows(static_cast<std::size_t>(n));
  {
    const std::uint64_t mine = static_cast<std::uint64_t>(data.rows());
    net::Bytes out(sizeof mine);
    std::memcpy(out.data(), &mine, sizeof mine);
    const auto in = network.broadcast(std::move(out));
    for (int p = 0; p < n; ++p) {
      std::uint64_t v = mine;
      if (p != self) {
        if (in[p].size() != sizeof v)
          throw net::PeerError(p, c.parties[p].name + " sent a malformed row count");
        std::memcpy(&v, in[p].data(), sizeof v);
      }
      rows[static_cast<std::size_t>(p)] = static_cast<Index>(v);
    }
  }
  audit.record("row count of every party", "all", static_cast<std::uint64_t>(n));
  JointData joint;
  for (Index r : rows) joint.rows += r;

  const Index d = data.features.cols();
  if (options.standardise) {
    joint.standardizer = ml::joint_standardizer(protocol, data.features, joint.rows);
    audit.record("column sums and sums of squares over all rows", "all",
                 2 * static_cast<std::uint64_t>(d));
  } else {
    joint.standardizer.mean = Eigen::RowVectorXd::Zero(d);
    joint.standardizer.stddev = Eigen::RowVectorXd::Ones(d);
  }
  const IntMatrix x_mine =
      fp.encode(maybe_bias(joint.standardizer.apply(data.features), options.bias),
                data.source + " standardised");
  const IntMatrix y_mine = encode_labels(data, fp, options.classes);
  const Index cols = x_mine.cols(), label_cols = options.classes == 0 ? 1 : options.classes;
  std::vector<Shared> xs, ys;
  for (int p = 0; p < n; ++p) {
    const bool mine = p == self;
    xs.push_back(protocol.input(p, mine ? &x_mine : nullptr, rows[p], cols));
    ys.push_back(protocol.input(p, mine ? &y_mine : nullptr, rows[p], label_cols));
  }
  joint.x = Shared::vstack(xs);
  joint.y = Shared::vstack(ys);
  joint.feature_names = data.feature_names;
  return joint;
}

JointData share_columns(Protocol& protocol, const Consortium& c, const ml::Table& data,
                        const FixedPoint& fp, AuditLog& audit, const SharingOptions& options) {
  const int n = protocol.parties(), self = protocol.self();
  ml::ColumnsPart mine;
  mine.party = c.parties[static_cast<std::size_t>(self)].name;
  mine.rows = data.rows();
  mine.ids = ml::id_digest(data.ids);
  mine.has_label = data.labels.size() > 0;
  mine.feature_names = data.feature_names;
  // Public, like the schema in the rows split: shapes, column names, who holds the label, and
  // whether the id lists are equal (digests; docs/security.md says what that reveals).
  const auto in = protocol.network().broadcast(encode_part(mine));
  std::vector<ml::ColumnsPart> parts;
  for (int p = 0; p < n; ++p) {
    parts.push_back(p == self ? mine
                              : decode_part(in[static_cast<std::size_t>(p)], p,
                                            c.parties[static_cast<std::size_t>(p)].name));
  }
  audit.record("row count, id digest, label holder and column names of every party", "all",
               static_cast<std::uint64_t>(n));
  const ml::ColumnLayout layout = ml::check_column_layout(parts, c.label);

  JointData joint;
  joint.rows = layout.rows;
  joint.feature_names = layout.feature_names;
  joint.standardizer =
      ml::joint_standardizer_columns(protocol, data.features, layout.cols, layout.rows);
  audit.record("column sums and sums of squares over all rows", "all",
               2 * static_cast<std::uint64_t>(layout.feature_names.size()));

  // This party standardises its own columns with their (opened) global statistics.
  const ml::Standardizer own = ml::party_columns(joint.standardizer, layout.cols, self);
  const IntMatrix x_mine = fp.encode(own.apply(data.features), data.source + " standardised");
  joint.x = ml::share_columns(protocol, x_mine, layout.cols, layout.rows);
  if (options.bias) {
    // The bias column is public (all ones); party 0 inputs it.
    const IntMatrix ones = fp.encode(Eigen::MatrixXd::Ones(layout.rows, 1));
    joint.x =
        Shared::hstack({joint.x, protocol.input(0, self == 0 ? &ones : nullptr, layout.rows, 1)});
  }
  const IntMatrix y_mine =
      self == layout.label_owner ? encode_labels(data, fp, options.classes) : IntMatrix();
  joint.y = protocol.input(layout.label_owner, self == layout.label_owner ? &y_mine : nullptr,
                           layout.rows, options.classes == 0 ? 1 : options.classes);
  return joint;
}

}  // namespace

void check_training_data(const ml::Table& t, const FixedPoint& fp, const std::string& label,
                         int classes) {
  for (Eigen::Index r = 0; r < t.rows(); ++r) {
    for (Eigen::Index c = 0; c < t.features.cols(); ++c) {
      const double v = t.features(r, c);
      if (std::isfinite(v) && std::fabs(v) < fp.limit()) continue;  // the message only if needed
      fp.encode(v, fmt::format("{} line {} column '{}'", t.source, t.line(r),
                               t.feature_names[static_cast<std::size_t>(c)]));
    }
    const double y = t.labels.size() > 0 ? t.labels(r) : 0;  // columns: one party has labels
    if (classes > 0) {
      if (!(y >= 0 && y < classes && y == std::floor(y))) {
        throw ml::DataError(fmt::format(
            "{} line {} column '{}': label {} is not a class 0 ... {} (an integer below "
            "classes = {})",
            t.source, t.line(r), label, y, classes - 1, classes));
      }
      continue;
    }
    if (y != 0 && y != 1) {
      throw ml::DataError(
          fmt::format("{} line {} column '{}': label {} is not 0 or 1 (logistic regression "
                      "needs a binary label)",
                      t.source, t.line(r), label, y));
    }
  }
}

ml::CsvOptions training_csv_options(const Consortium& c) {
  ml::CsvOptions options;
  options.label = c.label;
  if (c.split == "columns") {
    options.id = ml::kIdColumn;
    options.require_label = false;  // exactly one party holds it, checked with the others
  }
  return options;
}

JointData share_training_data(Protocol& protocol, const Consortium& c, const ml::Table& data,
                              const FixedPoint& fp, AuditLog& audit,
                              const SharingOptions& options) {
  return c.split == "columns" ? share_columns(protocol, c, data, fp, audit, options)
                              : share_rows(protocol, c, data, fp, audit, options);
}

int agree_on_classes(Protocol& protocol, const Consortium& c, const ml::Table& data,
                     AuditLog& audit) {
  // 1 + the largest label this party holds; 0 when it holds none.
  std::uint64_t mine = 0;
  for (Eigen::Index r = 0; r < data.labels.size(); ++r)
    mine = std::max(mine, static_cast<std::uint64_t>(data.labels(r)) + 1);
  net::Bytes out;
  put_u64(out, mine);
  const auto in = protocol.network().broadcast(std::move(out));
  std::uint64_t classes = mine;
  for (int p = 0; p < protocol.parties(); ++p) {
    if (p == protocol.self()) continue;
    Reader r(in[static_cast<std::size_t>(p)], p, c.parties[static_cast<std::size_t>(p)].name,
             "largest label");
    classes = std::max(classes, r.u64());
    r.done();
  }
  audit.record("largest label of every party", "all",
               static_cast<std::uint64_t>(protocol.parties()));
  if (classes < 2 || classes > kMaxClasses) {
    throw ml::DataError(fmt::format(
        "the parties' labels span {} classes; the MLP needs 2 to {} (set 'classes' in {})", classes,
        kMaxClasses, c.path.string()));
  }
  return static_cast<int>(classes);
}

}  // namespace jointly::parties
