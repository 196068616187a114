#include "net/tcp/certs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace jointly::net {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("jointly-certs-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(Certs, GeneratesMatchingPemKeyAndCertificate) {
  const KeyPair id = generate_identity("hospital-a");
  EXPECT_NE(id.key_pem.view().find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(id.cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NO_THROW(check_key_matches(id.key_pem, id.cert_pem, "hospital-a"));
}

TEST(Certs, DetectsAKeyFromAnotherIdentity) {
  const KeyPair a = generate_identity("hospital-a");
  const KeyPair b = generate_identity("hospital-a");
  try {
    check_key_matches(b.key_pem, a.cert_pem, "hospital-a");
    FAIL() << "a foreign key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not belong"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_key_matches(SecretString("junk"), a.cert_pem, "x"), std::runtime_error);
}

TEST(Certs, WritesKeyPrivateAndNeverOverwritesIt) {
  TempDir dir;
  const KeyPair id = generate_identity("bank-b", 1);
  write_identity(dir.path(), "bank-b", id);
  struct stat key_info {};
  ASSERT_EQ(::stat((dir.path() / "bank-b.key").c_str(), &key_info), 0);
  EXPECT_EQ(key_info.st_mode & 0777, 0600u);
  EXPECT_EQ(read_key_file(dir.path() / "bank-b.key").view(), id.key_pem.view());
  std::ifstream cert(dir.path() / "bank-b.crt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(cert), {}), id.cert_pem);

  EXPECT_THROW(write_identity(dir.path(), "bank-b", generate_identity("bank-b")),
               std::runtime_error);
  EXPECT_EQ(read_key_file(dir.path() / "bank-b.key").view(), id.key_pem.view());
}

TEST(Certs, RefusesAKeyFileOthersCanRead) {
  TempDir dir;
  write_identity(dir.path(), "bank-c", generate_identity("bank-c"));
  fs::permissions(dir.path() / "bank-c.key", fs::perms::group_read, fs::perm_options::add);
  try {
    read_key_file(dir.path() / "bank-c.key");
    FAIL() << "a group-readable key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
}

// A key path that is a device, a FIFO or a huge file fails at once, naming the file and what
// it is, never blaming its permissions (/dev/zero is 0666) and never hanging or filling memory.
TEST(Certs, KeyFileThatIsADeviceFifoOrHugeIsNamedAtOnce) {
  const auto refusal = [](const fs::path& path) -> std::string {
    try {
      read_key_file(path);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << path << " was read as a key";
    return "";
  };
  EXPECT_EQ(refusal("/dev/zero"),
            "cannot read key file /dev/zero: is not a regular file (a PEM private key file is "
            "expected)");
  TempDir dir;
  fs::create_directories(dir.path());
  const fs::path fifo = dir.path() / "fifo.key";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(refusal(fifo), "cannot read key file " + fifo.string() +
                               ": is not a regular file (a PEM private key file is expected)");
  const fs::path huge = dir.path() / "huge.key";
  std::ofstream(huge) << std::string(64 * 1024 + 1, 'k');
  fs::permissions(huge, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(refusal(huge), "cannot read key file " + huge.string() +
                               ": the file is larger than 64 KiB, the most a PEM private key "
                               "file may hold");
}

// jointly-party turns these into exit code 1: each names the key file.
TEST(Certs, MissingOrUnparsableKeyFileIsNamed) {
  TempDir dir;
  const fs::path missing = dir.path() / "absent.key";
  try {
    read_key_file(missing);
    FAIL() << "a missing key file was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read key file " + missing.string()),
              std::string::npos)
        << e.what();
  }
  const KeyPair a = generate_identity("hospital-a");
  try {
    check_key_matches(SecretString("not a PEM key"), a.cert_pem, "keys/hospital-a.key");
    FAIL() << "junk was accepted as a key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("keys/hospital-a.key"), std::string::npos) << e.what();
  }
}

TEST(Certs, SecretStringCopiesAndMovesKeepTheValue) {
  SecretString a(std::string(100, 'k'));
  SecretString b = a;
  SecretString c = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped
  EXPECT_EQ(b.view(), c.view());
  b = SecretString("short");
  EXPECT_EQ(b.view(), "short");
}

}  // namespace
}  // namespace jointly::net
