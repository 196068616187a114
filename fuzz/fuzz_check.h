// What a fuzz target calls when a parser accepted an input but broke one of its own promises
// (a decoded header that does not re-encode, a table whose shapes disagree): print and abort,
// so libFuzzer saves the input as a crash and the replay test fails.
#pragma once

#include <cstdio>
#include <cstdlib>

#define JOINTLY_FUZZ_CHECK(condition)                                                         \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
