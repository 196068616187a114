// The choice of correlated-OT extension and the local interface both extensions implement.
//
// Both IKNP (iknp.h) and SoftSpokenOT (softspoken.h) turn 128 base OTs per direction into
// any number of correlated OTs with the same output: the chooser (extension receiver, choice
// bits r) gets one 128-bit row T_i per OT, the sender (global offset Δ = its 128 base-OT
// choice bits) gets Q_i = T_i ⊕ r_i·Δ. They differ in the chooser's message u: IKNP sends
// 128 bits per OT, SoftSpokenOT with field size k sends ceil(128 / k) bits per OT and pays
// for it with 2^k / k PRG expansions per base-OT bit instead of 1 (docs/ot.md). CotChannel
// hashes the rows into messages and does the networking; it never knows which one it got.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocols/ot/block.h"

namespace jointly::ot {

enum class Extension { kIknp, kSoftSpoken };

// How CotChannel (and so OtTriples) extends its base OTs. Both parties must use the same
// options: the message sizes differ, and a mismatch is reported as a PeerError on the first
// job (wrong message size).
struct OtOptions {
  // SoftSpokenOT with k = 4 is the default: measured best on 2 cores (docs/ot.md).
  Extension extension = Extension::kSoftSpoken;
  int k = 4;        // SoftSpokenOT field size, 2..8 (GF(2^k) blocks of the 128 base OTs)
  int threads = 1;  // 1 or 2: with 2, the chooser side of the next chunk runs on a second
                    // thread while this chunk's sender side runs (cot_channel.h)

  // Throws std::invalid_argument with a message naming the bad setting.
  void validate() const;
  std::string describe() const;  // e.g. "SoftSpokenOT k=4, 1 thread"
};

inline constexpr int kMinSoftSpokenK = 2;
inline constexpr int kMaxSoftSpokenK = 8;

// "iknp" | "softspoken" -> Extension; throws std::invalid_argument naming `setting` otherwise.
Extension parse_extension(const std::string& name, const std::string& setting = "ot_extension");
std::string extension_name(Extension e);

// The chooser's side of an extension. n % 128 == 0. choices: n bits packed LSB first.
// Writes u (u_bytes(n) bytes) and t (n rows).
class ExtensionReceiver {
 public:
  virtual ~ExtensionReceiver() = default;
  virtual std::size_t u_bytes(std::size_t n) const = 0;
  virtual void extend(const std::uint8_t* choices, std::size_t n, std::uint8_t* u, Block* t) = 0;
};

// The sender's side: from the chooser's u, the rows Q_i = T_i ⊕ r_i·Δ.
class ExtensionSender {
 public:
  virtual ~ExtensionSender() = default;
  virtual std::size_t u_bytes(std::size_t n) const = 0;
  virtual void extend(const std::uint8_t* u, std::size_t n, Block* q) = 0;
  virtual Block delta() const = 0;
};

}  // namespace jointly::ot
