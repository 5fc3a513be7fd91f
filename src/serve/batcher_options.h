// BatcherOptions and BatcherMetrics: the configuration of a DynamicBatcher
// (serve/dynamic_batcher.h) and the metrics it updates. Kept out of the
// template so that the API layer can parse and validate options without
// instantiating a batcher.
//
// Thread-safety: plain structs; ValidateBatcherOptions is thread-safe.

#ifndef MODELHOST_SERVE_BATCHER_OPTIONS_H_
#define MODELHOST_SERVE_BATCHER_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/metrics.h"
#include "core/status.h"

namespace modelhost::serve {

struct BatcherOptions {
  // The most rows in one batch (one RunBatch call). Requests count their rows:
  // an instance list of 32 rows counts 32. A request of more rows than this is
  // not split: it runs alone, in a batch of its own. Default 32. REQUIRES: >= 1.
  size_t max_batch_size = 32;

  // The longest the oldest waiting request waits for others to fill its batch,
  // in microseconds, measured from its Submit. So a request waits at most this
  // long plus the batches queued ahead of it. 0: a batch starts as soon as the
  // worker is free (requests that arrive while a batch runs still form the next
  // batch together). Default 1000 (1 ms). REQUIRES: 0 <= value <= kMaxQueueDelayUs.
  int64_t max_queue_delay_us = 1000;

  // The most requests that may wait (those in the running batch do not count).
  // Counted in requests, not rows, as Triton does: the body-size limit of the
  // HTTP layer already bounds the rows of one request. When full, Submit fails
  // at once with ResourceExhausted (HTTP 429). Default 1024. REQUIRES: >= 1.
  size_t max_queue_size = 1024;

  // Names the worker thread (cut to the 15 characters Linux keeps) and prefixes
  // error messages, e.g. "pima:3". Default "batcher".
  std::string name = "batcher";
};

// One hour: any longer delay is a configuration mistake (and would overflow
// the clock's nanoseconds near the top of int64_t).
inline constexpr int64_t kMaxQueueDelayUs = int64_t{3600} * 1000 * 1000;

// Metrics a batcher updates; each pointer may be null (not recorded). The
// objects must outlive the batcher. The API layer resolves them from a
// core::MetricsRegistry with the model and version as labels.
struct BatcherMetrics {
  // One observation per batch: the rows in it.
  core::Histogram* batch_rows = nullptr;
  // Requests waiting, set on every Submit and every batch taken.
  core::Gauge* queue_depth = nullptr;
  // Submits refused because the queue was full.
  core::Counter* rejected = nullptr;
};

// Bucket bounds suited to batch_rows for batches of up to `max_batch_size` rows:
// powers of two up to it, then max_batch_size itself.
std::vector<double> BatchRowsBuckets(size_t max_batch_size);

// OK, or InvalidArgument naming the option (and the batcher) that breaks its REQUIRES.
core::Status ValidateBatcherOptions(const BatcherOptions& options);

}  // namespace modelhost::serve

#endif  // MODELHOST_SERVE_BATCHER_OPTIONS_H_
