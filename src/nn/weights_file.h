// Weights file: a model's parameters stored in the safetensors layout
// (https://github.com/huggingface/safetensors), readable and writable by the
// Python `safetensors` package:
//
//   bytes [0, 8)        N, the header length, unsigned 64-bit little-endian
//   bytes [8, 8 + N)    UTF-8 JSON object, padded at the end with spaces:
//                         {"__metadata__": {"key": "value", ...},        (optional)
//                          "dense_1/kernel": {"dtype": "F32", "shape": [4, 8],
//                                             "data_offsets": [0, 128]}, ...}
//   bytes [8 + N, end)  the data: each tensor's elements, row-major,
//                       little-endian, at [begin, end) relative to byte 8 + N.
//
// What is written: every parameter (trainable or not) as an F32 tensor of
// shape [rows, cols], sorted by name (as the reference writer does), packed
// back to back from offset 0; the header is padded so the data starts at a
// multiple of 8 bytes; "__metadata__" is written first, and only when not empty.
//
// What is accepted on reading — and everything else is rejected, never
// trusted: a header length that fits the file and is at most 100 MB; a JSON
// object header that begins with '{'; per tensor a dtype, a shape of unsigned
// integers, and data_offsets [begin, end] with end − begin equal to the
// shape's byte size; tensors that together tile the data exactly (no overlap,
// no gap, nothing after the last one), as the reference reader requires.
// Only dtype F32 and ranks 0..2 are supported: a rank-1 tensor [n] is read as
// a 1×n matrix and a scalar as 1×1 (Keras biases are rank 1). Errors:
// DataLoss for a file that is not valid safetensors (truncated, corrupt
// header, bad offsets), InvalidArgument for a valid file this build cannot use
// (another dtype, rank > 2) or that does not fit the model (LoadWeights);
// every message starts with the file's name and names the tensor at fault.
//
// Thread-safety: the functions are reentrant; distinct calls may run
// concurrently as long as they do not write the same Parameters.

#ifndef MODELHOST_NN_WEIGHTS_FILE_H_
#define MODELHOST_NN_WEIGHTS_FILE_H_

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "nn/matrix.h"
#include "nn/parameter.h"

namespace modelhost::nn {

// Free-form string pairs stored under "__metadata__" (e.g. format, version).
using WeightsMetadata = std::map<std::string, std::string>;

struct NamedTensor {
  std::string name;
  Matrix value;
};

// The contents of a weights file.
struct WeightsContents {
  // In the order of their data in the file (name order for files we write).
  std::vector<NamedTensor> tensors;
  WeightsMetadata metadata;
};

// The largest header accepted, as in the reference implementation.
inline constexpr size_t kMaxWeightsHeaderBytes = 100'000'000;

// The whole file as bytes. InvalidArgument when a name is empty, is
// "__metadata__", appears twice, or a name or metadata string is not valid
// UTF-8. Parameters are only read.
core::Result<std::string> EncodeWeights(std::span<Parameter* const> parameters,
                                        const WeightsMetadata& metadata);

// Writes EncodeWeights(...) to `path` atomically (core::AtomicFileWriter: a
// crash leaves the old file or the new one). Blocks on disk I/O. Errors of
// EncodeWeights, and those of core/atomic_file.h naming the path.
core::Status WriteWeightsFile(const std::string& path, std::span<Parameter* const> parameters,
                              const WeightsMetadata& metadata = {});

// Parses a whole file's bytes; `source` (the path) starts every error
// message. Never crashes on arbitrary input. Memory: the decoded tensors take
// at most bytes.size() (their shapes must match the data they occupy); the
// header (at most kMaxWeightsHeaderBytes) is parsed into a JSON tree, one
// allocation per value, that can take many times the header's length while
// DecodeWeights runs and is freed before it returns. Running out of memory is
// ResourceExhausted.
core::Result<WeightsContents> DecodeWeights(std::string_view bytes, std::string_view source);

// Reads and parses the file at `path`. NotFound etc. from core/atomic_file.h,
// then DecodeWeights's errors.
core::Result<WeightsContents> ReadWeightsFile(const std::string& path);

// Copies `contents` into `parameters` after checking that they match one to
// one: every parameter's name present, no tensor without a parameter, and
// equal shapes (InvalidArgument naming `source` and the first tensor at
// fault), and that every value is finite and no tensor named
// "*/moving_variance" holds a negative value (DataLoss naming `source`, the
// tensor and the element). On error no parameter is modified. Gradients are
// left alone.
core::Status LoadWeights(const WeightsContents& contents, std::span<Parameter* const> parameters,
                         std::string_view source);

// ReadWeightsFile(path) then LoadWeights(contents, parameters, path).
core::Status LoadWeightsFile(const std::string& path, std::span<Parameter* const> parameters);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_WEIGHTS_FILE_H_
