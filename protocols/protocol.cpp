#include "protocols/protocol.h"

#include <stdexcept>

namespace jointly {

BitProducts Protocol::gez_times(const Shared&, const std::vector<Shared>&) {
  throw std::invalid_argument("gez_times: comparison is not implemented for " + name());
}

BitProducts Protocol::gez_offsets_times(const Shared& x, std::span<const std::int64_t> offsets,
                                        const std::vector<Shared>& values) {
  const Index k = static_cast<Index>(offsets.size()), rows = x.rows(), cols = x.cols();
  IntMatrix shift(k * rows, cols);
  for (Index j = 0; j < k; ++j)
    shift.middleRows(j * rows, rows).setConstant(offsets[static_cast<std::size_t>(j)]);
  const Shared stacked = Shared::vstack(std::vector<Shared>(static_cast<std::size_t>(k), x));
  return gez_times(add_public(stacked, shift), values);
}

Shared Protocol::ltz(const Shared& x) {
  const Shared gez = gez_times(x, {}).bit;  // [x < 0] = 1 - [x >= 0]
  return add_public(scale(gez, -1), IntMatrix::Ones(x.rows(), x.cols()));
}

void Protocol::seek(const PrgStreams&) {
  throw std::invalid_argument("seek: " + name() + " cannot resume from a checkpoint");
}

OpCost Protocol::gez_cost(std::uint64_t, int, int) const {
  throw std::invalid_argument("gez_cost: comparison is not implemented for " + name());
}

}  // namespace jointly
