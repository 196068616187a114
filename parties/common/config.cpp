#include "parties/common/config.h"

#include <toml++/toml.h>
#include <cctype>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "io/bounded_read.h"
#include "ml/dp/dp_sgd.h"

namespace jointly::parties {
namespace {

const std::set<std::string> kTopKeys = {"protocol",     "triples",
                                        "model",        "epochs",
                                        "batch",        "learning_rate",
                                        "label",        "split",
                                        "truncation",   "frac_bits",
                                        "shuffle_seed", "receivers",
                                        "timeout_s",    "connect_timeout_s",
                                        "tls",          "dealer_seed",
                                        "party",        "hidden",
                                        "activation",   "classes",
                                        "format",       "report_loss",
                                        "ot_extension", "ot_k",
                                        "ot_threads",   "dp",
                                        "align"};
const std::set<std::string> kPartyKeys = {"name", "host", "port", "cert"};
const std::set<std::string> kDpKeys = {"epsilon", "noise", "delta", "clip", "total_epsilon"};

// Bounds of the MLP keys: far above any network that trains in reasonable time on shares.
constexpr std::int64_t kMaxLayerWidth = 4096;
constexpr std::size_t kMaxHiddenLayers = 8;

class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(path_.string() + ": " + what);
  }

  template <class T>
  void get(const toml::table& t, const std::string& key, T& out,
           const std::string& where = "") const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return;
    // value_exact: toml++'s value<T>() would turn `tls = 1` into true and `port = true` into 1.
    // Only a float key accepts an integer (learning_rate = 1).
    std::optional<T> value;
    if constexpr (std::is_same_v<T, double>) {
      value = node->value<T>();
    } else {
      value = node->value_exact<T>();
    }
    if (!value) fail(where + "'" + key + "' has the wrong type");
    out = *value;
  }

  std::string one_of(const toml::table& t, const std::string& key, std::string current,
                     const std::set<std::string>& allowed) const {
    get(t, key, current);
    if (!allowed.count(current)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail("'" + key + "' is \"" + current + "\"; expected one of: " + list);
    }
    return current;
  }

 private:
  std::filesystem::path path_;
};

// The most a consortium file or a certificate may hold: both are a few kilobytes, and a path
// such as /dev/zero or a huge file must fail at once rather than hang or exhaust memory.
constexpr std::uintmax_t kMaxConfigFileBytes = std::uintmax_t{1} << 20;  // 1 MiB

// `what`: "a consortium file", "a certificate" (io/bounded_read.h's messages).
std::string read_file(const std::filesystem::path& path, const std::string& what) {
  try {
    return io::read_bounded(path,
                            {.max_bytes = kMaxConfigFileBytes, .what = what, .allow_pipe = true});
  } catch (const io::FileError& e) {
    throw ConfigError(e.what());
  }
}

std::array<std::uint8_t, 16> parse_seed(const Reader& r, const std::string& hex) {
  if (hex.size() != 32) r.fail("'dealer_seed' must be 32 hexadecimal digits");
  std::array<std::uint8_t, 16> seed{};
  for (char ch : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) r.fail("'dealer_seed' is not hexadecimal");
  }
  for (std::size_t i = 0; i < 16; ++i) {
    seed[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return seed;
}

}  // namespace

int Consortium::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < parties.size(); ++i) {
    if (parties[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool Consortium::is_receiver(const std::string& name) const {
  for (const auto& r : receivers) {
    if (r == name) return true;
  }
  return false;
}

Consortium load_consortium(const std::filesystem::path& path) {
  return parse_consortium(read_file(path, "a consortium file"), path);
}

ProtocolSpec spec_of(const Consortium& c, bool truncation_named) {
  ProtocolSpec spec;
  spec.scheme = c.protocol;
  spec.parties = static_cast<int>(c.parties.size());
  spec.triples = c.triples;
  if (truncation_named || c.protocol == "additive") spec.truncation = c.truncation;
  if (c.dealer_seed) spec.dealer_seed = Seed(*c.dealer_seed);
  spec.ot = c.ot;
  spec.ot_named = c.ot_named;
  return spec;
}

Consortium parse_consortium(std::string text, const std::filesystem::path& path) {
  Consortium c;
  c.path = path;
  c.text = std::move(text);
  const Reader r(path);
  toml::table root;
  try {
    root = toml::parse(c.text, path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path.string() << " line " << e.source().begin.line << ": " << e.description();
    throw ConfigError(msg.str());
  }
  for (const auto& [key, _] : root) {
    if (!kTopKeys.count(std::string(key.str())))
      r.fail("unknown key '" + std::string(key.str()) + "'");
  }

  const std::vector<std::string> known = schemes();
  c.protocol = r.one_of(root, "protocol", c.protocol, {known.begin(), known.end()});
  // Without the key, the dealer-free default for the scheme and party count is filled in once
  // the parties are read (protocols/spec.h: never the simulated dealer).
  if (root.contains("triples"))
    c.triples = r.one_of(root, "triples", "", {"dealer", "ot", "dn07", "prss"});
  c.model = r.one_of(root, "model", c.model, {"logreg", "mlp"});
  c.split = r.one_of(root, "split", c.split, {"rows", "columns"});
  c.format = r.one_of(root, "format", c.format, {"csv", "idx"});
  c.align = r.one_of(root, "align", c.align, {"ids", "psi"});
  if (root.contains("align") && c.split != "columns")
    r.fail("'align' applies to split = \"columns\" only");
  r.get(root, "report_loss", c.report_loss);
  if (c.model != "mlp") {
    for (const char* key : {"hidden", "activation", "classes", "report_loss"}) {
      if (root.contains(key)) r.fail(std::string("'") + key + "' applies to model = \"mlp\" only");
    }
    if (c.format != "csv") r.fail("format = \"idx\" needs model = \"mlp\"");
  } else {
    c.activation = r.one_of(root, "activation", c.activation, {"relu"});
    if (root.contains("hidden")) {
      const toml::array* hidden = root["hidden"].as_array();
      if (hidden == nullptr) r.fail("'hidden' must be a list of layer widths, e.g. [128, 128]");
      c.hidden.clear();
      for (const auto& node : *hidden) {
        const auto width = node.value_exact<std::int64_t>();
        if (!width || *width < 1 || *width > kMaxLayerWidth) {
          r.fail("'hidden' must list layer widths between 1 and " + std::to_string(kMaxLayerWidth));
        }
        c.hidden.push_back(static_cast<int>(*width));
      }
      if (c.hidden.size() > kMaxHiddenLayers)
        r.fail("'hidden' may list at most " + std::to_string(kMaxHiddenLayers) + " layers");
    }
    std::int64_t classes = 0;
    r.get(root, "classes", classes);
    if (root.contains("classes") && (classes < 2 || classes > kMaxClasses))
      r.fail("'classes' must be between 2 and " + std::to_string(kMaxClasses));
    c.classes = static_cast<int>(classes);
  }
  if (c.format == "idx" && root.contains("split") && c.split != "rows")
    r.fail("format = \"idx\" holds whole images: it needs split = \"rows\"");
  c.truncation = r.one_of(root, "truncation", c.truncation, {"pair", "local"});
  std::int64_t epochs = c.epochs, batch = c.batch, frac = c.frac_bits, timeout = c.timeout_s,
               connect = c.connect_timeout_s, shuffle = static_cast<std::int64_t>(c.shuffle_seed);
  r.get(root, "epochs", epochs);
  r.get(root, "batch", batch);
  r.get(root, "frac_bits", frac);
  r.get(root, "timeout_s", timeout);
  r.get(root, "connect_timeout_s", connect);
  r.get(root, "shuffle_seed", shuffle);
  r.get(root, "learning_rate", c.learning_rate);
  r.get(root, "label", c.label);
  r.get(root, "tls", c.tls);
  if (epochs < 1 || epochs > 100000) r.fail("'epochs' must be between 1 and 100000");
  if (batch < 1 || batch > 1000000) r.fail("'batch' must be between 1 and 1000000");
  if (frac < 8 || frac > 24) r.fail("'frac_bits' must be between 8 and 24");
  if (timeout < 1 || connect < 1) r.fail("'timeout_s' and 'connect_timeout_s' must be positive");
  if (!(c.learning_rate > 0 && c.learning_rate < 100))
    r.fail("'learning_rate' must be in (0, 100)");
  c.epochs = static_cast<int>(epochs);
  c.batch = static_cast<int>(batch);
  c.frac_bits = static_cast<int>(frac);
  c.timeout_s = static_cast<int>(timeout);
  c.connect_timeout_s = static_cast<int>(connect);
  c.shuffle_seed = static_cast<std::uint64_t>(shuffle);

  if (root.contains("dp")) {
    const toml::table* dp = root["dp"].as_table();
    if (dp == nullptr) r.fail("'dp' must be a table: [dp]");
    for (const auto& [key, _] : *dp) {
      if (!kDpKeys.count(std::string(key.str())))
        r.fail("[dp]: unknown key '" + std::string(key.str()) + "'");
    }
    DpSettings d;
    for (const char* key : {"delta", "clip"}) {
      if (!dp->contains(key)) r.fail(std::string("[dp]: '") + key + "' is required");
    }
    r.get(*dp, "delta", d.delta, "[dp]: ");
    r.get(*dp, "clip", d.clip, "[dp]: ");
    if (!(d.delta > 0 && d.delta < 1)) r.fail("[dp]: 'delta' must be in (0, 1)");
    if (!(d.clip > 0 && d.clip < 1e6)) r.fail("[dp]: 'clip' must be in (0, 1e6)");
    if (c.model == "mlp" && !(d.clip >= ml::kMinClipNorm && d.clip <= ml::kMaxClipNorm)) {
      r.fail(fmt::format("[dp]: 'clip' for model = \"mlp\" must be in [{}, {}] (docs/dp.md)",
                         ml::kMinClipNorm, ml::kMaxClipNorm));
    }
    if (c.model == "mlp" && c.report_loss) {
      r.fail(
          "[dp]: report_loss opens each epoch's training error without noise, outside the "
          "guarantee: drop it for a DP run");
    }
    if (c.truncation == "local") {
      r.fail(
          "[dp]: truncation = \"local\" fails with a small probability per element, which "
          "would void the clipping bound: use truncation = \"pair\"");
    }
    if (dp->contains("epsilon")) {
      double e = 0;
      r.get(*dp, "epsilon", e, "[dp]: ");
      if (!(e > 0 && e < 1e6)) r.fail("[dp]: 'epsilon' must be in (0, 1e6)");
      d.epsilon = e;
    }
    if (dp->contains("noise")) {
      double n = 0;
      r.get(*dp, "noise", n, "[dp]: ");
      if (!(n > 0 && n < 1e6)) r.fail("[dp]: 'noise' must be in (0, 1e6)");
      d.noise = n;
    }
    if (dp->contains("total_epsilon")) {
      double t = 0;
      r.get(*dp, "total_epsilon", t, "[dp]: ");
      if (!(t > 0 && t < 1e6)) r.fail("[dp]: 'total_epsilon' must be in (0, 1e6)");
      if (d.epsilon && *d.epsilon > t) r.fail("[dp]: 'epsilon' is above 'total_epsilon'");
      d.total_epsilon = t;
    }
    if (!d.epsilon && !d.noise) r.fail("[dp]: give 'epsilon' (a budget) or 'noise' (or both)");
    c.dp = d;
  }

  const toml::array* parties = root["party"].as_array();
  if (parties == nullptr || parties->empty()) r.fail("no [[party]] entries");
  for (std::size_t i = 0; i < parties->size(); ++i) {
    const toml::table* t = (*parties)[i].as_table();
    const std::string where = "[[party]] #" + std::to_string(i + 1) + ": ";
    if (t == nullptr) r.fail(where + "is not a table");
    for (const auto& [key, _] : *t) {
      if (!kPartyKeys.count(std::string(key.str()))) {
        r.fail(where + "unknown key '" + std::string(key.str()) + "'");
      }
    }
    PartyEntry p;
    std::int64_t port = 0;
    std::string cert;
    r.get(*t, "name", p.name, where);
    r.get(*t, "host", p.host, where);
    r.get(*t, "port", port, where);
    r.get(*t, "cert", cert, where);
    if (p.name.empty() || p.host.empty() || cert.empty())
      r.fail(where + "needs name, host, port and cert");
    if (port < 1 || port > 65535) r.fail(where + "'port' must be between 1 and 65535");
    if (c.index_of(p.name) >= 0) r.fail("party '" + p.name + "' is listed twice");
    for (const auto& q : c.parties) {
      if (q.host == p.host && q.port == port)
        r.fail("parties '" + q.name + "' and '" + p.name + "' share " + p.host + ":" +
               std::to_string(port));
    }
    p.port = static_cast<std::uint16_t>(port);
    p.cert = path.parent_path() / cert;
    try {
      p.cert_pem = read_file(p.cert, "a PEM certificate");
    } catch (const ConfigError& e) {
      r.fail(where + "'cert' names " + p.cert.string() + ", which cannot be read (" + e.what() +
             ")");
    }
    c.parties.push_back(std::move(p));
  }
  if (c.parties.size() < 2) r.fail("a consortium needs at least 2 parties");

  if (const toml::array* rec = root["receivers"].as_array()) {
    for (const auto& node : *rec) {
      auto name = node.value<std::string>();
      if (!name) r.fail("'receivers' must be a list of party names");
      if (c.index_of(*name) < 0) r.fail("receiver '" + *name + "' is not a [[party]]");
      c.receivers.push_back(*name);
    }
  } else if (root.contains("receivers")) {
    r.fail("'receivers' must be a list of party names");
  }
  if (c.receivers.empty())
    r.fail("'receivers' must name at least one party (who learns the model)");

  c.ot_named =
      root.contains("ot_extension") || root.contains("ot_k") || root.contains("ot_threads");
  c.ot.extension = ot::parse_extension(
      r.one_of(root, "ot_extension", ot::extension_name(c.ot.extension), {"softspoken", "iknp"}));
  std::int64_t ot_k = c.ot.k, ot_threads = c.ot.threads;
  r.get(root, "ot_k", ot_k);
  r.get(root, "ot_threads", ot_threads);
  if (ot_k < ot::kMinSoftSpokenK || ot_k > ot::kMaxSoftSpokenK)
    r.fail("'ot_k' must be between 2 and 8 (SoftSpokenOT's field size)");
  if (ot_threads != 1 && ot_threads != 2) r.fail("'ot_threads' must be 1 or 2");
  c.ot.k = static_cast<int>(ot_k);
  c.ot.threads = static_cast<int>(ot_threads);
  if (c.align == "psi" && c.parties.size() != 2) {
    r.fail("align = \"psi\" aligns 2 parties; with " + std::to_string(c.parties.size()) +
           " align each against the label holder with jointly-psi first (docs/psi.md) and use "
           "align = \"ids\"");
  }

  std::string seed_hex;
  r.get(root, "dealer_seed", seed_hex);
  if (!seed_hex.empty()) c.dealer_seed = parse_seed(r, seed_hex);
  // Every rule about which protocol, party count, source and truncation go together is the
  // spec's (protocols/spec.h); the file only fills it in.
  try {
    const ProtocolSpec spec = spec_of(c, root.contains("truncation"));
    spec.validate();
    c.triples = spec.resolved().triples;
  } catch (const SpecError& e) {
    r.fail(e.what());
  }
  return c;
}

}  // namespace jointly::parties
