// Two-way correlated OT between the two parties of a net::Network, on IKNP or SoftSpokenOT
// extension (OtOptions, extension.h) over Chou–Orlandi base OTs. Semi-honest.
//
// Each party is at once an extension receiver (it chooses) and an extension sender (it holds
// correlations), so every batch runs both directions in the same rounds and both parties
// execute the same program (SPMD). Construction runs the 2 x 128 base OTs: 2 rounds (the
// first message also carries the options, so parties that disagree stop there with a clear
// error), plus one round for SoftSpokenOT's punctured-PRF set-up (2·128 blocks each way).
// run() processes a job in chunks; round k carries the corrections of chunk k-1 and the u
// matrix of chunk k, so a job of c chunks takes c + 1 rounds (c for random OT).
//
// Bytes per extended OT on the wire: the chooser's u (16 with IKNP, ceil(128 / k) / 8 with
// SoftSpokenOT) + the correction: 8·width in kCorrelated mode, width·(64 - i mod 64)/8 in
// kGilboa mode (only the bits that survive the shift by 2^(i mod 64) are sent), nothing in
// kRandom mode.
//
// Threads (OtOptions::threads = 2): after each round the chooser side of the next chunk
// (choices, PRG expansion, transpose, hash: everything that makes the next u) runs on a
// second thread while this thread finishes the previous chunk's received messages and this
// chunk's sender side. So `choices` may run concurrently with `received`, `correlations` and
// `sent` (which stay on the calling thread, in order): it must only read what they do not
// write (OtTriples' callbacks read the choice words and write the product sums).
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
#include "protocols/ot/extension/extension.h"
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
  // private randomness. Runs the base OTs: 2 rounds, 34 + 128·32 bytes each way (plus 1
  // round and 128·32 bytes for SoftSpokenOT's set-up). Throws std::invalid_argument for bad
  // options and net::PeerError if the peer's options differ.
  CotChannel(net::Network& network, const Seed& seed, const OtOptions& options = {});
  ~CotChannel();
  CotChannel(const CotChannel&) = delete;
  CotChannel& operator=(const CotChannel&) = delete;

  void run(const CotJob& job, const Progress& progress = {});

  net::Network& network() const { return network_; }
  net::PartyId peer() const { return peer_; }
  // Bytes and rounds of this channel's own exchanges (base OTs included).
  const net::Traffic& traffic() const { return traffic_; }
  const OtOptions& options() const { return options_; }
  // Extended OTs run so far (both directions), for reports of OTs and bytes per OT.
  std::uint64_t ots() const { return ots_; }
  // OTs per chunk for a given width (a multiple of 128).
  static std::size_t chunk_ots(std::size_t width);

 private:
  struct Pending;
  class Helper;
  std::vector<net::Bytes> exchange(net::Bytes out);
  // The chooser side of one chunk: choices, u (into `u`) and H(T_i).
  void prepare(const CotJob& job, std::size_t first, std::size_t count, std::uint64_t index,
               Pending& p, net::Bytes& u);

  net::Network& network_;
  net::PartyId peer_;
  OtOptions options_;
  net::Traffic traffic_;
  std::uint64_t ots_ = 0;
  std::unique_ptr<ExtensionReceiver> receiver_;
  std::unique_ptr<ExtensionSender> sender_;
  std::unique_ptr<Helper> helper_;  // threads = 2 only
  // One hash and one set of buffers per side: the two sides may run on two threads.
  CrHash recv_hash_, send_hash_;
  std::uint64_t recv_index_ = 0, send_index_ = 0;  // tweak counters, mirrored by the peer
  // Chunk buffers, reused across chunks and jobs.
  std::vector<Block> recv_rows_, send_rows_;
  std::vector<Ring> m0_, m1_, delta_;
};

}  // namespace jointly::ot
