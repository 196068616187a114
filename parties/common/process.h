// Starting and watching child processes, for jointly-sim and jointly-bench, which run one
// OS process per party.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace jointly::parties {

struct Process {
  pid_t pid = -1;
};

// Starts argv[0] with stdout (and stderr, unless `err` is empty: then it is inherited) sent
// to files. Throws std::runtime_error naming the program if it cannot start.
Process spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& out,
                      const std::optional<std::filesystem::path>& err);

// The exit code once the process has ended (128 + signal if killed), nullopt while it runs.
std::optional<int> poll_process(const Process& p);
// Waits up to `limit`, then kills the process; returns its exit code as poll_process does.
int wait_process(const Process& p, std::chrono::milliseconds limit);
void kill_process(const Process& p);

// Ports the kernel reports free on 127.0.0.1 right now. The caller's children bind them a
// moment later; if another program takes one first, that child fails to listen and says so.
std::vector<std::uint16_t> free_loopback_ports(int count);

}  // namespace jointly::parties
