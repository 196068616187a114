#include "protocols/triples/pipeline.h"

#include <utility>

namespace jointly {

using Clock = std::chrono::steady_clock;

PlanPipeline::PlanPipeline(TripleProvider& serve, TripleSource& maker,
                           std::vector<TripleRequest> unit, PipelineOptions options)
    : serve_(serve), maker_(maker), unit_(std::move(unit)), options_(std::move(options)) {}

PlanPipeline::~PlanPipeline() {
  if (!next_.valid()) return;
  try {
    next_.get();
  } catch (...) {  // the caller is already failing, or stopped early: nothing to report to
  }
}

std::vector<PreparedItem> PlanPipeline::make() {
  const auto start = Clock::now();
  std::vector<PreparedItem> items = maker_.generate(unit_, options_.progress);
  std::lock_guard lock(making_mutex_);
  making_ += Clock::now() - start;
  return items;
}

double PlanPipeline::seconds_making() const {
  std::lock_guard lock(making_mutex_);
  return making_.count();
}

void PlanPipeline::begin_unit(bool another_follows) {
  const auto start = Clock::now();
  std::vector<PreparedItem> items;
  if (next_.valid()) {
    items = next_.get();
  } else {
    items = make();
  }
  serve_.supply(std::move(items));
  ++units_;
  if (options_.overlap && another_follows) {
    next_ = std::async(std::launch::async, [this] { return make(); });
  }
  waiting_ += Clock::now() - start;
}

}  // namespace jointly
