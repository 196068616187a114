#include "io/bounded_read.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jointly::io {
namespace {

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// "1024 MiB", "64 KiB", "900 bytes": the limit in the largest unit that holds it exactly.
std::string size_text(std::uintmax_t bytes) {
  constexpr std::uintmax_t kKiB = 1024, kMiB = kKiB * 1024;
  if (bytes > 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes > 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Fills `text` from the descriptor of a regular file, whose size was `size`; a file that grows
// meanwhile is refused rather than read into a reallocated (and, for a key, unwiped) buffer.
void read_regular(int fd, std::uintmax_t size, std::string& text,
                  const std::filesystem::path& path) {
  text.resize(static_cast<std::size_t>(size) + 1);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw FileError(path, std::string("read error (") + std::strerror(errno) + ")");
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done > size) throw FileError(path, "the file changed while it was read");
  text.resize(done);
}

// Reads a pipe until its writer closes it, polling so that a silent one cannot hang us.
void read_pipe(int fd, const ReadLimit& limit, std::string& text,
               const std::filesystem::path& path) {
  constexpr std::size_t kChunk = 1 << 16;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(limit.pipe_idle.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw FileError(path, std::string("read error (") + std::strerror(errno) + ")");
    if (ready == 0) {
      const auto ms = limit.pipe_idle.count();
      throw FileError(path, "nothing arrived from the pipe for " +
                                (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                                                : std::to_string(ms) + " ms") +
                                " (is anything writing to it?)");
    }
    const std::size_t at = text.size();
    text.resize(at + kChunk);
    const ssize_t n = ::read(fd, text.data() + at, kChunk);
    text.resize(at + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw FileError(path, std::string("read error (") + std::strerror(errno) + ")");
    if (n == 0) return;
    if (text.size() > limit.max_bytes) {
      throw FileError(path, "the file is larger than " + size_text(limit.max_bytes) +
                                ", the most " + limit.what + " may hold");
    }
  }
}

}  // namespace

std::string read_bounded(const std::filesystem::path& path, const ReadLimit& limit,
                         unsigned* mode) {
  if (limit.secret && limit.allow_pipe) {
    throw std::logic_error("read_bounded: a secret is read from a regular file only");
  }
  // O_NONBLOCK: opening a FIFO returns at once even with no writer; O_NOCTTY: a terminal
  // named by mistake does not become ours.
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    throw FileError(path, std::string("cannot open the file (") + std::strerror(errno) + ")");
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw FileError(path, std::string("cannot read the file (") + std::strerror(errno) + ")");
  }
  if (mode != nullptr) *mode = info.st_mode & 07777;
  const bool pipe = S_ISFIFO(info.st_mode);
  if (!S_ISREG(info.st_mode) && !(pipe && limit.allow_pipe)) {
    throw FileError(path, "is not a regular file (" + limit.what +
                              (limit.allow_pipe ? " or a pipe" : "") + " is expected)");
  }
  if (!pipe && static_cast<std::uintmax_t>(info.st_size) > limit.max_bytes) {
    throw FileError(path, "the file is larger than " + size_text(limit.max_bytes) + ", the most " +
                              limit.what + " may hold");
  }
  std::string text;
  try {
    if (pipe) {
      read_pipe(fd.get(), limit, text, path);
    } else {
      read_regular(fd.get(), static_cast<std::uintmax_t>(info.st_size), text, path);
    }
  } catch (...) {
    if (limit.secret) {
      text.resize(text.capacity());
      explicit_bzero(text.data(), text.size());
    }
    throw;
  }
  return text;
}

}  // namespace jointly::io
