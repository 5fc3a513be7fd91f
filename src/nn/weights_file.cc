#include "nn/weights_file.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <numeric>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/file_reader.h"

namespace modelhost::nn {
namespace {

static_assert(std::endian::native == std::endian::little,
              "weights files hold little-endian floats; a big-endian host needs byte swaps here");

constexpr std::string_view kMetadataKey = "__metadata__";
constexpr size_t kHeaderLengthBytes = 8;
// The deepest a valid header nests: root object → tensor object → shape array.
constexpr int kMaxHeaderDepth = 3;

// Every safetensors dtype: F32 is supported, the others are recognized so a
// valid file of another dtype gets InvalidArgument rather than DataLoss.
constexpr std::string_view kKnownDtypes[] = {"BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3",
                                             "I16",  "U16", "F16", "BF16",    "I32",
                                             "U32",  "F32", "F64", "I64",     "U64"};

// One tensor as the header describes it.
struct TensorInfo {
  std::string name;
  size_t rows = 1;
  size_t cols = 1;
  uint64_t begin = 0;
  uint64_t end = 0;
};

core::Status Corrupt(std::string_view source, const std::string& what) {
  return core::DataLoss(std::string(source) + ": not a valid safetensors file: " + what);
}

core::Status TensorCorrupt(std::string_view source, std::string_view tensor,
                           const std::string& what) {
  return Corrupt(source, "tensor \"" + std::string(tensor) + "\": " + what);
}

uint64_t ReadLittleEndian64(std::string_view bytes) {
  uint64_t value = 0;
  std::memcpy(&value, bytes.data(), sizeof(value));
  return value;
}

std::string LittleEndian64(uint64_t value) {
  std::string bytes(sizeof(value), '\0');
  std::memcpy(bytes.data(), &value, sizeof(value));
  return bytes;
}

// Bracket depth outside strings. Checked before parsing so that a hostile
// "[[[[..." header cannot make the parser or the tree it builds deep.
bool NestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (in_string) {
      if (c == '\\') {
        ++k;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

core::Result<nlohmann::json> ParseHeader(std::string_view header, std::string_view source) {
  if (header.empty() || header.front() != '{') {
    return Corrupt(source, "the header does not start with '{'");
  }
  if (!NestingWithin(header, kMaxHeaderDepth)) {
    return Corrupt(source, "the header nests deeper than the format allows");
  }
  try {
    nlohmann::json json = nlohmann::json::parse(header);
    if (!json.is_object()) return Corrupt(source, "the header is not a JSON object");
    return json;
  } catch (const nlohmann::json::exception& error) {
    return Corrupt(source, std::string("the header is not valid JSON: ") + error.what());
  }
}

core::Status ParseMetadata(const nlohmann::json& json, std::string_view source,
                           WeightsMetadata* metadata) {
  if (!json.is_object()) return Corrupt(source, "\"__metadata__\" is not an object");
  for (const auto& [key, value] : json.items()) {
    if (!value.is_string()) {
      return Corrupt(source, "\"__metadata__\" value for \"" + key + "\" is not a string");
    }
    (*metadata)[key] = value.get<std::string>();
  }
  return core::OkStatus();
}

// Reads shape into info->rows/cols; returns the element count.
core::Result<uint64_t> ParseShape(const nlohmann::json& shape, std::string_view source,
                                  TensorInfo* info) {
  if (!shape.is_array()) return TensorCorrupt(source, info->name, "\"shape\" is not an array");
  uint64_t dims[2] = {1, 1};
  uint64_t elements = 1;
  for (const nlohmann::json& dim : shape) {
    if (!dim.is_number_unsigned()) {
      return TensorCorrupt(source, info->name,
                           "\"shape\" holds something other than an unsigned integer");
    }
    const uint64_t size = dim.get<uint64_t>();
    if (size != 0 && elements > UINT64_MAX / 4 / size) {
      return TensorCorrupt(source, info->name, "\"shape\" is too large");
    }
    elements *= size;
  }
  if (shape.size() > 2) {
    return core::InvalidArgument(std::string(source) + ": tensor \"" + info->name + "\" has rank " +
                                 std::to_string(shape.size()) +
                                 "; only ranks 0 to 2 are supported");
  }
  if (shape.size() == 1) dims[1] = shape[0].get<uint64_t>();
  if (shape.size() == 2) {
    dims[0] = shape[0].get<uint64_t>();
    dims[1] = shape[1].get<uint64_t>();
  }
  info->rows = static_cast<size_t>(dims[0]);
  info->cols = static_cast<size_t>(dims[1]);
  return elements;
}

core::Result<TensorInfo> ParseTensorInfo(const std::string& name, const nlohmann::json& json,
                                         std::string_view source) {
  TensorInfo info;
  info.name = name;
  if (!json.is_object()) return TensorCorrupt(source, name, "its entry is not an object");
  const auto dtype = json.find("dtype");
  const auto shape = json.find("shape");
  const auto offsets = json.find("data_offsets");
  if (dtype == json.end() || shape == json.end() || offsets == json.end()) {
    return TensorCorrupt(source, name, "needs \"dtype\", \"shape\" and \"data_offsets\"");
  }
  if (!dtype->is_string()) return TensorCorrupt(source, name, "\"dtype\" is not a string");
  const std::string& dtype_name = dtype->get_ref<const std::string&>();
  if (std::find(std::begin(kKnownDtypes), std::end(kKnownDtypes), dtype_name) ==
      std::end(kKnownDtypes)) {
    return TensorCorrupt(source, name, "unknown dtype \"" + dtype_name + "\"");
  }
  if (dtype_name != "F32") {
    return core::InvalidArgument(std::string(source) + ": tensor \"" + name + "\" has dtype " +
                                 dtype_name + "; only F32 is supported");
  }
  MODELHOST_ASSIGN_OR_RETURN(const uint64_t elements, ParseShape(*shape, source, &info));
  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    return TensorCorrupt(source, name, "\"data_offsets\" is not [begin, end] of unsigned integers");
  }
  info.begin = (*offsets)[0].get<uint64_t>();
  info.end = (*offsets)[1].get<uint64_t>();
  if (info.end < info.begin) return TensorCorrupt(source, name, "\"data_offsets\" end < begin");
  if (info.end - info.begin != elements * sizeof(float)) {
    return TensorCorrupt(source, name,
                         "\"data_offsets\" span " + std::to_string(info.end - info.begin) +
                             " bytes but the shape needs " +
                             std::to_string(elements * sizeof(float)));
  }
  return info;
}

// The tensors must tile [0, data_size) exactly, as the reference reader
// requires. Sorts `tensors` by offset.
core::Status CheckLayout(std::vector<TensorInfo>& tensors, uint64_t data_size,
                         std::string_view source) {
  std::sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  uint64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& tensor : tensors) {
    if (tensor.end > data_size) {
      return TensorCorrupt(source, tensor.name,
                           "data [" + std::to_string(tensor.begin) + ", " +
                               std::to_string(tensor.end) + ") lies past the end of the data (" +
                               std::to_string(data_size) + " bytes): the file is truncated");
    }
    if (tensor.begin < expected) {
      return TensorCorrupt(source, tensor.name, "data overlaps tensor \"" + previous->name + "\"");
    }
    if (tensor.begin > expected) {
      return TensorCorrupt(
          source, tensor.name,
          "a gap of " + std::to_string(tensor.begin - expected) + " bytes precedes its data");
    }
    expected = tensor.end;
    previous = &tensor;
  }
  if (expected != data_size) {
    return Corrupt(source, std::to_string(data_size - expected) +
                               " bytes after the last tensor belong to no tensor");
  }
  return core::OkStatus();
}

core::Result<std::vector<TensorInfo>> ParseTensorInfos(const nlohmann::json& header,
                                                       std::string_view source,
                                                       WeightsMetadata* metadata) {
  std::vector<TensorInfo> tensors;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      MODELHOST_RETURN_IF_ERROR(ParseMetadata(value, source, metadata));
      continue;
    }
    MODELHOST_ASSIGN_OR_RETURN(TensorInfo info, ParseTensorInfo(key, value, source));
    tensors.push_back(std::move(info));
  }
  return tensors;
}

core::Status CheckNames(std::span<Parameter* const> parameters) {
  std::set<std::string_view> names;
  for (const Parameter* parameter : parameters) {
    if (parameter->name.empty() || parameter->name == kMetadataKey) {
      return core::InvalidArgument("weights: parameter name \"" + parameter->name +
                                   "\" cannot be stored");
    }
    if (!names.insert(parameter->name).second) {
      return core::InvalidArgument("weights: two parameters are named \"" + parameter->name + "\"");
    }
  }
  return core::OkStatus();
}

// The header bytes (length prefix included) for `sorted` parameters.
core::Result<std::string> EncodeHeader(const std::vector<const Parameter*>& sorted,
                                       const WeightsMetadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (const Parameter* parameter : sorted) {
    const uint64_t bytes = parameter->value.size() * sizeof(float);
    header[parameter->name] = {{"dtype", "F32"},
                               {"shape", {parameter->value.rows(), parameter->value.cols()}},
                               {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& error) {
    return core::InvalidArgument(std::string("weights: a name or metadata string is not UTF-8: ") +
                                 error.what());
  }
  // Pad so the data starts 8-byte aligned, as the reference writer does.
  text.append((kHeaderLengthBytes - text.size() % kHeaderLengthBytes) % kHeaderLengthBytes, ' ');
  return LittleEndian64(text.size()) + text;
}

core::Result<std::vector<const Parameter*>> SortedByName(std::span<Parameter* const> parameters) {
  MODELHOST_RETURN_IF_ERROR(CheckNames(parameters));
  std::vector<const Parameter*> sorted(parameters.begin(), parameters.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const Parameter* a, const Parameter* b) { return a->name < b->name; });
  return sorted;
}

std::string_view Bytes(const Matrix& matrix) {
  return {reinterpret_cast<const char*>(matrix.data()), matrix.size() * sizeof(float)};
}

core::Result<WeightsContents> DecodeWeightsUnguarded(std::string_view bytes,
                                                     std::string_view source) {
  if (bytes.size() < kHeaderLengthBytes) {
    return Corrupt(source, "truncated: " + std::to_string(bytes.size()) +
                               " bytes, fewer than the 8-byte header length");
  }
  const uint64_t header_length = ReadLittleEndian64(bytes);
  const uint64_t available = bytes.size() - kHeaderLengthBytes;
  if (header_length > available) {
    return Corrupt(source, "header length " + std::to_string(header_length) +
                               " runs past the end of the file (" + std::to_string(bytes.size()) +
                               " bytes): truncated or corrupt");
  }
  if (header_length > kMaxWeightsHeaderBytes) {
    return Corrupt(source, "header length " + std::to_string(header_length) + " exceeds the limit");
  }
  MODELHOST_ASSIGN_OR_RETURN(const nlohmann::json header,
                             ParseHeader(bytes.substr(kHeaderLengthBytes, header_length), source));
  WeightsContents contents;
  MODELHOST_ASSIGN_OR_RETURN(std::vector<TensorInfo> tensors,
                             ParseTensorInfos(header, source, &contents.metadata));
  const std::string_view data = bytes.substr(kHeaderLengthBytes + header_length);
  MODELHOST_RETURN_IF_ERROR(CheckLayout(tensors, data.size(), source));
  contents.tensors.reserve(tensors.size());
  for (TensorInfo& info : tensors) {
    Matrix value(info.rows, info.cols);
    if (!value.empty()) std::memcpy(value.data(), data.data() + info.begin, info.end - info.begin);
    contents.tensors.push_back({std::move(info.name), std::move(value)});
  }
  return contents;
}

// A NaN or infinite weight (or a negative variance, whose square root a
// BatchNormalization takes) would poison every prediction; a file holding one
// is damaged, whatever its layout says.
core::Status CheckValues(std::string_view name, const Matrix& value, std::string_view source) {
  constexpr std::string_view kVarianceSuffix = "/moving_variance";
  const bool variance = name.ends_with(kVarianceSuffix);
  const float* values = value.data();
  for (size_t index = 0; index < value.size(); ++index) {
    const float element = values[index];
    if (std::isfinite(element) && !(variance && element < 0.0f)) continue;
    const std::string where = std::string(source) + ": tensor \"" + std::string(name) +
                              "\" element " + std::to_string(index) + " ([" +
                              std::to_string(index / std::max<size_t>(value.cols(), 1)) + ", " +
                              std::to_string(index % std::max<size_t>(value.cols(), 1)) + "]) is ";
    if (!std::isfinite(element)) {
      return core::DataLoss(where + (std::isnan(element) ? "NaN" : "infinite"));
    }
    return core::DataLoss(where + std::to_string(element) + ", but a variance cannot be negative");
  }
  return core::OkStatus();
}

}  // namespace

core::Result<std::string> EncodeWeights(std::span<Parameter* const> parameters,
                                        const WeightsMetadata& metadata) {
  MODELHOST_ASSIGN_OR_RETURN(const auto sorted, SortedByName(parameters));
  MODELHOST_ASSIGN_OR_RETURN(std::string bytes, EncodeHeader(sorted, metadata));
  for (const Parameter* parameter : sorted) bytes.append(Bytes(parameter->value));
  return bytes;
}

core::Status WriteWeightsFile(const std::string& path, std::span<Parameter* const> parameters,
                              const WeightsMetadata& metadata) {
  MODELHOST_ASSIGN_OR_RETURN(const auto sorted, SortedByName(parameters));
  MODELHOST_ASSIGN_OR_RETURN(const std::string header, EncodeHeader(sorted, metadata));
  MODELHOST_ASSIGN_OR_RETURN(auto writer, core::AtomicFileWriter::Create(path));
  MODELHOST_RETURN_IF_ERROR(writer->Append(header));
  // Straight from the matrices: no second copy of the weights in memory.
  for (const Parameter* parameter : sorted) {
    MODELHOST_RETURN_IF_ERROR(writer->Append(Bytes(parameter->value)));
  }
  return writer->Commit();
}

core::Result<WeightsContents> DecodeWeights(std::string_view bytes, std::string_view source) {
  // Every size is bounded by bytes.size(), but the machine may still run out
  // of memory; that is an error, not a crash.
  try {
    return DecodeWeightsUnguarded(bytes, source);
  } catch (const std::bad_alloc&) {
    return core::ResourceExhausted(std::string(source) + ": out of memory decoding " +
                                   std::to_string(bytes.size()) + " bytes of weights");
  }
}

core::Result<WeightsContents> ReadWeightsFile(const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(const std::string bytes, core::ReadFileToString(path));
  return DecodeWeights(bytes, path);
}

core::Status LoadWeights(const WeightsContents& contents, std::span<Parameter* const> parameters,
                         std::string_view source) {
  std::map<std::string_view, const NamedTensor*> by_name;
  for (const NamedTensor& tensor : contents.tensors) by_name[tensor.name] = &tensor;
  std::vector<const Matrix*> matched(parameters.size());
  for (size_t index = 0; index < parameters.size(); ++index) {
    const Parameter& parameter = *parameters[index];
    const auto found = by_name.find(parameter.name);
    if (found == by_name.end()) {
      return core::InvalidArgument(std::string(source) + ": tensor \"" + parameter.name +
                                   "\" that the model needs is missing");
    }
    const Matrix& value = found->second->value;
    if (value.rows() != parameter.value.rows() || value.cols() != parameter.value.cols()) {
      return core::InvalidArgument(std::string(source) + ": tensor \"" + parameter.name +
                                   "\" has shape [" + std::to_string(value.rows()) + ", " +
                                   std::to_string(value.cols()) + "] but the model expects [" +
                                   std::to_string(parameter.value.rows()) + ", " +
                                   std::to_string(parameter.value.cols()) + "]");
    }
    MODELHOST_RETURN_IF_ERROR(CheckValues(parameter.name, value, source));
    matched[index] = &value;
    by_name.erase(found);
  }
  if (!by_name.empty()) {
    return core::InvalidArgument(std::string(source) + ": tensor \"" +
                                 std::string(by_name.begin()->first) +
                                 "\" matches no parameter of the model");
  }
  for (size_t index = 0; index < parameters.size(); ++index) {
    parameters[index]->value = *matched[index];
  }
  return core::OkStatus();
}

core::Status LoadWeightsFile(const std::string& path, std::span<Parameter* const> parameters) {
  MODELHOST_ASSIGN_OR_RETURN(const WeightsContents contents, ReadWeightsFile(path));
  return LoadWeights(contents, parameters, path);
}

}  // namespace modelhost::nn
