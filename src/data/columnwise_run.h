// Columnwise runs: consecutive pipeline steps that each work on every
// selected column alone — reading and writing only that column, keeping the
// rows and the column kinds — executed column by column instead of step by
// step. For impute → standardize → minmax that means one column goes through
// all three steps (fit and apply) while it is in cache, instead of every
// step streaming the whole table from memory. Results are bitwise those of
// running the steps one after the other: each step's per-value arithmetic is
// the same and only depends on the one column.
//
// The columnwise ops: mark_missing, impute, clip_outliers, trim, lowercase,
// standardize, robust_scale, minmax, maxabs, log1p. (Not drop_*: rows; cast,
// ordinal, one_hot: kinds or columns; normalize_rows: rows across columns.)
//
// Thread-safety: reentrant functions.

#ifndef MODELHOST_DATA_COLUMNWISE_RUN_H_
#define MODELHOST_DATA_COLUMNWISE_RUN_H_

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.h"
#include "data/fitted_step.h"
#include "data/frame.h"
#include "data/pipeline_spec.h"

namespace modelhost::data {

bool IsColumnwise(const StepSpec& step);
bool IsColumnwise(const FittedStep& step);

// Fits and applies `steps` (all columnwise; the pipeline's steps first_index,
// first_index + 1, …) on `frame`, column by column. Returns the fitted steps,
// each listing its columns in its selector's order. Errors: as FitStep and
// ApplyStep, prefixed "pipeline step N (op): "; when several steps would
// fail, the one reported is the first in column order.
core::Result<std::vector<FittedStep>> FitColumnwiseRun(std::span<const StepSpec> steps,
                                                       size_t first_index, Frame& frame);

// A fitted columnwise step cut into one step per column it lists: element k
// is the step on its k-th column alone. A fitted pipeline cuts its steps once,
// so that applying them column by column copies no parameters per call.
std::vector<FittedStep> SliceByColumn(const FittedStep& step);

// Applies fitted columnwise `steps` (the pipeline's steps first_index, …) to
// `frame`, column by column; slices[i] is SliceByColumn(steps[i]). Errors: as
// ApplyStep, prefixed as above.
core::Status ApplyColumnwiseRun(std::span<const FittedStep> steps,
                                std::span<const std::vector<FittedStep>> slices, size_t first_index,
                                Frame& frame);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_COLUMNWISE_RUN_H_
