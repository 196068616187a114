// Runs a two-party program in-process and collects each party's result by party id.
#pragma once

#include <array>
#include <functional>

#include "net/in_memory.h"
#include "net/network.h"

namespace jointly::testing {

template <class Result>
std::array<Result, 2> run_two(const std::function<Result(net::Network&)>& body) {
  std::array<Result, 2> out;
  net::run_in_memory(2, [&](net::Transport& transport) {
    net::Network network(transport);
    out[transport.self()] = body(network);
  });
  return out;
}

}  // namespace jointly::testing
