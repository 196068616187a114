#include "parties/common/audit.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace jointly::parties {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("jointly-audit-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log");
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }

  void write_three() {
    AuditLog log(path_, "hospital-a");
    log.record("row count of every party", "all", 3);
    log.record("column sums", "all", 60);
    log.record("model weights", "hospital-b", 31);
  }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  void rewrite(const std::vector<std::string>& ls) const {
    std::ofstream out(path_, std::ios::trunc);
    for (const auto& l : ls) out << l << "\n";
  }

  fs::path path_;
};

TEST_F(AuditTest, IntactChainVerifiesAndAppendingContinuesIt) {
  write_three();
  AuditCheck check = verify_audit_log(path_);
  EXPECT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.lines, 3u);
  {
    AuditLog again(path_, "hospital-a");  // a second run appends to the same chain
    EXPECT_EQ(again.last_hash(), check.last_hash);
    again.record("model weights", "hospital-a", 31);
  }
  check = verify_audit_log(path_);
  EXPECT_TRUE(check.ok) << check.error;
  EXPECT_EQ(check.lines, 4u);
}

TEST_F(AuditTest, AnEditedLineIsDetected) {
  write_three();
  auto ls = lines();
  const auto at = ls[1].find("\"elements\":60");
  ASSERT_NE(at, std::string::npos);
  ls[1].replace(at, 13, "\"elements\":61");
  rewrite(ls);
  const AuditCheck check = verify_audit_log(path_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("line 2"), std::string::npos) << check.error;
  EXPECT_THROW(AuditLog(path_, "hospital-a"), std::runtime_error);  // never extends a broken chain
}

TEST_F(AuditTest, RemovedAndReorderedLinesAreDetected) {
  write_three();
  auto ls = lines();
  rewrite({ls[0], ls[2]});
  AuditCheck check = verify_audit_log(path_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("line 2"), std::string::npos) << check.error;
  rewrite({ls[1], ls[0], ls[2]});
  check = verify_audit_log(path_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("line 1"), std::string::npos) << check.error;
}

TEST_F(AuditTest, GarbageIsReportedNotCrashedOn) {
  rewrite({"not json at all"});
  const AuditCheck check = verify_audit_log(path_);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.error.find("line 1"), std::string::npos);
  EXPECT_FALSE(verify_audit_log(path_.string() + ".missing").ok);
}

// --audit /dev/zero (it exists, so a run would verify it before appending) must not read
// without end: refused at once, by --verify-audit and by a run alike.
TEST_F(AuditTest, ADeviceIsRefusedNotReadForever) {
  const AuditCheck check = verify_audit_log("/dev/zero");
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.error, "is not a regular file (an audit log is expected)");
  try {
    AuditLog log("/dev/zero", "hospital-a");
    FAIL() << "/dev/zero accepted as an audit log";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/zero: is not a regular file (an audit log is expected)");
  }
}

}  // namespace
}  // namespace jointly::parties
