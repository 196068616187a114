// Two-way correlated OT between the two parties of a net::Network, on IKNP extension
// over Chou–Orlandi base OTs. Semi-honest.
//
// Each party is at once an extension receiver (it chooses) and an extension sender (it holds
// correlations), so every batch runs both directions in the same rounds and both parties
// execute the same program (SPMD). Construction runs the 2 x 128 base OTs: 2 rounds.
// run() processes a job in chunks; round k carries the corrections of chunk k-1 and the u
// matrix of chunk k, so a job of c chunks takes c + 1 rounds (c for random OT).
//
// Bytes per extended OT on the wire: 16 (a row of u) + the correction: 8·width in kCorrelated
// mode, width·(64 - i mod 64)/8 in kGilboa mode (only the bits that survive the shift by
// 2^(i mod 64) are sent), nothing in kRandom mode.
//
// Traffic: every exchange is bracketed by snapshots of network.traffic(); the difference is
// added to traffic(), so the caller can report preprocessing separately from its own online
// counters (which, being the same Network's, include it: subtract traffic() to get online).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "net/network.h"
#include "protocols/ot/block.h"
#include "protocols/ot/extension/crhash.h"
#include "protocols/ot/extension/iknp.h"
#include "protocols/prg.h"

namespace jointly::ot {

using Progress = std::function<void(std::uint64_t done_ots, std::uint64_t total_ots)>;

struct CotJob {
  enum class Mode {
    kCorrelated,  // receiver y_i = x_i + r_i·Δ_i (mod 2^64, element-wise over `width`)
    kGilboa,      // the same modulo 2^(64 - i mod 64): for Σ_j 2^j y_{64e + j}
    kRandom,      // random OT: sender gets x0, x1; receiver gets x_{r_i}; no corrections
  };
  Mode mode = Mode::kCorrelated;
  std::size_t recv_ots = 0;  // OTs where this party chooses
  std::size_t send_ots = 0;  // OTs where this party sends (the peer's recv_ots)
  std::size_t width = 1;     // ring elements per message

  // Each callback is called once per chunk for OTs [first, first + count) of its direction.
  // choices: write `count` bits LSB first into a zeroed buffer.
  std::function<void(std::size_t first, std::size_t count, std::uint8_t* bits)> choices;
  // correlations: write count·width ring elements (kCorrelated, kGilboa).
  std::function<void(std::size_t first, std::size_t count, Ring* delta)> correlations;
  std::function<void(std::size_t first, std::size_t count, const Ring* y)> received;
  // x1 is null except in kRandom mode.
  std::function<void(std::size_t first, std::size_t count, const Ring* x0, const Ring* x1)> sent;
};

class CotChannel {
 public:
  // Two parties only (throws std::invalid_argument otherwise). `seed` must be this party's
  // private randomness. Runs the base OTs: 2 rounds, 32 + 128·32 bytes each way.
  CotChannel(net::Network& network, const Seed& seed);
  ~CotChannel();
  CotChannel(const CotChannel&) = delete;
  CotChannel& operator=(const CotChannel&) = delete;

  void run(const CotJob& job, const Progress& progress = {});

  net::Network& network() const { return network_; }
  net::PartyId peer() const { return peer_; }
  // Bytes and rounds of this channel's own exchanges (base OTs included).
  const net::Traffic& traffic() const { return traffic_; }
  // OTs per chunk for a given width (a multiple of 128).
  static std::size_t chunk_ots(std::size_t width);

 private:
  std::vector<net::Bytes> exchange(net::Bytes out);

  net::Network& network_;
  net::PartyId peer_;
  net::Traffic traffic_;
  std::unique_ptr<IknpReceiver> receiver_;
  std::unique_ptr<IknpSender> sender_;
  CrHash hash_;
  std::uint64_t recv_index_ = 0, send_index_ = 0;  // tweak counters, mirrored by the peer
  // Chunk buffers, reused across chunks and jobs.
  std::vector<Block> rows_;
  std::vector<Ring> m0_, m1_, delta_;
};

}  // namespace jointly::ot
