// A plain driver for one fuzz target: runs every file in the given folders through its
// LLVMFuzzerTestOneInput, without libFuzzer. Every normal build registers it with ctest (label
// fuzz) on the seed corpus and the regression inputs, so they are replayed on every build; in
// the asan preset the sanitizers watch the replay too.
//
// Usage: <target>_replay FOLDER...   A folder that does not exist is skipped (a target without
// regressions has no folder), but replaying no file at all is an error, as is a crash, a
// failed fuzz check, or an exception the target does not catch (that is, an unexpected type).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path folder = argv[i];
    if (!std::filesystem::is_directory(folder)) {
      std::cout << "skipping " << folder.string() << " (no such folder)\n";
      continue;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  if (files.empty()) {
    std::cerr << "no input files in the given folders\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::cout << "replaying " << file.string() << std::endl;  // flushed: a crash names its file
    std::vector<char> bytes(std::filesystem::file_size(file));
    std::ifstream in(file, std::ios::binary);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
      std::cerr << "cannot read " << file.string() << "\n";
      return 1;
    }
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::cerr << file.string() << ": unexpected exception: " << e.what() << "\n";
      return 1;
    } catch (...) {
      std::cerr << file.string() << ": unexpected exception of a non-standard type\n";
      return 1;
    }
  }
  std::cout << files.size() << " inputs replayed\n";
  return 0;
}
