#include "protocols/ot/extension/cot_channel.h"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "protocols/ot/base/simplest_ot.h"
#include "protocols/ot/extension/iknp.h"
#include "protocols/ot/extension/softspoken.h"

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

}  // namespace

// The receiver side of one chunk between its u message and the peer's corrections.
struct CotChannel::Pending {
  std::size_t first = 0, count = 0;
  std::vector<std::uint8_t> choices;
  std::vector<Ring> y;  // H(T_i), then y_i
};

// One persistent worker thread (threads = 2): a thread per chunk would cost ~50 µs each.
class CotChannel::Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void start(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      task_ = std::move(task);
      busy_ = true;
    }
    wake_.notify_all();
  }
  // Waits for the task; rethrows what it threw.
  void wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return !busy_; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || task_; });
      if (stop_) return;
      auto task = std::move(task_);
      task_ = nullptr;
      lock.unlock();
      try {
        task();
      } catch (...) {
        error_ = std::current_exception();
      }
      lock.lock();
      busy_ = false;
      done_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::function<void()> task_;
  bool busy_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

std::size_t CotChannel::chunk_ots(std::size_t width) {
  const std::size_t by_elements = kMaxChunkElements / std::max<std::size_t>(width, 1);
  return std::max(kBaseOts, std::min(kMaxChunkOts, by_elements) / kBaseOts * kBaseOts);
}

CotChannel::CotChannel(net::Network& network, const Seed& seed, const OtOptions& options)
    : network_(network), peer_(1 - network.self()), options_(options) {
  if (network.parties() != 2) {
    throw std::invalid_argument("OT extension needs exactly 2 parties, not " +
                                std::to_string(network.parties()));
  }
  options_.validate();
  const bool soft = options_.extension == Extension::kSoftSpoken;
  Prg prg(derive_seed(seed, "jointly.ot.base"));
  // As extension sender this party is the base-OT receiver with choices s, and vice versa.
  std::array<std::uint8_t, kBaseChoiceBytes> s_bytes;
  prg.fill(s_bytes);
  SimplestOtSender base_sender(prg);
  SimplestOtReceiver base_receiver(prg, s_bytes, kBaseOts);

  // The first message carries the extension and k, so parties that disagree stop here.
  net::Bytes first = base_sender.first_message();
  const std::array<std::uint8_t, 2> mine = {static_cast<std::uint8_t>(soft),
                                            static_cast<std::uint8_t>(soft ? options_.k : 0)};
  first.insert(first.end(), mine.begin(), mine.end());
  auto in = exchange(std::move(first));
  net::Bytes& theirs = in[peer_];
  if (theirs.size() < mine.size()) throw net::PeerError(peer_, "OT extension: short first message");
  const std::array<std::uint8_t, 2> peer_options = {theirs[theirs.size() - 2], theirs.back()};
  if (peer_options != mine) {
    auto name = [](const std::array<std::uint8_t, 2>& o) {
      return o[0] ? "SoftSpokenOT k=" + std::to_string(o[1]) : std::string("IKNP");
    };
    throw net::PeerError(peer_, "OT extension: the peer uses " + name(peer_options) +
                                    ", this party " + name(mine) +
                                    ": both must set the same ot_extension and ot_k");
  }
  theirs.resize(theirs.size() - mine.size());
  in = exchange(base_receiver.reply(theirs, peer_));
  const std::vector<BlockPair> pairs = base_sender.keys(in[peer_], kBaseOts, peer_);

  Block s;
  std::memcpy(&s, s_bytes.data(), sizeof s);
  if (!soft) {
    receiver_ = std::make_unique<IknpReceiver>(pairs);
    sender_ = std::make_unique<IknpSender>(s, base_receiver.keys());
  } else {
    auto receiver = std::make_unique<SoftSpokenReceiver>(options_.k, pairs, prg);
    const std::vector<Block>& setup = receiver->setup_message();
    net::Bytes out(setup.size() * sizeof(Block));
    std::memcpy(out.data(), setup.data(), out.size());
    in = exchange(std::move(out));
    if (in[peer_].size() != setup.size() * sizeof(Block)) {
      throw net::PeerError(peer_, "SoftSpokenOT: set-up message of " +
                                      std::to_string(in[peer_].size()) + " bytes, expected " +
                                      std::to_string(setup.size() * sizeof(Block)));
    }
    std::vector<Block> peer_setup(setup.size());
    std::memcpy(peer_setup.data(), in[peer_].data(), in[peer_].size());
    receiver_ = std::move(receiver);
    sender_ = std::make_unique<SoftSpokenSender>(options_.k, s, base_receiver.keys(), peer_setup);
  }
  sodium_memzero(s_bytes.data(), s_bytes.size());
  if (options_.threads == 2) helper_ = std::make_unique<Helper>();
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

void CotChannel::prepare(const CotJob& job, std::size_t first, std::size_t count,
                         std::uint64_t index, Pending& p, net::Bytes& u) {
  p.count = count;
  u.clear();
  if (count == 0) return;
  p.first = first;
  const std::size_t padded = pad128(count);
  p.choices.assign(padded / 8, 0);
  job.choices(first, count, p.choices.data());
  u.resize(receiver_->u_bytes(padded));
  recv_rows_.resize(padded);
  receiver_->extend(p.choices.data(), padded, u.data(), recv_rows_.data());
  const std::size_t width = std::max<std::size_t>(job.width, 1);
  p.y.resize(count * width);
  recv_hash_.hash(recv_rows_.data(), count, Block{}, index, width, p.y.data());
}

void CotChannel::run(const CotJob& job, const Progress& progress) {
  const Mode mode = job.mode;
  const std::size_t width = std::max<std::size_t>(job.width, 1);
  const std::size_t chunk = chunk_ots(width);
  const std::size_t recv_chunks = (job.recv_ots + chunk - 1) / chunk;
  const std::size_t send_chunks = (job.send_ots + chunk - 1) / chunk;
  const std::size_t chunks = std::max(recv_chunks, send_chunks);
  const std::uint64_t total = job.recv_ots + job.send_ots;
  auto recv_count = [&](std::size_t c) {
    return c < recv_chunks ? std::min(chunk, job.recv_ots - c * chunk) : 0;
  };
  // Chunks start at multiples of `chunk` (a multiple of 128): tweak of chunk c's first OT.
  auto recv_tweak = [&](std::size_t c) { return recv_index_ + c * chunk; };

  // prev: chunk c - 1, waiting for the peer's corrections; cur: chunk c, whose u goes out
  // this round; next: chunk c + 1, prepared while this round's messages are processed.
  Pending prev, cur, next;
  net::Bytes u_cur, u_next;
  net::Bytes corrections;  // mine, for the peer's chunk c - 1
  std::uint64_t done = 0;
  prepare(job, 0, recv_count(0), recv_tweak(0), cur, u_cur);

  for (std::size_t c = 0; c <= chunks; ++c) {
    net::Bytes out(corrections.size() + u_cur.size());
    if (!corrections.empty()) std::memcpy(out.data(), corrections.data(), corrections.size());
    if (!u_cur.empty()) std::memcpy(out.data() + corrections.size(), u_cur.data(), u_cur.size());
    corrections.clear();

    // One round, unless neither side has anything to say (same decision on both sides).
    const bool have_recv_prev = c >= 1 && prev.count > 0;
    const std::size_t send_count = c < send_chunks ? std::min(chunk, job.send_ots - c * chunk) : 0;
    const std::size_t expect_corr = have_recv_prev ? correction_bytes(mode, prev.count, width) : 0;
    const std::size_t expect_u = sender_->u_bytes(pad128(send_count));
    net::Bytes in;
    if (!out.empty() || expect_corr + expect_u > 0) in = std::move(exchange(std::move(out))[peer_]);
    if (in.size() != expect_corr + expect_u) {
      throw net::PeerError(peer_, "OT extension: message of " + std::to_string(in.size()) +
                                      " bytes, expected " + std::to_string(expect_corr + expect_u));
    }

    // The chooser side of chunk c + 1, on the helper thread if there is one.
    auto make_next = [&] {
      prepare(job, (c + 1) * chunk, recv_count(c + 1), recv_tweak(c + 1), next, u_next);
    };
    if (helper_) helper_->start(make_next);
    try {
      // Finish the receiver side of chunk c - 1 with the peer's corrections.
      if (have_recv_prev) {
        if (mode != Mode::kRandom) {
          BitReader reader(in.data());
          for (std::size_t t = 0; t < prev.count; ++t) {
            const unsigned bits = kept_bits(mode, t);
            Ring* y = prev.y.data() + t * width;
            const Ring pick = get_bit(prev.choices.data(), t) ? ~Ring{0} : 0;
            for (std::size_t l = 0; l < width; ++l) y[l] += reader.get(bits) & pick;
          }
        }
        job.received(prev.first, prev.count, prev.y.data());
        done += prev.count;
      }

      // Sender side of chunk c: Q, hashes, corrections for the next round.
      if (send_count > 0) {
        const std::size_t first = c * chunk;
        const std::size_t padded = pad128(send_count);
        send_rows_.resize(padded);
        sender_->extend(in.data() + expect_corr, padded, send_rows_.data());
        m0_.resize(send_count * width);
        m1_.resize(send_count * width);
        const std::uint64_t tweak = send_index_ + first;
        send_hash_.hash(send_rows_.data(), send_count, Block{}, tweak, width, m0_.data());
        send_hash_.hash(send_rows_.data(), send_count, sender_->delta(), tweak, width, m1_.data());
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
    } catch (...) {
      if (helper_) {
        try {
          helper_->wait();
        } catch (...) {  // the first error is the one to report
        }
      }
      throw;
    }
    if (helper_) {
      helper_->wait();
    } else {
      make_next();
    }
    std::swap(prev, cur);
    std::swap(cur, next);
    std::swap(u_cur, u_next);
    if (progress) progress(done, total);
  }
  auto padded_total = [&](std::size_t ots) {
    return ots == 0 ? 0 : (ots - 1) / chunk * chunk + pad128(ots - (ots - 1) / chunk * chunk);
  };
  recv_index_ += padded_total(job.recv_ots);
  send_index_ += padded_total(job.send_ots);
  ots_ += total;
}

}  // namespace jointly::ot
