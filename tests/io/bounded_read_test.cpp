// Reading user-named files within limits (io/bounded_read.h): devices, FIFOs nobody writes to
// and oversized files fail at once naming the file; regular files and pipes are read whole.
#include "io/bounded_read.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

namespace jointly::io {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class BoundedReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "jointly-io-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  fs::path fifo(const std::string& name) const {
    const fs::path path = dir_ / name;
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    return path;
  }
  // The message read_bounded refuses `path` with; fails the test if it reads it.
  static std::string refusal(const fs::path& path, const ReadLimit& limit) {
    try {
      read_bounded(path, limit);
    } catch (const FileError& e) {
      EXPECT_EQ(std::string(e.what()), path.string() + ": " + e.reason());
      return e.reason();
    }
    ADD_FAILURE() << path << " was read";
    return "";
  }

  fs::path dir_;
};

const ReadLimit kSmall{.max_bytes = 16, .what = "a test file"};
// Long enough for a writer thread on a loaded machine; the test without a writer shortens it.
const ReadLimit kSmallOrPipe{
    .max_bytes = 16, .what = "a test file", .allow_pipe = true, .pipe_idle = milliseconds(10000)};

TEST_F(BoundedReadTest, ReadsARegularFileWholeUpToTheLimit) {
  const fs::path file = write("f", "sixteen bytes!!\n");
  unsigned mode = 0;
  EXPECT_EQ(read_bounded(file, kSmall, &mode), "sixteen bytes!!\n");
  ::chmod(file.c_str(), 0640);
  read_bounded(file, kSmall, &mode);
  EXPECT_EQ(mode, 0640u);
  EXPECT_EQ(read_bounded(write("empty", ""), kSmall), "");
}

TEST_F(BoundedReadTest, RefusesALargerFileBeforeReadingIt) {
  EXPECT_EQ(refusal(write("f", std::string(17, 'x')), kSmall),
            "the file is larger than 16 bytes, the most a test file may hold");
  EXPECT_EQ(refusal(write("g", std::string((1 << 20) + 1, 'x')),
                    {.max_bytes = 1 << 20, .what = "a certificate"}),
            "the file is larger than 1 MiB, the most a certificate may hold");
  EXPECT_EQ(refusal(write("h", std::string(1025, 'x')), {.max_bytes = 1024, .what = "a key"}),
            "the file is larger than 1 KiB, the most a key may hold");
}

TEST_F(BoundedReadTest, RefusesMissingFilesDirectoriesAndDevices) {
  EXPECT_EQ(refusal(dir_ / "absent", kSmall), "cannot open the file (No such file or directory)");
  EXPECT_EQ(refusal(dir_, kSmall), "is not a regular file (a test file is expected)");
  EXPECT_EQ(refusal("/dev/zero", kSmall), "is not a regular file (a test file is expected)");
  EXPECT_EQ(refusal("/dev/zero", kSmallOrPipe),
            "is not a regular file (a test file or a pipe is expected)");
}

// A FIFO nobody writes to: refused at once where pipes are not allowed, after pipe_idle where
// they are; never a hang in open().
TEST_F(BoundedReadTest, AFifoWithoutAWriterDoesNotHang) {
  const fs::path path = fifo("fifo");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(refusal(path, kSmall), "is not a regular file (a test file is expected)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(100));
  ReadLimit quick = kSmallOrPipe;
  quick.pipe_idle = milliseconds(200);
  EXPECT_EQ(refusal(path, quick),
            "nothing arrived from the pipe for 200 ms (is anything writing to it?)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
}

TEST_F(BoundedReadTest, ReadsAPipeUntilItsWriterClosesItWithinTheLimit) {
  std::signal(SIGPIPE, SIG_IGN);  // the flooding writer below may outlive its reader
  const fs::path path = fifo("fifo");
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));  // the reader waits for its writer
    std::ofstream(path) << "a,b\n" << std::flush << "1,2\n";
  });
  EXPECT_EQ(read_bounded(path, kSmallOrPipe), "a,b\n1,2\n");
  writer.join();

  std::thread flood([&] {
    std::ofstream out(path);
    out << std::string(1000, 'x');  // the reader stops after 16 bytes: the write may fail
  });
  EXPECT_EQ(refusal(path, kSmallOrPipe),
            "the file is larger than 16 bytes, the most a test file may hold");
  flood.join();
}

// `--data <(cmd)`: an anonymous pipe opened through /dev/fd after its writer. A writer that
// already left, and one that leaves while we wait, both end the read at once (not after
// pipe_idle).
TEST_F(BoundedReadTest, APipeWhoseWriterOpenedItFirstEndsWhenTheWriterCloses) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "a,b\n", 4), 4);
  ::close(fds[1]);  // gone before the reader opens
  const std::string gone = "/dev/fd/" + std::to_string(fds[0]);
  EXPECT_EQ(read_bounded(gone, kSmallOrPipe), "a,b\n");
  ::close(fds[0]);

  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[1]);  // wrote nothing: empty at once (the CSV reader then says the file is empty)
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_bounded("/dev/fd/" + std::to_string(fds[0]), kSmallOrPipe), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));
  ::close(fds[0]);

  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "1,2\n", 4), 4);
  std::thread closer([&] {
    std::this_thread::sleep_for(milliseconds(300));
    ::close(fds[1]);
  });
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_bounded("/dev/fd/" + std::to_string(fds[0]), kSmallOrPipe), "1,2\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(5000));  // idle is 10 s
  closer.join();
  ::close(fds[0]);
}

TEST_F(BoundedReadTest, ASecretIsReadFromARegularFileOnly) {
  EXPECT_THROW(read_bounded(write("k", "key"),
                            {.max_bytes = 16, .what = "a key", .allow_pipe = true, .secret = true}),
               std::logic_error);
  EXPECT_EQ(read_bounded(write("k", "key"), {.max_bytes = 16, .what = "a key", .secret = true}),
            "key");
}

}  // namespace
}  // namespace jointly::io
