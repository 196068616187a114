// Child processes for the end-to-end tests: start a binary with stdout and stderr sent to
// files, wait with a deadline, kill. A ChildProcess still running when destroyed is killed
// and reaped, so a failing test never leaves a party behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace jointly::e2e {

class ChildProcess {
 public:
  // Starts argv[0] (a path). Throws std::runtime_error if it cannot be started.
  static ChildProcess start(const std::vector<std::string>& argv, const std::filesystem::path& out,
                            const std::filesystem::path& err);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // The exit code once the process has ended (128 + signal if a signal ended it).
  std::optional<int> poll();
  // Waits up to `limit`; nullopt if the process is still running then (it is not killed).
  std::optional<int> wait_for(std::chrono::milliseconds limit);
  // Waits up to `limit`, then kills; returns the exit code (128 + SIGKILL if killed).
  int wait_or_kill(std::chrono::milliseconds limit);
  void signal(int sig) const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> code_;
};

std::string read_file(const std::filesystem::path& path);
// The last non-empty line of a file ("" if none).
std::string last_line(const std::filesystem::path& path);

// `count` distinct loopback ports the kernel just handed out; all are held until the last is
// chosen, then released for the parties to bind.
std::vector<std::uint16_t> free_ports(int count);

}  // namespace jointly::e2e
