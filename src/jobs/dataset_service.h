// DatasetService: the server's stored datasets (issue 5, steps 1 and 2). A
// dataset is created from an uploaded CSV or JSON Lines file, or derived
// from another by a fitted pipeline (Transform) or a split (Split); it is read
// back as rows, exported, and deleted.
//
// Each dataset is one stored dataset file (data/dataset_format.h) at
// store::DatasetFilePath(data_dir, id) plus its record in the MetadataStore
// (schema, row count, size, SHA-256, profile, lineage). Creation writes the
// file under `<data_dir>/datasets/<id>.staging/`, then renames that directory
// into place inside the transaction that adds the record: after a crash a
// dataset is fully there or absent, and SweepOrphans (run at start) removes
// staging directories and directories without a record.
//
// Lineage (DatasetRecord::lineage_json):
//   upload:    {"source": "upload", "format": "csv"|"jsonl", "bad_rows": N}
//   transform: {"source": "transform", "parent": ID, "parent_sha256": …,
//               "target": …, "fitted_pipeline": {…}[, "job_id": …]}
//   split:     {"source": "split", "parent": ID, "parent_sha256": …,
//               "part": "train"|"validation"|"test", "seed": S, "fractions": […],
//               "stratify": …[, "job_id": …]}
//
// Memory: Import, Rows, Export and the profile stream the file chunk by
// chunk; Transform and Split load the parent table whole.
//
// Thread-safety: every method may be called from any thread; each blocks
// until done (callers keep them off I/O threads).

#ifndef MODELHOST_JOBS_DATASET_SERVICE_H_
#define MODELHOST_JOBS_DATASET_SERVICE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "store/metadata_store.h"

namespace modelhost::jobs {

enum class DatasetFormat { kCsv, kJsonLines };

// "csv" or "jsonl" (also "ndjson", "jsonlines"); InvalidArgument otherwise.
core::Result<DatasetFormat> ParseDatasetFormat(std::string_view text);

struct DatasetImportRequest {
  std::string name;  // resource_name.h
  // The uploaded file; left in place (the caller owns it).
  std::string file;
  DatasetFormat format = DatasetFormat::kCsv;
  // Leave bad rows out (counted in the lineage) instead of refusing the file.
  bool skip_bad_rows = false;
};

struct DatasetTransformRequest {
  std::string name;           // of the derived dataset; "" for "<parent name>-transformed"
  std::string pipeline_json;  // a pipeline spec (data/pipeline_spec.h)
  // The target column: kept (decoded back to its labels) beside the features,
  // never transformed as one; with `classification`, labels become classes.
  std::optional<std::string> target = std::nullopt;
  bool classification = true;
  // The dataset job that runs it, recorded in the lineage ("" for none).
  std::string job_id = {};
};

struct DatasetSplitRequest {
  // Names of the parts; default "<parent name>-train", "-validation", "-test".
  std::string name_prefix = {};
  double train_fraction = 0.8;
  double validation_fraction = 0.0;
  double test_fraction = 0.2;
  uint64_t seed = 0;
  std::string stratify = {};  // a column, or "" for none
  // The dataset job that runs it, recorded in each part's lineage ("" for none).
  std::string job_id = {};
};

// The name of the dataset a transform of `parent` makes: `request.name`, or
// "<parent name>-transformed". InvalidArgument when it is not a valid dataset
// name, naming a derived name and the field 'name' that chooses another.
core::Result<std::string> TransformedDatasetName(const store::DatasetRecord& parent,
                                                 const DatasetTransformRequest& request);

// The names of the parts a split of `parent` makes, one per non-zero
// fraction in the order train, validation, test: "<prefix>-train", … with
// `request.name_prefix` (else the parent's name) as the prefix. Errors as
// TransformedDatasetName.
core::Result<std::vector<std::string>> SplitPartNames(const store::DatasetRecord& parent,
                                                      const DatasetSplitRequest& request);

class DatasetService {
 public:
  // `store` must outlive the service.
  DatasetService(store::MetadataStore* store, std::string data_dir);

  // Removes what a crash left behind: staging directories and dataset
  // directories without a record.
  core::Status SweepOrphans();

  // Parses `request.file` and stores it as a new dataset. Errors: the
  // reader's InvalidArgument naming the line and column ("pima.csv: line 7,
  // column 'glucose': …", the file called "upload"), the name's, the store's.
  core::Result<store::DatasetRecord> Import(const DatasetImportRequest& request);

  core::Result<std::vector<store::DatasetRecord>> List();
  // NotFound naming the id.
  core::Result<store::DatasetRecord> Get(std::string_view id);

  // Rows [offset, offset + limit) as a JSON object {"dataset", "offset",
  // "limit", "total_rows", "rows": [{column: value}, …]}; an offset past the
  // end gives no rows. REQUIRES: limit is bounded by the caller.
  core::Result<std::string> RowsJson(std::string_view id, uint64_t offset, uint64_t limit);

  // Calls `sink` with successive pieces of the dataset as CSV (with a header)
  // or JSON Lines, chunk by chunk, until the end or until `sink` fails (its
  // error is returned).
  core::Status Export(std::string_view id, DatasetFormat format,
                      const std::function<core::Status(std::string_view piece)>& sink);

  // Removes the dataset's record, then its files (a failure to remove them is
  // logged: they are unreachable, and SweepOrphans removes them at the next
  // start). NotFound; FailedPrecondition naming the job when a queued or
  // running job reads it; the store's, with the dataset and its files intact.
  core::Status Delete(std::string_view id);

  // Fits the pipeline on the dataset and stores the result as a new dataset
  // of float64 feature columns (+ the target). Errors: the pipeline's,
  // naming the step; NotFound for the parent.
  core::Result<store::DatasetRecord> Transform(std::string_view id,
                                               const DatasetTransformRequest& request);

  // Splits the dataset (data/split.h) into up to three new datasets, one per
  // non-zero fraction, in the order train, validation, test.
  core::Result<std::vector<store::DatasetRecord>> Split(std::string_view id,
                                                        const DatasetSplitRequest& request);

 private:
  store::MetadataStore* store_;
  std::string data_dir_;
};

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_DATASET_SERVICE_H_
