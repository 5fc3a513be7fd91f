// The .tar form of a model directory (model_directory.h): what
// GET /v1/models/{name}/versions/{v}/bundle sends and what
// POST /v1/models/{name}/versions accepts. libarchive reads and writes the
// tar format; this file decides which entries a bundle may hold.
//
// Packing: a POSIX ustar archive (pax headers only where ustar cannot say
// it) whose entries are exactly the model's files, in the fixed order
// model.json, network.json, pipeline.json (iff model.json says
// "pipeline": true), weights.safetensors, each with mode 0644, mtime 0,
// uid/gid 0 and no owner names, so one directory always packs to the same
// bytes.
//
// Unpacking accepts archives made by other tools in three layouts: the
// files at the top ("model.json"), under "./" (`tar -C dir -cf x.tar .`),
// or under one directory shared by all entries (`tar -cf x.tar model/`);
// directory entries for that prefix are skipped. Nothing else is accepted.
//
// Thread-safety: both functions are reentrant; they block on disk I/O.

#ifndef MODELHOST_MODEL_BUNDLE_ARCHIVE_H_
#define MODELHOST_MODEL_BUNDLE_ARCHIVE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::model {

// Bounds on what an uploaded bundle may unpack to. A sparse or lying entry
// cannot get past them: the bytes are counted as they are written.
struct BundleLimits {
  uint64_t max_file_bytes = uint64_t{1} << 30;   // any one file
  uint64_t max_total_bytes = uint64_t{1} << 30;  // all files together
};

// Packs the model directory at `directory` as a .tar byte string. The
// directory is validated with ModelDirectory::Read first, so a bundle that
// packs always unpacks. Errors: those of ModelDirectory::Read and of reading
// the files (core/file_reader.h); Internal if libarchive fails.
core::Result<std::string> PackModelDirectory(const std::string& directory);

// Unpacks the .tar `tar_bytes` as the new model directory `destination`
// and validates it with ModelDirectory::Read. The files are written into a
// temporary sibling directory ".<name>.tmp-XXXXXX", validated there, and
// renamed onto `destination` only when valid, so on any error nothing is
// left at `destination` and no temporary directory remains.
// Errors:
//   AlreadyExists       `destination` exists (even as an empty directory);
//   NotFound            its parent directory does not exist;
//   InvalidArgument     "not a tar archive: <why>" for a body libarchive
//                       cannot read as tar (empty, truncated, garbage);
//                       "bundle entry '<name>': <why>" (the name as
//                       data::QuoteForMessage shows it) for an absolute path,
//                       a ".." component, a link, a device or any entry that
//                       is not a regular file, an unknown or duplicate name,
//                       or a prefix not shared by all entries;
//                       "bundle: ..." for a missing file, a pipeline.json
//                       that model.json does not ask for, or any error of
//                       ModelDirectory::Read (NotFound and DataLoss become
//                       InvalidArgument: the upload is at fault; paths in
//                       the message are the entry names, not server paths);
//   ResourceExhausted   a file or all files together above `limits`;
//   otherwise the errno-derived errors of core/atomic_file.h.
core::Status UnpackModelBundle(std::string_view tar_bytes, const std::string& destination,
                               const BundleLimits& limits);

// UnpackModelBundle for the .tar file at `tar_path`, read block by block (an
// uploaded bundle is never held in memory whole). Errors as
// UnpackModelBundle, plus those of reading the file (core/file_reader.h).
core::Status UnpackModelBundleFile(const std::string& tar_path, const std::string& destination,
                                   const BundleLimits& limits);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_BUNDLE_ARCHIVE_H_
