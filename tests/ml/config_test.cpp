// parties/common/config: the consortium file. Every error names the file and the offending key
// (and the line for TOML syntax errors), and nothing falls back silently to a default.
#include "parties/common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "temp_dir.h"

namespace jointly::parties {
namespace {

using jointly::testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kSeed = "00112233445566778899aabbccddeeff";

// Three parties, every key set; tests edit this text to break one thing at a time.
std::string valid_text() {
  return std::string(R"(protocol = "additive"
triples = "dealer"
model = "logreg"
epochs = 7
batch = 16
learning_rate = 0.25
label = "diagnosis"
split = "rows"
truncation = "pair"
frac_bits = 18
shuffle_seed = 99
receivers = ["hospital-a", "hospital-c"]
timeout_s = 12
connect_timeout_s = 13
tls = true
dealer_seed = ")") +
         kSeed + R"("

[[party]]
name = "hospital-a"
host = "127.0.0.1"
port = 7101
cert = "keys/hospital-a.crt"

[[party]]
name = "hospital-b"
host = "127.0.0.1"
port = 7102
cert = "keys/hospital-b.crt"

[[party]]
name = "hospital-c"
host = "10.0.0.3"
port = 7101
cert = "keys/hospital-c.crt"
)";
}

// Replaces the first match of `pattern` (a regex) in `text`; fails the test if nothing matched.
std::string edit(const std::string& text, const std::string& pattern, const std::string& with) {
  const std::regex re(pattern);
  if (!std::regex_search(text, re)) ADD_FAILURE() << "pattern not found: " << pattern;
  return std::regex_replace(text, re, with, std::regex_constants::format_first_only);
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"hospital-a", "hospital-b", "hospital-c"})
      dir_.write(std::string("keys/") + name + ".crt", std::string("dummy cert of ") + name);
  }

  std::filesystem::path write(const std::string& text) const {
    return dir_.write("consortium.toml", text);
  }

  // Loads `text` and returns the ConfigError message; checks that it names the file.
  std::string error_of(const std::string& text) const {
    const auto path = write(text);
    try {
      load_consortium(path);
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path.string()));
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ConfigError: " << e.what();
      return "";
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return "";
  }

  TempDir dir_;
};

TEST_F(ConfigTest, ValidFileLoads) {
  const auto path = write(valid_text());
  const Consortium c = load_consortium(path);
  EXPECT_EQ(c.path, path);
  EXPECT_EQ(c.text, valid_text());
  EXPECT_EQ(c.protocol, "additive");
  EXPECT_EQ(c.triples, "dealer");
  EXPECT_EQ(c.model, "logreg");
  EXPECT_EQ(c.epochs, 7);
  EXPECT_EQ(c.batch, 16);
  EXPECT_DOUBLE_EQ(c.learning_rate, 0.25);
  EXPECT_EQ(c.label, "diagnosis");
  EXPECT_EQ(c.truncation, "pair");
  EXPECT_EQ(c.frac_bits, 18);
  EXPECT_EQ(c.shuffle_seed, 99u);
  EXPECT_EQ(c.timeout_s, 12);
  EXPECT_EQ(c.connect_timeout_s, 13);
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.receivers, (std::vector<std::string>{"hospital-a", "hospital-c"}));
  ASSERT_TRUE(c.dealer_seed.has_value());
  EXPECT_EQ((*c.dealer_seed)[0], 0x00);
  EXPECT_EQ((*c.dealer_seed)[1], 0x11);
  EXPECT_EQ((*c.dealer_seed)[15], 0xff);
  ASSERT_EQ(c.parties.size(), 3u);
  EXPECT_EQ(c.parties[1].name, "hospital-b");
  EXPECT_EQ(c.parties[1].host, "127.0.0.1");
  EXPECT_EQ(c.parties[1].port, 7102);
  EXPECT_EQ(c.parties[1].cert, dir_.path() / "keys/hospital-b.crt");
  EXPECT_EQ(c.parties[1].cert_pem, "dummy cert of hospital-b");
  EXPECT_EQ(c.index_of("hospital-c"), 2);
  EXPECT_EQ(c.index_of("hospital-z"), -1);
  EXPECT_TRUE(c.is_receiver("hospital-c"));
  EXPECT_FALSE(c.is_receiver("hospital-b"));
}

// parse_consortium is load_consortium without the read: text in memory, named by a path
// whose folder the certificates are resolved against (the fuzz target uses it).
TEST_F(ConfigTest, ParsesTextInMemoryResolvingCertsAgainstThePath) {
  const auto path = dir_.path() / "not-written.toml";
  const Consortium c = parse_consortium(valid_text(), path);
  EXPECT_EQ(c.path, path);
  EXPECT_EQ(c.text, valid_text());
  ASSERT_EQ(c.parties.size(), 3u);
  EXPECT_EQ(c.parties[1].cert_pem, "dummy cert of hospital-b");
  try {
    parse_consortium(edit(valid_text(), "epochs = 7", "epoch = 7"), path);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ": unknown key 'epoch'"));
  }
}

// The defaults are the values docs/config.md writes: every top-level key of its ```toml example
// (but `receivers`, which names example parties, and the commented-out `dealer_seed`), with the
// literal value written there, gives the same consortium as a two-party file that omits it.
// (`triples = "ot"` is the two-party default, as its comment there says.) The MLP's keys are
// written commented out with their defaults (`classes = 10` is an example: its default is
// found from the labels), and compared the same way with model = "mlp". The sets of keys are
// pinned too, so a key dropped from the doc fails here rather than going unchecked.
TEST_F(ConfigTest, DefaultsAreTheValuesDocsConfigMdWrites) {
  std::ifstream doc(JOINTLY_SOURCE_DIR "/docs/config.md");
  ASSERT_TRUE(doc) << "cannot read docs/config.md";
  const std::set<std::string> mlp_keys = {"hidden", "activation", "format", "report_loss"};
  const std::set<std::string> ot_keys = {"ot_extension", "ot_k", "ot_threads"};
  std::string documented, documented_mlp, documented_ot;
  std::set<std::string> keys, commented;
  bool in_block = false;
  for (std::string line; std::getline(doc, line);) {
    if (!in_block) {
      in_block = line == "```toml";
      continue;
    }
    if (line == "```" || line.rfind("[[party]]", 0) == 0) break;
    const bool is_comment = line.rfind("# ", 0) == 0;
    if (is_comment) line = line.substr(2);
    line = line.substr(0, line.find('#'));  // no documented value holds a '#'
    line = line.substr(0, line.find_last_not_of(' ') + 1);
    if (line.empty() || line.find(" = ") == std::string::npos) continue;
    const std::string key = line.substr(0, line.find(" = "));
    if (is_comment) {
      commented.insert(key);
      if (mlp_keys.count(key) != 0) documented_mlp += line + "\n";
      if (ot_keys.count(key) != 0) documented_ot += line + "\n";
    } else if (key != "receivers") {
      keys.insert(key);
      documented += line + "\n";
    }
  }
  EXPECT_EQ(keys,
            (std::set<std::string>{"protocol", "triples", "model", "epochs", "batch",
                                   "learning_rate", "label", "split", "truncation", "frac_bits",
                                   "shuffle_seed", "timeout_s", "connect_timeout_s", "tls"}))
      << documented;
  EXPECT_EQ(commented,
            (std::set<std::string>{"dealer_seed", "hidden", "activation", "classes", "format",
                                   "report_loss", "ot_extension", "ot_k", "ot_threads", "align"}));
  // valid_text()'s first two parties, and one receiver: what no default can supply.
  std::string parties = valid_text();
  parties = parties.substr(parties.find("\n[[party]]"));
  parties = "receivers = [\"hospital-a\"]\n" +
            parties.substr(0, parties.find("\n[[party]]\nname = \"hospital-c\""));
  const Consortium omitted = load_consortium(write(parties));
  const Consortium written = load_consortium(write(documented + parties));
  EXPECT_EQ(omitted.protocol, written.protocol);
  EXPECT_EQ(omitted.triples, written.triples);
  EXPECT_EQ(omitted.model, written.model);
  EXPECT_EQ(omitted.epochs, written.epochs);
  EXPECT_EQ(omitted.batch, written.batch);
  EXPECT_EQ(omitted.learning_rate, written.learning_rate);
  EXPECT_EQ(omitted.label, written.label);
  EXPECT_EQ(omitted.split, written.split);
  EXPECT_EQ(omitted.truncation, written.truncation);
  EXPECT_EQ(omitted.frac_bits, written.frac_bits);
  EXPECT_EQ(omitted.shuffle_seed, written.shuffle_seed);
  EXPECT_EQ(omitted.timeout_s, written.timeout_s);
  EXPECT_EQ(omitted.connect_timeout_s, written.connect_timeout_s);
  EXPECT_EQ(omitted.tls, written.tls);

  const std::string mlp = "model = \"mlp\"\n";
  const Consortium mlp_omitted = load_consortium(write(mlp + parties));
  const Consortium mlp_written = load_consortium(write(mlp + documented_mlp + parties));
  EXPECT_EQ(mlp_omitted.hidden, mlp_written.hidden);
  EXPECT_EQ(mlp_omitted.activation, mlp_written.activation);
  EXPECT_EQ(mlp_omitted.format, mlp_written.format);
  EXPECT_EQ(mlp_omitted.report_loss, mlp_written.report_loss);

  // The OT extension's keys (triples = "ot", the two-party default).
  const Consortium ot_written = load_consortium(write(documented_ot + parties));
  EXPECT_EQ(omitted.ot.extension, ot_written.ot.extension);
  EXPECT_EQ(omitted.ot.k, ot_written.ot.k);
  EXPECT_EQ(omitted.ot.threads, ot_written.ot.threads);
  EXPECT_TRUE(ot_written.ot_named);
  EXPECT_FALSE(omitted.ot_named);
}

// ot_extension, ot_k and ot_threads reach the spec, are range-checked and apply to OT only.
TEST_F(ConfigTest, OtExtensionKeysParseAndAreRefusedWhereTheyDoNotApply) {
  std::string two = edit(valid_text(), "triples = \"dealer\"\n", "triples = \"ot\"\n");
  two = edit(two, "dealer_seed = [^\n]*\n", "");
  two = edit(two, "receivers = [^\n]*", R"(receivers = ["hospital-a"])");
  two = two.substr(0, two.find("\n[[party]]\nname = \"hospital-c\""));
  const std::string with = "triples = \"ot\"\not_extension = \"iknp\"\not_k = 8\not_threads = 2\n";
  const Consortium c = load_consortium(write(edit(two, "triples = \"ot\"\n", with)));
  EXPECT_EQ(c.ot.extension, ot::Extension::kIknp);
  EXPECT_EQ(c.ot.k, 8);
  EXPECT_EQ(c.ot.threads, 2);
  EXPECT_EQ(spec_of(c).ot.threads, 2);
  auto with_key = [&](const std::string& line) {
    return error_of(edit(two, "triples = \"ot\"\n", "triples = \"ot\"\n" + line + "\n"));
  };
  EXPECT_THAT(with_key("ot_k = 9"),
              HasSubstr("'ot_k' must be between 2 and 8 (SoftSpokenOT's field size)"));
  EXPECT_THAT(with_key("ot_k = 1"), HasSubstr("'ot_k' must be between 2 and 8"));
  EXPECT_THAT(with_key("ot_threads = 4"), HasSubstr("'ot_threads' must be 1 or 2"));
  EXPECT_THAT(with_key("ot_extension = \"ferret\""),
              HasSubstr("'ot_extension' is \"ferret\"; expected one of: iknp, softspoken"));
  EXPECT_THAT(
      error_of(edit(valid_text(), "triples = \"dealer\"\n", "triples = \"dealer\"\not_k = 2\n")),
      HasSubstr("'ot_extension', 'ot_k' and 'ot_threads' are only used with triples = "
                "\"ot\""));
}

// Without a 'triples' key the source is dealer-free: OT for two parties; additive with three
// parties has none, and the refusal points to replicated or shamir, not to the dealer.
TEST_F(ConfigTest, TriplesDefaultIsNeverTheDealer) {
  std::string three = edit(valid_text(), "triples = \"dealer\"\n", "");
  three = edit(three, "dealer_seed = [^\n]*\n", "");
  std::string two = edit(three, "receivers = [^\n]*", R"(receivers = ["hospital-a"])");
  two = two.substr(0, two.find("\n[[party]]\nname = \"hospital-c\""));
  const Consortium c = load_consortium(write(two));
  EXPECT_EQ(c.triples, "ot");
  EXPECT_FALSE(c.dealer_seed.has_value());
  EXPECT_EQ(spec_of(c).resolved().triples, "ot");

  const std::string msg = error_of(three);
  EXPECT_THAT(msg, HasSubstr("no dealer-free source"));
  EXPECT_THAT(msg, HasSubstr("protocol = \"replicated\""));
  EXPECT_THAT(msg, HasSubstr("\"shamir\""));
  // A dealer seed without the dealer named does not turn the dealer on.
  EXPECT_THAT(error_of(edit(two, "tls = true\n",
                            std::string("tls = true\ndealer_seed = \"") + kSeed + "\"\n")),
              HasSubstr("'dealer_seed'"));
  // Named, the dealer still runs (simulation only).
  EXPECT_EQ(load_consortium(write(valid_text())).triples, "dealer");
}

// Bounded reads: a certificate path that is a device or a huge file fails at once, naming it.
TEST_F(ConfigTest, CertificateThatIsDevZeroOrHugeIsRefusedAtOnce) {
  const std::string dev =
      error_of(edit(valid_text(), "cert = \"keys/hospital-b.crt\"", "cert = \"/dev/zero\""));
  EXPECT_THAT(dev, HasSubstr("/dev/zero"));
  EXPECT_THAT(dev, HasSubstr("not a regular file"));
  dir_.write("keys/hospital-b.crt", std::string((1 << 20) + 1, 'x'));
  const std::string huge = error_of(valid_text());
  EXPECT_THAT(huge, HasSubstr("hospital-b.crt"));
  EXPECT_THAT(huge,
              HasSubstr("the file is larger than 1 MiB, the most a PEM certificate may hold"));
}

TEST_F(ConfigTest, UnknownKeyNamesTheKey) {
  EXPECT_THAT(error_of(edit(valid_text(), "epochs = 7", "epoch = 7")), HasSubstr("'epoch'"));
  EXPECT_THAT(error_of(edit(valid_text(), "port = 7102", "port = 7102\nprot = 1")),
              HasSubstr("'prot'"));
}

TEST_F(ConfigTest, WrongTypeNamesTheKey) {
  EXPECT_THAT(error_of(edit(valid_text(), "epochs = 7", R"(epochs = "seven")")),
              HasSubstr("'epochs'"));
  EXPECT_THAT(error_of(edit(valid_text(), "learning_rate = 0.25", R"(learning_rate = "fast")")),
              HasSubstr("'learning_rate'"));
  EXPECT_THAT(error_of(edit(valid_text(), "protocol = \"additive\"", "protocol = 5")),
              HasSubstr("'protocol'"));
  EXPECT_THAT(error_of(edit(valid_text(), "port = 7102", R"(port = "7102")")), HasSubstr("'port'"));
  EXPECT_THAT(error_of(edit(valid_text(), "receivers = [^\n]*", R"(receivers = "hospital-a")")),
              HasSubstr("'receivers'"));
}

// toml++'s value<T>() converts between booleans and integers; the config must not, or
// `tls = 0` silently means "false" and `epochs = true` means 1.
TEST_F(ConfigTest, BooleansAndIntegersDoNotConvert) {
  EXPECT_THAT(error_of(edit(valid_text(), "tls = true", "tls = 1")), HasSubstr("'tls'"));
  EXPECT_THAT(error_of(edit(valid_text(), "tls = true", "tls = 0")), HasSubstr("'tls'"));
  EXPECT_THAT(error_of(edit(valid_text(), "epochs = 7", "epochs = true")), HasSubstr("'epochs'"));
  EXPECT_THAT(error_of(edit(valid_text(), "port = 7102", "port = true")), HasSubstr("'port'"));
}

TEST_F(ConfigTest, IntegerLearningRateIsAccepted) {
  const auto path = write(edit(valid_text(), "learning_rate = 0.25", "learning_rate = 1"));
  EXPECT_DOUBLE_EQ(load_consortium(path).learning_rate, 1.0);
}

TEST_F(ConfigTest, OutOfRangeValuesNameTheKey) {
  EXPECT_THAT(error_of(edit(valid_text(), "epochs = 7", "epochs = 0")), HasSubstr("'epochs'"));
  EXPECT_THAT(error_of(edit(valid_text(), "batch = 16", "batch = -1")), HasSubstr("'batch'"));
  EXPECT_THAT(error_of(edit(valid_text(), "frac_bits = 18", "frac_bits = 40")),
              HasSubstr("'frac_bits'"));
  EXPECT_THAT(error_of(edit(valid_text(), "learning_rate = 0.25", "learning_rate = -0.1")),
              HasSubstr("'learning_rate'"));
  EXPECT_THAT(error_of(edit(valid_text(), "timeout_s = 12", "timeout_s = 0")),
              HasSubstr("'timeout_s'"));
  EXPECT_THAT(error_of(edit(valid_text(), "protocol = \"additive\"", "protocol = \"spdz\"")),
              HasSubstr("'protocol'"));
}

TEST_F(ConfigTest, SplitIsRowsOrColumns) {
  EXPECT_EQ(load_consortium(write(valid_text())).split, "rows");
  EXPECT_EQ(load_consortium(write(edit(valid_text(), "\nsplit = [^\n]*", ""))).split, "rows");
  EXPECT_EQ(
      load_consortium(write(edit(valid_text(), "split = \"rows\"", "split = \"columns\""))).split,
      "columns");
  const std::string msg = error_of(edit(valid_text(), "split = \"rows\"", "split = \"diagonal\""));
  EXPECT_THAT(msg, HasSubstr("'split'"));
  EXPECT_THAT(msg, HasSubstr("diagonal"));
  EXPECT_THAT(error_of(edit(valid_text(), "split = \"rows\"", "split = 2")), HasSubstr("'split'"));
}

TEST_F(ConfigTest, AlignIsIdsOrPsiForAColumnsSplitOfTwo) {
  const std::string columns = edit(valid_text(), "split = \"rows\"", "split = \"columns\"");
  EXPECT_EQ(load_consortium(write(columns)).align, "ids");
  EXPECT_EQ(load_consortium(write(edit(columns, "split = ", "align = \"ids\"\nsplit = "))).align,
            "ids");
  EXPECT_THAT(error_of(edit(valid_text(), "split = ", "align = \"ids\"\nsplit = ")),
              HasSubstr("'align' applies to split = \"columns\" only"));
  EXPECT_THAT(error_of(edit(columns, "split = ", "align = \"psi\"\nsplit = ")),
              HasSubstr("align = \"psi\" aligns 2 parties; with 3"));
  EXPECT_THAT(error_of(edit(columns, "split = ", "align = \"sorted\"\nsplit = ")),
              HasSubstr("'align'"));
}

TEST_F(ConfigTest, DuplicatePartyIsRefused) {
  const std::string msg =
      error_of(edit(valid_text(), "name = \"hospital-c\"", "name = \"hospital-a\""));
  EXPECT_THAT(msg, HasSubstr("'hospital-a'"));
  EXPECT_THAT(msg, HasSubstr("twice"));
}

TEST_F(ConfigTest, ReceiverMustBeAParty) {
  const std::string msg =
      error_of(edit(valid_text(), "receivers = [^\n]*", R"(receivers = ["hospital-z"])"));
  EXPECT_THAT(msg, HasSubstr("receiver"));
  EXPECT_THAT(msg, HasSubstr("'hospital-z'"));
  EXPECT_THAT(error_of(edit(valid_text(), "receivers = [^\n]*", "receivers = []")),
              HasSubstr("'receivers'"));
  EXPECT_THAT(error_of(edit(valid_text(), "receivers = [^\n]*\n", "")), HasSubstr("'receivers'"));
}

TEST_F(ConfigTest, DealerNeedsItsSeed) {
  EXPECT_THAT(error_of(edit(valid_text(), "dealer_seed = [^\n]*\n", "")),
              HasSubstr("'dealer_seed'"));
  EXPECT_THAT(error_of(edit(valid_text(), "dealer_seed = [^\n]*", R"(dealer_seed = "0011")")),
              HasSubstr("'dealer_seed'"));
  EXPECT_THAT(error_of(edit(valid_text(), "dealer_seed = [^\n]*",
                            R"(dealer_seed = "zz112233445566778899aabbccddeeff")")),
              HasSubstr("'dealer_seed'"));
}

// Each byte of the seed is two hex digits; sscanf("%2x") alone stops at the first non-hex
// character, so "0g" would silently become 0x00 unless every digit is checked.
TEST_F(ConfigTest, DealerSeedWithNonHexDigitInsideAByteIsRefused) {
  EXPECT_THAT(error_of(edit(valid_text(), "dealer_seed = [^\n]*",
                            R"(dealer_seed = "0g112233445566778899aabbccddeeff")")),
              HasSubstr("'dealer_seed'"));
  EXPECT_THAT(error_of(edit(valid_text(), "dealer_seed = [^\n]*",
                            R"(dealer_seed = "-1112233445566778899aabbccddeeff")")),
              HasSubstr("'dealer_seed'"));
}

TEST_F(ConfigTest, BadPortNamesTheKeyAndTheParty) {
  for (const char* port : {"0", "70000", "-5"}) {
    const std::string msg =
        error_of(edit(valid_text(), "port = 7102", std::string("port = ") + port));
    EXPECT_THAT(msg, HasSubstr("'port'")) << port;
    EXPECT_THAT(msg, HasSubstr("#2")) << port;
  }
}

TEST_F(ConfigTest, SharedHostAndPortIsRefused) {
  const std::string msg = error_of(edit(valid_text(), "port = 7102", "port = 7101"));
  EXPECT_THAT(msg, HasSubstr("'hospital-a'"));
  EXPECT_THAT(msg, HasSubstr("'hospital-b'"));
  EXPECT_THAT(msg, HasSubstr("127.0.0.1:7101"));
}

TEST_F(ConfigTest, LocalTruncationNeedsTwoParties) {
  EXPECT_THAT(error_of(edit(valid_text(), "truncation = \"pair\"", "truncation = \"local\"")),
              HasSubstr("truncation"));
  // Fine with two parties.
  std::string two = edit(valid_text(), "truncation = \"pair\"", "truncation = \"local\"");
  two = edit(two, "receivers = [^\n]*", R"(receivers = ["hospital-a"])");
  two = two.substr(0, two.find("\n[[party]]\nname = \"hospital-c\""));
  EXPECT_EQ(load_consortium(write(two)).truncation, "local");
}

// Shamir's text: the valid file with protocol = "shamir" and neither the dealer's keys nor
// additive's truncation.
std::string shamir_text() {
  std::string text = edit(valid_text(), "protocol = \"additive\"\ntriples = \"dealer\"\n",
                          "protocol = \"shamir\"\n");
  text = edit(text, "truncation = [^\n]*\n", "");
  return edit(text, "dealer_seed = [^\n]*\n", "");
}

TEST_F(ConfigTest, ShamirMakesItsOwnRandomness) {
  const Consortium c = load_consortium(write(shamir_text()));
  EXPECT_EQ(c.protocol, "shamir");
  EXPECT_EQ(c.triples, "dn07");
  EXPECT_FALSE(c.dealer_seed.has_value());
  EXPECT_EQ(load_consortium(write(edit(shamir_text(), "protocol = \"shamir\"\n",
                                       "protocol = \"shamir\"\ntriples = \"dn07\"\n")))
                .triples,
            "dn07");
}

TEST_F(ConfigTest, ShamirRefusesOtherSourcesTwoPartiesAndTruncation) {
  EXPECT_THAT(error_of(edit(shamir_text(), "protocol = \"shamir\"\n",
                            "protocol = \"shamir\"\ntriples = \"dealer\"\n")),
              HasSubstr("'triples'"));
  EXPECT_THAT(error_of(edit(shamir_text(), "protocol = \"shamir\"\n",
                            "protocol = \"shamir\"\ntruncation = \"pair\"\n")),
              HasSubstr("'truncation'"));
  EXPECT_THAT(error_of(edit(shamir_text(), "tls = true\n",
                            std::string("tls = true\ndealer_seed = \"") + kSeed + "\"\n")),
              HasSubstr("'dealer_seed'"));
  std::string two = edit(shamir_text(), "receivers = [^\n]*", R"(receivers = ["hospital-a"])");
  two = two.substr(0, two.find("\n[[party]]\nname = \"hospital-c\""));
  EXPECT_THAT(error_of(two), HasSubstr("at least 3 parties"));
  // And dn07 is Shamir's only.
  EXPECT_THAT(error_of(edit(valid_text(), "triples = \"dealer\"", "triples = \"dn07\"")),
              HasSubstr("shamir"));
}

TEST_F(ConfigTest, NeedsTwoParties) {
  std::string one = edit(valid_text(), "receivers = [^\n]*", R"(receivers = ["hospital-a"])");
  one = one.substr(0, one.find("\n[[party]]\nname = \"hospital-b\""));
  EXPECT_THAT(error_of(one), HasSubstr("2 parties"));
}

TEST_F(ConfigTest, MissingPartyFieldNamesTheParty) {
  const std::string msg = error_of(edit(valid_text(), "host = \"10.0.0.3\"\n", ""));
  EXPECT_THAT(msg, HasSubstr("#3"));
  EXPECT_THAT(msg, HasSubstr("host"));
}

TEST_F(ConfigTest, TomlSyntaxErrorNamesTheLine) {
  // Line 4 of the file loses its closing quote.
  const std::string msg = error_of(edit(valid_text(), "epochs = 7", "epochs = \"7"));
  EXPECT_THAT(msg, HasSubstr("line 4"));
  const std::string dup = error_of(edit(valid_text(), "batch = 16", "batch = 16\nbatch = 17"));
  EXPECT_THAT(dup, HasSubstr("line 6"));
}

TEST_F(ConfigTest, MissingConfigFileIsAConfigError) {
  const auto path = dir_.path() / "nope.toml";
  try {
    load_consortium(path);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
  }
}

// A missing certificate must be reported like every other config error: naming the config
// file and the key (the [[party]] entry and 'cert'), not only the certificate's path.
TEST_F(ConfigTest, MissingCertificateNamesConfigFileAndKey) {
  std::filesystem::remove(dir_.path() / "keys/hospital-b.crt");
  const std::string msg = error_of(valid_text());
  EXPECT_THAT(msg, HasSubstr("keys/hospital-b.crt"));
  EXPECT_THAT(msg, HasSubstr("cert"));
  EXPECT_THAT(msg, HasSubstr("#2"));
}

// model = "mlp" and its keys (docs/config.md): hidden widths, activation, classes, the IDX
// format, report_loss; each refused where it does not apply, naming the key.
TEST_F(ConfigTest, MlpKeysParseAndDefault) {
  const std::string mlp = edit(valid_text(), "model = \"logreg\"",
                               "model = \"mlp\"\nhidden = [64, 32]\nclasses = 10\n"
                               "format = \"idx\"\nreport_loss = true\nactivation = \"relu\"");
  const Consortium c = load_consortium(write(mlp));
  EXPECT_EQ(c.model, "mlp");
  EXPECT_EQ(c.hidden, (std::vector<int>{64, 32}));
  EXPECT_EQ(c.classes, 10);
  EXPECT_EQ(c.format, "idx");
  EXPECT_TRUE(c.report_loss);
  // Defaults (docs/config.md): SecureML's network A's hidden layers, classes from the labels.
  const Consortium d =
      load_consortium(write(edit(valid_text(), "model = \"logreg\"", "model = \"mlp\"")));
  EXPECT_EQ(d.hidden, (std::vector<int>{128, 128}));
  EXPECT_EQ(d.classes, 0);
  EXPECT_EQ(d.format, "csv");
  EXPECT_FALSE(d.report_loss);
  // An empty list is softmax regression.
  EXPECT_TRUE(
      load_consortium(write(edit(mlp, "hidden = \\[64, 32\\]", "hidden = []"))).hidden.empty());
}

TEST_F(ConfigTest, MlpKeysAreRefusedWhereTheyDoNotApply) {
  for (const char* key : {"hidden = [8]", "classes = 3", "report_loss = true"}) {
    const std::string name = std::string(key).substr(0, std::string(key).find(' '));
    EXPECT_THAT(error_of(edit(valid_text(), "model = \"logreg\"",
                              std::string("model = \"logreg\"\n") + key)),
                HasSubstr("'" + name + "' applies to model = \"mlp\" only"));
  }
  EXPECT_THAT(
      error_of(edit(valid_text(), "model = \"logreg\"", "model = \"logreg\"\nformat = \"idx\"")),
      HasSubstr("format = \"idx\" needs model = \"mlp\""));
  const std::string mlp = edit(valid_text(), "model = \"logreg\"", "model = \"mlp\"");
  EXPECT_THAT(error_of(edit(mlp, "split = \"rows\"", "split = \"columns\"\nformat = \"idx\"")),
              HasSubstr("format = \"idx\" holds whole images: it needs split = \"rows\""));
  EXPECT_THAT(error_of(edit(mlp, "model = \"mlp\"", "model = \"mlp\"\nclasses = 1")),
              HasSubstr("'classes' must be between 2 and 1000"));
  EXPECT_THAT(error_of(edit(mlp, "model = \"mlp\"", "model = \"mlp\"\nhidden = [0]")),
              HasSubstr("'hidden' must list layer widths between 1 and 4096"));
  EXPECT_THAT(error_of(edit(mlp, "model = \"mlp\"", "model = \"mlp\"\nhidden = 128")),
              HasSubstr("'hidden' must be a list of layer widths"));
  EXPECT_THAT(error_of(edit(mlp, "model = \"mlp\"", "model = \"mlp\"\nactivation = \"tanh\"")),
              HasSubstr("'activation' is \"tanh\"; expected one of: relu"));
  EXPECT_THAT(error_of(edit(valid_text(), "model = \"logreg\"", "model = \"svm\"")),
              HasSubstr("'model' is \"svm\"; expected one of: logreg, mlp"));
}

}  // namespace
}  // namespace jointly::parties

namespace jointly::parties {
namespace {

// [dp] (docs/dp.md): clip and delta required, epsilon and/or noise, and every
// error names the key.
TEST_F(ConfigTest, DpTableParsesAndRefusesBadValues) {
  const Consortium c =
      load_consortium(write(valid_text() + "\n[dp]\nepsilon = 1\ndelta = 1e-5\nclip = 0.5\n"));
  ASSERT_TRUE(c.dp.has_value());
  EXPECT_EQ(*c.dp->epsilon, 1.0);
  EXPECT_FALSE(c.dp->noise.has_value());
  EXPECT_EQ(c.dp->delta, 1e-5);
  EXPECT_EQ(c.dp->clip, 0.5);
  EXPECT_FALSE(load_consortium(write(valid_text())).dp.has_value());
  const std::string dp = "\n[dp]\n";
  EXPECT_THAT(error_of(valid_text() + dp + "epsilon = 1\nclip = 1\n"), HasSubstr("'delta'"));
  EXPECT_THAT(error_of(valid_text() + dp + "epsilon = 1\ndelta = 1e-5\n"), HasSubstr("'clip'"));
  EXPECT_THAT(error_of(valid_text() + dp + "delta = 1e-5\nclip = 1\n"), HasSubstr("'epsilon'"));
  EXPECT_THAT(error_of(valid_text() + dp + "epsilon = -1\ndelta = 1e-5\nclip = 1\n"),
              HasSubstr("'epsilon' must be"));
  EXPECT_THAT(error_of(valid_text() + dp + "noise = 0\ndelta = 1e-5\nclip = 1\n"),
              HasSubstr("'noise' must be"));
  EXPECT_THAT(error_of(valid_text() + dp + "noise = 1\ndelta = 1\nclip = 1\n"),
              HasSubstr("'delta' must be"));
  EXPECT_THAT(error_of(valid_text() + dp + "noise = 1\ndelta = 1e-5\nclip = 1\nsigma = 2\n"),
              HasSubstr("'sigma'"));
  EXPECT_THAT(error_of(valid_text() + dp + "noise = \"big\"\ndelta = 1e-5\nclip = 1\n"),
              HasSubstr("'noise' has the wrong type"));
}

}  // namespace
}  // namespace jointly::parties

namespace jointly::parties {
namespace {

// DP for the MLP: its clip range, no report_loss (opened without noise), and never local
// truncation (for either model).
TEST_F(ConfigTest, DpRefusesWhatWouldVoidTheGuarantee) {
  const std::string dp = "\n[dp]\nepsilon = 1\ndelta = 1e-5\n";
  const std::string mlp = edit(valid_text(), "model = \"logreg\"", "model = \"mlp\"");
  EXPECT_EQ(load_consortium(write(mlp + dp + "clip = 2\n")).dp->clip, 2.0);
  EXPECT_THAT(error_of(mlp + dp + "clip = 0.1\n"), HasSubstr("'clip' for model = \"mlp\""));
  EXPECT_THAT(error_of(mlp + dp + "clip = 100\n"), HasSubstr("'clip' for model = \"mlp\""));
  EXPECT_THAT(error_of(edit(mlp, "model = \"mlp\"", "model = \"mlp\"\nreport_loss = true") + dp +
                       "clip = 1\n"),
              HasSubstr("report_loss"));
  EXPECT_EQ(load_consortium(write(valid_text() + dp + "clip = 100\n")).dp->clip, 100.0);
  const std::string two_local =
      edit(valid_text(), "truncation = \"pair\"", "truncation = \"local\"");
  EXPECT_THAT(error_of(two_local + dp + "clip = 1\n"), HasSubstr("truncation = \"pair\""));
}

TEST_F(ConfigTest, DpTotalEpsilonIsTheLedgersBudget) {
  const std::string dp = "\n[dp]\nepsilon = 1\ndelta = 1e-5\nclip = 1\n";
  EXPECT_EQ(*load_consortium(write(valid_text() + dp + "total_epsilon = 3\n")).dp->total_epsilon,
            3.0);
  EXPECT_THAT(error_of(valid_text() + dp + "total_epsilon = 0.5\n"),
              HasSubstr("'epsilon' is above 'total_epsilon'"));
  EXPECT_THAT(error_of(valid_text() + dp + "total_epsilon = -1\n"),
              HasSubstr("'total_epsilon' must be"));
}

}  // namespace
}  // namespace jointly::parties
