#include "psi/psi.h"

#include "psi/common.h"

namespace jointly::psi {

Protocol parse_protocol(std::string_view name) {
  if (name == "ecdh") return Protocol::kEcdh;
  if (name == "oprf") return Protocol::kOprf;
  throw std::invalid_argument("unknown PSI protocol \"" + std::string(name) + "\" (ecdh or oprf)");
}

std::string protocol_name(Protocol protocol) {
  return protocol == Protocol::kEcdh ? "ecdh" : "oprf";
}

Result intersect(net::Network& network, std::span<const std::string> ids, const Options& options) {
  return intersect(
      network, IdSource{ids.size(), [&](std::size_t i) { return std::string_view(ids[i]); }, {}},
      options);
}

Result intersect(net::Network& network, IdTable table, const Options& options) {
  return intersect(
      network,
      IdSource{table.rows(), [&](std::size_t i) { return table.id(i); },
               // Move-construct to free: assigning an empty table would keep the blob's buffer.
               [&] { const IdTable gone = std::move(table); }},
      options);
}

Result intersect(net::Network& network, const IdSource& ids, const Options& options) {
  if (ids.size == 0) throw InputError("PSI: this party has no ids");
  if (ids.size >= (std::size_t{1} << 32)) throw InputError("PSI: more than 2^32 - 1 ids");
  const net::Traffic before = network.traffic();
  const detail::Session session = detail::open_session(network, options.protocol, ids.size);
  Result r = options.protocol == Protocol::kEcdh
                 ? detail::ecdh_intersect(network, ids, options, session)
                 : detail::oprf_intersect(network, ids, options, session);
  r.peer_size = session.peer_size;
  r.traffic = network.traffic() - before;
  if (r.rows.empty() && !options.allow_empty) {
    throw EmptyIntersection("PSI: the intersection is empty: none of this party's " +
                            std::to_string(ids.size) + " ids is among " +
                            network.peer_name(session.peer) + "'s " +
                            std::to_string(session.peer_size) +
                            " (check both use the same id "
                            "column and spelling)");
  }
  return r;
}

}  // namespace jointly::psi
