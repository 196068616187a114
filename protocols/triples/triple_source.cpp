#include "protocols/triples/triple_source.h"

#include <stdexcept>
#include <string>

namespace jointly {

void TripleSource::prepare(std::span<const TripleRequest>, const PrepareProgress&) {
  throw std::logic_error("prepare: " + name() + " has no offline phase");
}

void TripleSource::seek(const std::vector<std::uint64_t>& positions) {
  if (!positions.empty()) {
    throw std::invalid_argument("seek: " + name() +
                                " keeps no stream positions, the checkpoint has " +
                                std::to_string(positions.size()));
  }
}

}  // namespace jointly
