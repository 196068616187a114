#include "protocols/ot/extension/cot_channel.h"

#include <sodium.h>
#include <algorithm>

#include <stdexcept>
#include <string>

#include "protocols/ot/base/simplest_ot.h"

namespace jointly::ot {
namespace {

using Mode = CotJob::Mode;

constexpr std::size_t kBaseChoiceBytes = kBaseOts / 8;
// A chunk holds at most this many OTs and this many message elements, so that its buffers
// (PRG columns, transposed rows, hashes: 512 KiB each) stay in L2. With 16 MiB chunks the
// same work ran 2.5x slower, memory-bound; smaller chunks cost rounds (docs/ot.md).
constexpr std::size_t kMaxChunkOts = std::size_t{1} << 15;
constexpr std::size_t kMaxChunkElements = std::size_t{1} << 16;

std::size_t pad128(std::size_t n) { return (n + kBaseOts - 1) / kBaseOts * kBaseOts; }

inline Ring low_mask(unsigned bits) { return bits >= 64 ? ~Ring{0} : (Ring{1} << bits) - 1; }

// Bits kept per element of OT number t of a chunk (chunks start at multiples of 128).
inline unsigned kept_bits(Mode mode, std::size_t t) {
  return mode == Mode::kGilboa ? 64 - static_cast<unsigned>(t % 64) : 64;
}

std::size_t correction_bytes(Mode mode, std::size_t count, std::size_t width) {
  if (mode == Mode::kRandom) return 0;
  std::uint64_t bits = 0;
  if (mode == Mode::kCorrelated) {
    bits = std::uint64_t{64} * count * width;
  } else {
    const std::uint64_t full = count / 64, rest = count % 64;
    bits = full * (64 * 65 / 2) * width;  // Σ_{j<64} (64 - j) = 2080 bits per group of 64
    for (std::uint64_t j = 0; j < rest; ++j) bits += (64 - j) * width;
  }
  return (bits + 63) / 64 * 8;
}

// Packs values of varying width (1..64 bits) LSB first into 64-bit words.
class BitWriter {
 public:
  explicit BitWriter(std::uint8_t* out) : out_(out) {}
  void put(Ring v, unsigned bits) {
    v &= low_mask(bits);
    acc_ |= v << fill_;
    if (fill_ + bits >= 64) {
      store(acc_);
      acc_ = fill_ ? v >> (64 - fill_) : 0;
      fill_ = fill_ + bits - 64;
    } else {
      fill_ += bits;
    }
  }
  void flush() {
    if (fill_) store(acc_);
  }

 private:
  void store(Ring w) {
    std::memcpy(out_, &w, 8);
    out_ += 8;
  }
  std::uint8_t* out_;
  Ring acc_ = 0;
  unsigned fill_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const std::uint8_t* in) : in_(in) {}
  Ring get(unsigned bits) {
    Ring v = word(0) >> pos_;
    if (pos_ + bits > 64) v |= word(1) << (64 - pos_);
    pos_ += bits;
    if (pos_ >= 64) {
      pos_ -= 64;
      in_ += 8;
    }
    return v & low_mask(bits);
  }

 private:
  Ring word(int k) const {
    Ring w;
    std::memcpy(&w, in_ + 8 * k, 8);
    return w;
  }
  const std::uint8_t* in_;
  unsigned pos_ = 0;
};

// The receiver side of one chunk between its u message and the peer's corrections.
struct PendingReceive {
  std::size_t first = 0, count = 0;
  std::vector<std::uint8_t> choices;
  std::vector<Ring> y;  // H(T_i), then y_i
};

}  // namespace

std::size_t CotChannel::chunk_ots(std::size_t width) {
  const std::size_t by_elements = kMaxChunkElements / std::max<std::size_t>(width, 1);
  return std::max(kBaseOts, std::min(kMaxChunkOts, by_elements) / kBaseOts * kBaseOts);
}

CotChannel::CotChannel(net::Network& network, const Seed& seed)
    : network_(network), peer_(1 - network.self()) {
  if (network.parties() != 2) {
    throw std::invalid_argument("OT extension needs exactly 2 parties, not " +
                                std::to_string(network.parties()));
  }
  Prg prg(derive_seed(seed, "jointly.ot.base"));
  // As extension sender this party is the base-OT receiver with choices s, and vice versa.
  std::array<std::uint8_t, kBaseChoiceBytes> s_bytes;
  prg.fill(s_bytes);
  SimplestOtSender base_sender(prg);
  SimplestOtReceiver base_receiver(prg, s_bytes, kBaseOts);

  auto in = exchange(base_sender.first_message());
  in = exchange(base_receiver.reply(in[peer_], peer_));
  const std::vector<BlockPair> pairs = base_sender.keys(in[peer_], kBaseOts, peer_);

  Block s;
  std::memcpy(&s, s_bytes.data(), sizeof s);
  receiver_ = std::make_unique<IknpReceiver>(pairs);
  sender_ = std::make_unique<IknpSender>(s, base_receiver.keys());
  sodium_memzero(s_bytes.data(), s_bytes.size());
}

CotChannel::~CotChannel() = default;

std::vector<net::Bytes> CotChannel::exchange(net::Bytes out) {
  const net::Traffic before = network_.traffic();
  std::vector<net::Bytes> msgs(2);
  msgs[peer_] = std::move(out);
  auto in = network_.exchange(std::move(msgs));
  traffic_ += network_.traffic() - before;
  return in;
}

void CotChannel::run(const CotJob& job, const Progress& progress) {
  const Mode mode = job.mode;
  const std::size_t width = std::max<std::size_t>(job.width, 1);
  const std::size_t chunk = chunk_ots(width);
  const std::size_t recv_chunks = (job.recv_ots + chunk - 1) / chunk;
  const std::size_t send_chunks = (job.send_ots + chunk - 1) / chunk;
  const std::size_t chunks = std::max(recv_chunks, send_chunks);
  const std::uint64_t total = job.recv_ots + job.send_ots;

  PendingReceive cur, next;
  net::Bytes corrections;  // mine, for the peer's chunk c - 1
  std::uint64_t done = 0;

  for (std::size_t c = 0; c <= chunks; ++c) {
    // 1. Receiver side of chunk c: choices, u, and H(T_i).
    next.count = 0;
    const std::size_t recv_count = c < recv_chunks ? std::min(chunk, job.recv_ots - c * chunk) : 0;
    const std::size_t at = corrections.size();
    net::Bytes out(at + kBaseOts * pad128(recv_count) / 8);
    if (at > 0) std::memcpy(out.data(), corrections.data(), at);
    if (recv_count > 0) {
      next.first = c * chunk;
      next.count = recv_count;
      const std::size_t padded = pad128(next.count);
      next.choices.assign(padded / 8, 0);
      job.choices(next.first, next.count, next.choices.data());
      rows_.resize(padded);
      receiver_->extend(next.choices.data(), padded, out.data() + at, rows_.data());
      next.y.resize(next.count * width);
      hash_.hash(rows_.data(), next.count, Block{}, recv_index_, width, next.y.data());
      recv_index_ += padded;
    }

    // 2. One round, unless neither side has anything to say (same decision on both sides).
    const bool have_recv_prev = c >= 1 && c - 1 < recv_chunks && cur.count > 0;
    const std::size_t send_count = c < send_chunks ? std::min(chunk, job.send_ots - c * chunk) : 0;
    const std::size_t expect_corr = have_recv_prev ? correction_bytes(mode, cur.count, width) : 0;
    const std::size_t expect_u = kBaseOts * pad128(send_count) / 8;
    net::Bytes in;
    if (!out.empty() || expect_corr + expect_u > 0) in = std::move(exchange(std::move(out))[peer_]);
    if (in.size() != expect_corr + expect_u) {
      throw net::PeerError(peer_, "OT extension: message of " + std::to_string(in.size()) +
                                      " bytes, expected " + std::to_string(expect_corr + expect_u));
    }

    // 3. Finish the receiver side of chunk c - 1 with the peer's corrections.
    if (have_recv_prev) {
      if (mode != Mode::kRandom) {
        BitReader reader(in.data());
        for (std::size_t t = 0; t < cur.count; ++t) {
          const unsigned bits = kept_bits(mode, t);
          Ring* y = cur.y.data() + t * width;
          const Ring pick = get_bit(cur.choices.data(), t) ? ~Ring{0} : 0;
          for (std::size_t l = 0; l < width; ++l) y[l] += reader.get(bits) & pick;
        }
      }
      job.received(cur.first, cur.count, cur.y.data());
      done += cur.count;
    }

    // 4. Sender side of chunk c: Q, hashes, corrections for the next round.
    if (send_count > 0) {
      const std::size_t first = c * chunk;
      const std::size_t padded = pad128(send_count);
      rows_.resize(padded);
      sender_->extend(in.data() + expect_corr, padded, rows_.data());
      m0_.resize(send_count * width);
      m1_.resize(send_count * width);
      hash_.hash(rows_.data(), send_count, Block{}, send_index_, width, m0_.data());
      hash_.hash(rows_.data(), send_count, sender_->delta(), send_index_, width, m1_.data());
      send_index_ += padded;
      if (mode == Mode::kRandom) {
        job.sent(first, send_count, m0_.data(), m1_.data());
      } else {
        delta_.resize(send_count * width);
        job.correlations(first, send_count, delta_.data());
        corrections.assign(correction_bytes(mode, send_count, width), 0);
        BitWriter writer(corrections.data());
        for (std::size_t t = 0; t < send_count; ++t) {
          const unsigned bits = kept_bits(mode, t);
          const std::size_t o = t * width;
          for (std::size_t l = 0; l < width; ++l) {
            writer.put(m0_[o + l] - m1_[o + l] + delta_[o + l], bits);
          }
        }
        writer.flush();
        job.sent(first, send_count, m0_.data(), nullptr);
      }
      done += send_count;
    }
    std::swap(cur, next);
    if (progress) progress(done, total);
  }
}

}  // namespace jointly::ot
