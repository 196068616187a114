#include "net/transport.h"

#include <utility>

namespace jointly::net {

// One channel of a transport: forwards to the parent's send_on/recv_on.
class ChannelTransport final : public Transport {
 public:
  ChannelTransport(Transport& parent, int channel) : parent_(parent), channel_(channel) {}

  PartyId self() const override { return parent_.self(); }
  int parties() const override { return parent_.parties(); }
  void send(PartyId peer, Bytes data) override { parent_.send_on(channel_, peer, std::move(data)); }
  Bytes recv(PartyId peer) override { return parent_.recv_on(channel_, peer); }
  void abort_session(const std::string& reason) override { parent_.abort_session(reason); }
  std::string peer_name(PartyId peer) const override { return parent_.peer_name(peer); }

 private:
  Transport& parent_;
  const int channel_;
};

std::unique_ptr<Transport> Transport::open_channel(int channel) {
  if (channel < 1 || channel >= kChannels) {
    throw std::invalid_argument("channel " + std::to_string(channel) + " does not exist (1.." +
                                std::to_string(kChannels - 1) + ")");
  }
  return std::make_unique<ChannelTransport>(*this, channel);
}

void Transport::send_on(int channel, PartyId peer, Bytes data) {
  if (channel != 0) throw std::logic_error("this transport has no channels");
  send(peer, std::move(data));
}

Bytes Transport::recv_on(int channel, PartyId peer) {
  if (channel != 0) throw std::logic_error("this transport has no channels");
  return recv(peer);
}

}  // namespace jointly::net
