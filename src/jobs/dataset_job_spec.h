// The request bodies of the dataset operations (issue 5, step 2), parsed and
// checked field by field before a dataset job is queued:
//
//   POST /v1/datasets/{id}:transform
//     {"pipeline": {"steps": [...]},        required, data/pipeline_spec.h
//      "name": "pima-scaled",               optional, default "<parent>-transformed"
//      "target": "diabetes",                optional, kept beside the features
//      "task": "classification"|"regression"}   optional, default classification
//
//   POST /v1/datasets/{id}:split
//     {"train": 0.8, "validation": 0, "test": 0.2,   optional fractions
//      "seed": 0, "stratify": "column", "name": "prefix"}   optional
//
// An unknown field, a value of the wrong type, a pipeline the engine refuses
// and a name that is not a resource name are InvalidArgument naming the field.
// What needs the data (the pipeline's columns, the stratify column) is checked
// when the job runs.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_JOBS_DATASET_JOB_SPEC_H_
#define MODELHOST_JOBS_DATASET_JOB_SPEC_H_

#include <string_view>

#include "core/result.h"
#include "jobs/dataset_service.h"

namespace modelhost::jobs {

core::Result<DatasetTransformRequest> ParseDatasetTransformSpec(std::string_view json);
core::Result<DatasetSplitRequest> ParseDatasetSplitSpec(std::string_view json);

}  // namespace modelhost::jobs

#endif  // MODELHOST_JOBS_DATASET_JOB_SPEC_H_
