#include "net/network.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace jointly::net {

Traffic Traffic::operator-(const Traffic& before) const {
  return Traffic{bytes_sent - before.bytes_sent, bytes_received - before.bytes_received,
                 messages_sent - before.messages_sent, messages_received - before.messages_received,
                 rounds - before.rounds};
}

Traffic& Traffic::operator+=(const Traffic& other) {
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  messages_sent += other.messages_sent;
  messages_received += other.messages_received;
  rounds += other.rounds;
  return *this;
}

void Network::send(PartyId to, Bytes data) {
  if (to == self() || to < 0 || to >= parties()) {
    throw std::logic_error("Network::send: bad peer " + std::to_string(to));
  }
  traffic_.bytes_sent += data.size();
  ++traffic_.messages_sent;
  transport_.send(to, std::move(data));
}

Bytes Network::recv(PartyId from) {
  if (from == self() || from < 0 || from >= parties()) {
    throw std::logic_error("Network::recv: bad peer " + std::to_string(from));
  }
  Bytes data = transport_.recv(from);
  traffic_.bytes_received += data.size();
  ++traffic_.messages_received;
  return data;
}

std::vector<Bytes> Network::exchange(std::vector<Bytes> out) {
  if (static_cast<int>(out.size()) != parties()) {
    throw std::logic_error("Network::exchange: need one message slot per party");
  }
  for (PartyId p = 0; p < parties(); ++p) {
    if (p != self()) send(p, std::move(out[p]));
  }
  std::vector<Bytes> in(parties());
  for (PartyId p = 0; p < parties(); ++p) {
    if (p != self()) in[p] = recv(p);
  }
  count_round();
  return in;
}

std::vector<Bytes> Network::broadcast(Bytes data) {
  std::vector<Bytes> out(parties());
  const PartyId last = self() == parties() - 1 ? parties() - 2 : parties() - 1;
  for (PartyId p = 0; p < parties(); ++p) {
    if (p != self() && p != last) out[p] = data;
  }
  if (last >= 0) out[last] = std::move(data);  // the last copy is a move: n = 2 copies nothing
  return exchange(std::move(out));
}

void Network::send_round(PartyId to, Bytes data) {
  send(to, std::move(data));
  count_round();
}

std::vector<Bytes> Network::gather() {
  std::vector<Bytes> in(parties());
  for (PartyId p = 0; p < parties(); ++p) {
    if (p != self()) in[p] = recv(p);
  }
  count_round();
  return in;
}

}  // namespace jointly::net
