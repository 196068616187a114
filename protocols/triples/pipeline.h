// Correlated randomness made one unit at a time (an epoch of training), so that memory holds
// at most two units' items, and optionally made while the previous unit is being served.
//
//   PlanPipeline pipeline(provider, maker, one_epoch_plan, {.overlap = true});
//   pipeline.begin_unit(epochs > 1);            // epoch 1's items (made now), epoch 2's start
//   ... epoch 1 draws from provider ...
//   pipeline.begin_unit(epochs > 2);            // waits for epoch 2's, starts epoch 3's
//
// The maker is the source that makes the items. Without overlap it may be the provider's own
// source (made in the caller's thread when the unit begins). With overlap it runs on a thread
// of its own while the caller's thread serves the previous unit, so it must talk on its own
// network channel (net::Transport::open_channel): e.g. an OtTriples on channel 1.
//
// Both parties must build the same pipeline (same unit, same overlap) and call begin_unit at
// the same points: the maker's conversation is SPMD like every source's.
#pragma once

#include <chrono>
#include <future>
#include <mutex>
#include <vector>

#include "protocols/triples/provider.h"

namespace jointly {

struct PipelineOptions {
  bool overlap = false;           // make unit k + 1 on a background thread while k is served
  PrepareProgress progress = {};  // the maker's progress, per unit (OTs for OT)
};

class PlanPipeline {
 public:
  // `serve` and `maker` must outlive the pipeline. `unit` is the plan of one unit.
  PlanPipeline(TripleProvider& serve, TripleSource& maker, std::vector<TripleRequest> unit,
               PipelineOptions options = {});
  // Waits for a unit still being made (its items are dropped).
  ~PlanPipeline();
  PlanPipeline(const PlanPipeline&) = delete;
  PlanPipeline& operator=(const PlanPipeline&) = delete;

  // Call right before a unit's first request: queues its items in the provider (made now, or
  // taken from the background, waiting if it is not done) and, with overlap and
  // `another_follows`, starts making the next unit. Rethrows the background maker's error.
  void begin_unit(bool another_follows);

  int units_begun() const { return units_; }
  // Time the caller's thread spent in begin_unit (making, or waiting for the background).
  double seconds_waiting() const { return waiting_.count(); }
  // Time the maker spent making, wherever it ran (with overlap, partly hidden by serving).
  double seconds_making() const;

 private:
  std::vector<PreparedItem> make();

  TripleProvider& serve_;
  TripleSource& maker_;
  const std::vector<TripleRequest> unit_;
  const PipelineOptions options_;
  std::future<std::vector<PreparedItem>> next_;
  int units_ = 0;
  std::chrono::duration<double> waiting_{0};
  std::chrono::duration<double> making_{0};  // written by the thread that makes
  mutable std::mutex making_mutex_;
};

}  // namespace jointly
