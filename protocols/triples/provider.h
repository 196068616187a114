// The one preprocessing provider: any TripleSource behind a TripleProvider can have a plan
// recorded, prepared ahead and served, which is how every program separates an offline phase
// from its online phase (jointly-party's OT offline phase, jointly-bench's timed phases).
//
//   TripleProvider provider(source);        // OtTriples, Dealer, or any later source
//   provider.record(true);                  // 1. record a plan: run the program once, or
//   ... program ...                         //    compute it from the program's shape
//   const auto plan = provider.requests();  //    (ml::plan_logreg)
//   provider.prepare(plan, progress);       // 2. offline: source.generate(plan), one batch
//   ... program ...                         // 3. online: served from the prepared items
//
// Serving is per kind, in plan order: the kinds may interleave as they like, only the order
// within a kind must match the plan. A request whose shape differs from the next prepared item
// of its kind throws std::logic_error (the plan and the program disagree); a kind with nothing
// prepared is generated on demand by the source. The source decides how a plan is made in
// one batch (TripleSource::generate; OT: one OT job per kind and matrix shape) — the provider
// only records, queues and serves, so a new source needs no queueing of its own.
//
// Like every source, both parties' providers must be asked for the same shapes in the same
// order (SPMD): the plan is the same on every party.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "protocols/triples/triple_source.h"

namespace jointly {

class TripleProvider final : public TripleSource {
 public:
  // Draws from `source`, which must outlive the provider.
  explicit TripleProvider(TripleSource& source);
  // Owns its source (ProtocolStack).
  explicit TripleProvider(std::unique_ptr<TripleSource> source);
  ~TripleProvider() override;

  TripleSource& source() const { return source_; }

  // --- Recording: every request made of the provider while on, served or generated --------
  void record(bool on) { recording_ = on; }
  const std::vector<TripleRequest>& requests() const { return requests_; }
  void clear_requests() { requests_.clear(); }

  // --- Offline phase ----------------------------------------------------------------------
  // Has the source make every item of `plan` in one batch (source().generate) and queues them
  // for serving, after whatever is still prepared. `progress` is the source's (OTs for OT).
  void prepare(std::span<const TripleRequest> plan, const PrepareProgress& progress = {}) override;
  // Queues items made elsewhere (PlanPipeline: by another source, on another thread), as
  // prepare() queues its own.
  void supply(std::vector<PreparedItem> items);
  // Prepared items not yet served.
  std::size_t prepared() const;
  // The source's: whether it gains from a plan made ahead.
  bool has_offline_phase() const override { return source_.has_offline_phase(); }
  // Fresh items from the source, not queued (a provider over a provider forwards).
  std::vector<PreparedItem> generate(std::span<const TripleRequest> plan,
                                     const PrepareProgress& progress = {}) override;

  // --- Serving ------------------------------------------------------------------------------
  std::string name() const override { return source_.name(); }
  bool simulation_only() const override { return source_.simulation_only(); }
  BeaverTriple elementwise(Index rows, Index cols) override;
  BeaverTriple matrix(Index m, Index k, Index n) override;
  TruncPair trunc_pair(Index rows, Index cols, int bits) override;
  BeaverTriple and_triples(Index rows, Index cols) override;
  DaBits dabits(Index rows, Index cols) override;
  // The source's: preparing counts where the source made the items, serving costs nothing.
  net::Traffic offline_traffic() const override { return source_.offline_traffic(); }

  // --- Checkpoints: the source's streams. Prepared items not yet served were drawn from the
  // streams already, so a checkpoint (or a seek) then would skip them: std::logic_error.
  std::vector<std::uint64_t> positions() const override;
  void seek(const std::vector<std::uint64_t>& positions) override;

 private:
  PreparedItem take(const TripleRequest& request);

  std::unique_ptr<TripleSource> owned_;
  TripleSource& source_;
  bool recording_ = false;
  std::vector<TripleRequest> requests_;
  std::deque<PreparedItem> queues_[5];  // one per TripleRequest::Kind
};

}  // namespace jointly
