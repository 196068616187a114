// Reading a file whose path a user gave (command line or config) without trusting it: a device
// such as /dev/zero, a FIFO nobody writes to, or a file of terabytes must fail at once with a
// message naming the file, never hang or exhaust memory. Every loader that reads a whole
// user-named file (consortium file, certificates, key, CSV, checkpoints, audit log, model)
// reads it through read_bounded with its own limit.
//
// The file is opened without blocking (O_NONBLOCK: opening a FIFO does not wait for a writer)
// and its type checked on the open descriptor (no race between check and read): a regular
// file is sized before anything is read; a pipe, where allowed, is read until its writer
// closes it, at most `max_bytes`, and refused once silent for `pipe_idle`.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace jointly::io {

// How long a pipe may send nothing before it is refused (nothing is writing to it).
inline constexpr std::chrono::milliseconds kDefaultPipeIdle{60000};

struct ReadLimit {
  std::uintmax_t max_bytes = 0;
  // What the file should be, for messages: "a CSV file" gives "is not a regular file (a CSV
  // file is expected)" and "larger than 1024 MiB, the most a CSV file may hold".
  std::string what;
  bool allow_pipe = false;  // also a pipe or FIFO (`--data <(zcat rows.csv.gz)`)
  std::chrono::milliseconds pipe_idle = kDefaultPipeIdle;
  // Key material: the bytes are read into one buffer sized up front (no reallocation leaves a
  // copy behind) and wiped if the read fails. Regular files only (not with allow_pipe).
  bool secret = false;
};

// The file cannot be read within its limits. what() is "<path>: <reason>".
class FileError : public std::runtime_error {
 public:
  FileError(const std::filesystem::path& path, const std::string& reason)
      : std::runtime_error(path.string() + ": " + reason), reason_(reason) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

// The whole file. Throws FileError: "cannot open the file (No such file or directory)", "is
// not a regular file (a CSV file or a pipe is expected)", "the file is larger than 1024 MiB,
// the most a CSV file may hold", "nothing arrived from the pipe for 60 s", "read error (...)".
// `mode`, if given, receives the permission bits of the file read (st_mode & 07777).
std::string read_bounded(const std::filesystem::path& path, const ReadLimit& limit,
                         unsigned* mode = nullptr);

}  // namespace jointly::io
