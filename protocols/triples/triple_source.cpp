#include "protocols/triples/triple_source.h"

#include <stdexcept>
#include <string>

namespace jointly {

std::string describe(const TripleRequest& r) {
  using Kind = TripleRequest::Kind;
  const std::string shape = std::to_string(r.rows) + "x" + std::to_string(r.cols);
  switch (r.kind) {
    case Kind::kElementwise:
      return "element-wise triple " + shape;
    case Kind::kMatrix:
      return "matrix triple " + std::to_string(r.rows) + "x" + std::to_string(r.inner) + "·" +
             std::to_string(r.inner) + "x" + std::to_string(r.cols);
    case Kind::kTruncPair:
      return "trunc pair " + shape + " >> " + std::to_string(r.bits);
    case Kind::kAnd:
      return "AND triples " + shape;
    case Kind::kDaBits:
      return "daBits " + shape;
  }
  return "?";
}

std::vector<PreparedItem> TripleSource::generate(std::span<const TripleRequest> plan,
                                                 const PrepareProgress& progress) {
  using Kind = TripleRequest::Kind;
  std::vector<PreparedItem> items(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const TripleRequest& r = plan[i];
    PreparedItem& item = items[i];
    item.request = r;
    switch (r.kind) {
      case Kind::kElementwise:
        item.triple = elementwise(r.rows, r.cols);
        break;
      case Kind::kMatrix:
        item.triple = matrix(r.rows, r.inner, r.cols);
        break;
      case Kind::kTruncPair:
        item.pair = trunc_pair(r.rows, r.cols, r.bits);
        break;
      case Kind::kAnd:
        item.triple = and_triples(r.rows, r.cols);
        break;
      case Kind::kDaBits:
        item.dabits = dabits(r.rows, r.cols);
        break;
    }
    if (progress) progress(i + 1, plan.size());
  }
  return items;
}

void TripleSource::prepare(std::span<const TripleRequest>, const PrepareProgress&) {
  throw std::logic_error("prepare: " + name() +
                         " holds no prepared items; prepare through a TripleProvider");
}

void TripleSource::seek(const std::vector<std::uint64_t>& positions) {
  if (!positions.empty()) {
    throw std::invalid_argument("seek: " + name() +
                                " keeps no stream positions, the checkpoint has " +
                                std::to_string(positions.size()));
  }
}

}  // namespace jointly
