#include "parties/common/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace jointly::parties {

Process spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& out,
                      const std::optional<std::filesystem::path>& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (err) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err->c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  std::vector<char*> raw;
  for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
  raw.push_back(nullptr);
  Process p;
  const int rc = posix_spawn(&p.pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return p;
}

std::optional<int> poll_process(const Process& p) {
  int status = 0;
  if (::waitpid(p.pid, &status, WNOHANG) != p.pid) return std::nullopt;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void kill_process(const Process& p) { ::kill(p.pid, SIGKILL); }

int wait_process(const Process& p, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto code = poll_process(p)) return *code;
    if (std::chrono::steady_clock::now() > deadline) {
      kill_process(p);
      int status = 0;
      ::waitpid(p.pid, &status, 0);
      return 128 + SIGKILL;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::uint16_t> free_loopback_ports(int count) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (s >= 0) ::close(s);
      for (int t : sockets) ::close(t);
      throw std::runtime_error("cannot find a free loopback port");
    }
    sockets.push_back(s);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int s : sockets) ::close(s);
  return ports;
}

}  // namespace jointly::parties
