// The checksum of a model directory (model_directory.h): SHA-256 over each of
// its files in a fixed order — model.json, network.json, pipeline.json when
// present, weights.safetensors — each framed by its name and byte length, so
// that moving bytes from one file to another changes it. The registry stores
// it when a version is registered and checks it when the version is loaded.
//
// Thread-safety: reentrant.

#ifndef MODELHOST_MODEL_MODEL_CHECKSUM_H_
#define MODELHOST_MODEL_MODEL_CHECKSUM_H_

#include <string>

#include "core/result.h"

namespace modelhost::model {

// Lower-case hex. Errors: NotFound naming a missing required file; the
// file reader's errors.
core::Result<std::string> ModelDirectoryChecksum(const std::string& directory);

// OK when the directory's checksum is `expected`; DataLoss naming the
// directory otherwise.
core::Status VerifyModelDirectory(const std::string& directory, const std::string& expected);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_MODEL_CHECKSUM_H_
