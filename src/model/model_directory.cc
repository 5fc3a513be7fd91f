#include "model/model_directory.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "core/atomic_file.h"
#include "core/file_reader.h"
#include "nn/weights_file.h"

namespace modelhost::model {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- writing ---------------------------------------------------------------

json DoubleToJson(double value) {
  // JSON has no NaN or infinity (AUC of one class is NaN): store null.
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json SchemaToJson(const InputSchema& schema) {
  json features = json::array();
  for (const FeatureSchema& feature : schema.features) {
    features.push_back({{"name", feature.name}, {"type", data::ToString(feature.type)}});
  }
  return {{"features", features}};
}

json TargetToJson(const TargetSchema& target) {
  return {{"name", target.name},
          {"type", data::ToString(target.type)},
          {"encoding", ToString(target.encoding)},
          {"labels", target.labels}};
}

json TrainingToJson(const TrainingRecord& training) {
  json history = json::array();
  for (const nn::EpochLog& epoch : training.history) {
    json values = json::object();
    for (const auto& [key, value] : epoch.values) values[key] = DoubleToJson(value);
    history.push_back({{"epoch", epoch.epoch + 1},
                       {"values", values},
                       {"skipped_batches", epoch.skipped_batches}});
  }
  auto metrics = [](const std::map<std::string, double>& values) {
    json object = json::object();
    for (const auto& [key, value] : values) object[key] = DoubleToJson(value);
    return object;
  };
  return {{"data_file", training.data_file},
          {"data_sha256", training.data_sha256},
          {"dataset_id", training.dataset_id},
          {"job_id", training.job_id},
          {"evaluation",
           {{"validation", metrics(training.validation)}, {"test", metrics(training.test)}}},
          {"optimizer", training.optimizer},
          {"learning_rate", training.learning_rate},
          {"epochs", training.epochs},
          {"batch_size", training.batch_size},
          {"validation_split", training.validation_split},
          {"seed", training.seed},
          {"history", history}};
}

std::string ModelJson(const ModelDescription& description) {
  json document = {{"format_version", kModelFormatVersion},
                   {"modelhost_version", description.modelhost_version},
                   {"created_at", description.created_at},
                   {"input_schema", SchemaToJson(description.schema)},
                   {"pipeline", description.pipeline.has_value()},
                   {"target", TargetToJson(description.schema.target)},
                   {"loss", nn::ToString(description.loss)},
                   {"metrics", description.metrics},
                   {"training", TrainingToJson(description.training)}};
  return document.dump(2) + "\n";
}

core::Status WriteFiles(const std::string& directory, const ModelDescription& description,
                        const nn::Sequential& network) {
  MODELHOST_RETURN_IF_ERROR(core::WriteFileAtomically(
      directory + "/" + kNetworkJsonFile, nn::NetworkSpecToJson(description.network_spec) + "\n"));
  if (description.pipeline) {
    MODELHOST_ASSIGN_OR_RETURN(std::string pipeline, description.pipeline->ToJson());
    MODELHOST_RETURN_IF_ERROR(
        core::WriteFileAtomically(directory + "/" + kPipelineJsonFile, pipeline + "\n"));
  }
  MODELHOST_RETURN_IF_ERROR(nn::WriteWeightsFile(directory + "/" + kWeightsFile,
                                                 network.parameters(),
                                                 {{"format", "pt"}, {"producer", "modelhost"}}));
  return core::WriteFileAtomically(directory + "/" + kModelJsonFile, ModelJson(description));
}

// ---- reading ---------------------------------------------------------------

// Reads fields of one JSON object, naming the file and the field path in
// every error.
class FieldReader {
 public:
  FieldReader(const json& object, std::string file, std::string prefix)
      : object_(object), file_(std::move(file)), prefix_(std::move(prefix)) {}

  core::Status Error(std::string_view key, std::string_view problem) const {
    return core::DataLoss(file_ + ": field '" + prefix_ + std::string(key) +
                          "': " + std::string(problem));
  }

  core::Result<const json*> Get(std::string_view key, json::value_t type,
                                std::string_view type_name) const {
    auto found = object_.find(key);
    if (found == object_.end()) return Error(key, "missing");
    bool matches = found->type() == type ||
                   (type == json::value_t::number_float && found->is_number()) ||
                   (type == json::value_t::number_integer && found->is_number_unsigned());
    if (!matches) return Error(key, "expected " + std::string(type_name));
    return &*found;
  }

  core::Result<std::string> String(std::string_view key) const {
    MODELHOST_ASSIGN_OR_RETURN(const json* value, Get(key, json::value_t::string, "a string"));
    return value->get<std::string>();
  }
  core::Result<bool> Bool(std::string_view key) const {
    MODELHOST_ASSIGN_OR_RETURN(const json* value,
                               Get(key, json::value_t::boolean, "true or false"));
    return value->get<bool>();
  }
  core::Result<double> Number(std::string_view key) const {
    MODELHOST_ASSIGN_OR_RETURN(const json* value,
                               Get(key, json::value_t::number_float, "a number"));
    return value->get<double>();
  }
  core::Result<uint64_t> Unsigned(std::string_view key) const {
    MODELHOST_ASSIGN_OR_RETURN(const json* value,
                               Get(key, json::value_t::number_unsigned, "a non-negative integer"));
    return value->get<uint64_t>();
  }
  core::Result<const json*> Object(std::string_view key) const {
    return Get(key, json::value_t::object, "an object");
  }
  bool Has(std::string_view key) const { return object_.contains(key); }
  core::Result<const json*> Array(std::string_view key) const {
    return Get(key, json::value_t::array, "an array");
  }
  core::Result<std::vector<std::string>> Strings(std::string_view key) const {
    MODELHOST_ASSIGN_OR_RETURN(const json* array, Array(key));
    std::vector<std::string> strings;
    for (const json& element : *array) {
      if (!element.is_string()) return Error(key, "expected an array of strings");
      strings.push_back(element.get<std::string>());
    }
    return strings;
  }
  FieldReader Nested(const json& object, const std::string& key) const {
    return FieldReader(object, file_, prefix_ + key + ".");
  }

 private:
  const json& object_;
  std::string file_;
  std::string prefix_;
};

core::Result<data::ColumnType> ReadColumnType(const FieldReader& reader, std::string_view key) {
  MODELHOST_ASSIGN_OR_RETURN(std::string name, reader.String(key));
  auto type = data::ParseColumnType(name);
  if (!type.ok()) return reader.Error(key, type.status().message());
  return *type;
}

core::Result<InputSchema> ReadSchema(const FieldReader& root) {
  InputSchema schema;
  MODELHOST_ASSIGN_OR_RETURN(const json* input, root.Object("input_schema"));
  FieldReader input_reader = root.Nested(*input, "input_schema");
  MODELHOST_ASSIGN_OR_RETURN(const json* features, input_reader.Array("features"));
  if (features->empty()) return input_reader.Error("features", "empty");
  for (size_t index = 0; index < features->size(); ++index) {
    const json& feature = (*features)[index];
    std::string key = "features[" + std::to_string(index) + "]";
    if (!feature.is_object()) return input_reader.Error(key, "expected an object");
    FieldReader feature_reader = input_reader.Nested(feature, key);
    FeatureSchema parsed;
    MODELHOST_ASSIGN_OR_RETURN(parsed.name, feature_reader.String("name"));
    MODELHOST_ASSIGN_OR_RETURN(parsed.type, ReadColumnType(feature_reader, "type"));
    if (parsed.type == data::ColumnType::kCategorical) {
      return feature_reader.Error("type", "categorical features are not supported yet");
    }
    schema.features.push_back(std::move(parsed));
  }

  MODELHOST_ASSIGN_OR_RETURN(const json* target, root.Object("target"));
  FieldReader target_reader = root.Nested(*target, "target");
  MODELHOST_ASSIGN_OR_RETURN(schema.target.name, target_reader.String("name"));
  MODELHOST_ASSIGN_OR_RETURN(schema.target.type, ReadColumnType(target_reader, "type"));
  MODELHOST_ASSIGN_OR_RETURN(std::string encoding, target_reader.String("encoding"));
  auto parsed_encoding = ParseTargetEncoding(encoding);
  if (!parsed_encoding.ok()) {
    return target_reader.Error("encoding", parsed_encoding.status().message());
  }
  schema.target.encoding = *parsed_encoding;
  MODELHOST_ASSIGN_OR_RETURN(schema.target.labels, target_reader.Strings("labels"));
  bool classes = schema.target.encoding != TargetEncoding::kValue;
  if (classes && schema.target.labels.size() < 2) {
    return target_reader.Error("labels", "a classifier needs at least two labels");
  }
  if (schema.target.encoding == TargetEncoding::kBinary && schema.target.labels.size() != 2) {
    return target_reader.Error("labels", "a binary target needs exactly two labels");
  }
  if (!classes && !schema.target.labels.empty()) {
    return target_reader.Error("labels", "must be empty for encoding 'value'");
  }
  return schema;
}

// The object `key` of metric name → number (null: NaN, as written).
core::Result<std::map<std::string, double>> ReadMetricValues(const FieldReader& reader,
                                                             std::string_view key) {
  MODELHOST_ASSIGN_OR_RETURN(const json* object, reader.Object(key));
  std::map<std::string, double> values;
  for (const auto& [name, value] : object->items()) {
    if (value.is_null()) {
      values[name] = std::numeric_limits<double>::quiet_NaN();
    } else if (value.is_number()) {
      values[name] = value.get<double>();
    } else {
      return reader.Error(std::string(key) + "." + name, "expected a number or null");
    }
  }
  return values;
}

core::Result<TrainingRecord> ReadTraining(const FieldReader& root) {
  MODELHOST_ASSIGN_OR_RETURN(const json* object, root.Object("training"));
  FieldReader reader = root.Nested(*object, "training");
  TrainingRecord training;
  MODELHOST_ASSIGN_OR_RETURN(training.data_file, reader.String("data_file"));
  MODELHOST_ASSIGN_OR_RETURN(training.data_sha256, reader.String("data_sha256"));
  if (training.data_sha256.size() != 64 ||
      training.data_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return reader.Error("data_sha256", "expected 64 lower-case hex digits");
  }
  MODELHOST_ASSIGN_OR_RETURN(training.optimizer, reader.String("optimizer"));
  MODELHOST_ASSIGN_OR_RETURN(training.learning_rate, reader.Number("learning_rate"));
  MODELHOST_ASSIGN_OR_RETURN(uint64_t epochs, reader.Unsigned("epochs"));
  if (epochs > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
    return reader.Error("epochs", "too large");
  }
  training.epochs = static_cast<int>(epochs);
  MODELHOST_ASSIGN_OR_RETURN(training.batch_size, reader.Unsigned("batch_size"));
  MODELHOST_ASSIGN_OR_RETURN(training.validation_split, reader.Number("validation_split"));
  MODELHOST_ASSIGN_OR_RETURN(training.seed, reader.Unsigned("seed"));
  MODELHOST_ASSIGN_OR_RETURN(const json* history, reader.Array("history"));
  for (size_t index = 0; index < history->size(); ++index) {
    const json& entry = (*history)[index];
    std::string key = "history[" + std::to_string(index) + "]";
    if (!entry.is_object()) return reader.Error(key, "expected an object");
    FieldReader entry_reader = reader.Nested(entry, key);
    nn::EpochLog log;
    MODELHOST_ASSIGN_OR_RETURN(uint64_t epoch, entry_reader.Unsigned("epoch"));
    if (epoch != index + 1) return entry_reader.Error("epoch", "out of sequence");
    log.epoch = static_cast<int>(index);
    MODELHOST_ASSIGN_OR_RETURN(uint64_t skipped, entry_reader.Unsigned("skipped_batches"));
    log.skipped_batches = static_cast<int>(std::min<uint64_t>(skipped, 1u << 30));
    MODELHOST_ASSIGN_OR_RETURN(log.values, ReadMetricValues(entry_reader, "values"));
    training.history.push_back(std::move(log));
  }
  // Absent in models written before the server kept them.
  if (reader.Has("dataset_id")) {
    MODELHOST_ASSIGN_OR_RETURN(training.dataset_id, reader.String("dataset_id"));
  }
  if (reader.Has("job_id")) {
    MODELHOST_ASSIGN_OR_RETURN(training.job_id, reader.String("job_id"));
  }
  if (reader.Has("evaluation")) {
    MODELHOST_ASSIGN_OR_RETURN(const json* evaluation, reader.Object("evaluation"));
    FieldReader evaluation_reader = reader.Nested(*evaluation, "evaluation");
    MODELHOST_ASSIGN_OR_RETURN(training.validation,
                               ReadMetricValues(evaluation_reader, "validation"));
    MODELHOST_ASSIGN_OR_RETURN(training.test, ReadMetricValues(evaluation_reader, "test"));
  }
  return training;
}

// The parsed model.json, and whether it says a pipeline.json comes with it.
struct ParsedModelJson {
  ModelDescription description;
  bool has_pipeline = false;
};

core::Result<ParsedModelJson> ParseModelJson(const std::string& text, const std::string& file) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& error) {
    return core::DataLoss(file + ": not valid JSON: " + error.what());
  }
  if (!document.is_object()) return core::DataLoss(file + ": expected a JSON object");
  FieldReader root(document, file, "");
  MODELHOST_ASSIGN_OR_RETURN(uint64_t version, root.Unsigned("format_version"));
  if (version < 1 || version > static_cast<uint64_t>(kModelFormatVersion)) {
    return core::InvalidArgument(file + ": field 'format_version': " + std::to_string(version) +
                                 " is not supported (this build reads 1 to " +
                                 std::to_string(kModelFormatVersion) + ")");
  }
  ParsedModelJson parsed;
  if (version >= 2) {
    MODELHOST_ASSIGN_OR_RETURN(parsed.has_pipeline, root.Bool("pipeline"));
  }
  ModelDescription& description = parsed.description;
  MODELHOST_ASSIGN_OR_RETURN(description.modelhost_version, root.String("modelhost_version"));
  MODELHOST_ASSIGN_OR_RETURN(description.created_at, root.String("created_at"));
  MODELHOST_ASSIGN_OR_RETURN(description.schema, ReadSchema(root));
  MODELHOST_ASSIGN_OR_RETURN(std::string loss, root.String("loss"));
  auto loss_kind = nn::ParseLoss(loss);
  if (!loss_kind.ok()) return root.Error("loss", loss_kind.status().message());
  description.loss = *loss_kind;
  MODELHOST_ASSIGN_OR_RETURN(description.metrics, root.Strings("metrics"));
  MODELHOST_ASSIGN_OR_RETURN(description.training, ReadTraining(root));
  return parsed;
}

// Reads pipeline.json and checks that its outputs are the schema's features.
core::Result<data::FittedPipeline> ReadPipeline(const std::string& file,
                                                const InputSchema& schema) {
  MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(file));
  core::Result<data::FittedPipeline> pipeline = data::FittedPipeline::FromJson(text);
  if (!pipeline.ok()) return core::DataLoss(file + ": " + pipeline.status().message());
  const std::vector<std::string>& outputs = pipeline->feature_names();
  bool same = outputs.size() == schema.features.size();
  for (size_t i = 0; same && i < outputs.size(); ++i) same = outputs[i] == schema.features[i].name;
  if (!same) {
    return core::DataLoss(file + ": its " + std::to_string(outputs.size()) +
                          " output features are not the " + std::to_string(schema.features.size()) +
                          " features of model.json");
  }
  return pipeline;
}

}  // namespace

core::Status ModelDirectory::Write(const std::string& path, const ModelDescription& description,
                                   const nn::Sequential& network) {
  std::error_code error;
  fs::path target(path);
  while (!target.empty() && !target.has_filename()) target = target.parent_path();
  if (target.empty()) return core::InvalidArgument("model directory path is empty");
  if (fs::exists(target, error)) {
    if (!fs::is_directory(target, error) || !fs::is_empty(target, error)) {
      return core::AlreadyExists(path + ": exists and is not an empty directory");
    }
  }
  fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string pattern = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::NotFound(path + ": cannot create a temporary directory next to it (" +
                          std::error_code(errno, std::generic_category()).message() + ")");
  }
  const std::string temporary = pattern;
  // mkdtemp makes it 0700; a model directory is as readable as its files (0644).
  ::chmod(temporary.c_str(), 0755);
  core::Status status = WriteFiles(temporary, description, network);
  if (status.ok() && ::rename(temporary.c_str(), target.c_str()) != 0) {
    status = core::Internal(path + ": cannot rename the written model into place (" +
                            std::error_code(errno, std::generic_category()).message() + ")");
  }
  if (!status.ok()) {
    fs::remove_all(temporary, error);
    return status;
  }
  return core::FsyncDirectory(parent.string());
}

core::Result<std::unique_ptr<ModelDirectory>> ModelDirectory::Read(const std::string& path) {
  const std::string model_file = path + "/" + kModelJsonFile;
  const std::string network_file = path + "/" + kNetworkJsonFile;
  const std::string weights_file = path + "/" + kWeightsFile;
  MODELHOST_ASSIGN_OR_RETURN(std::string model_text, core::ReadFileToString(model_file));
  MODELHOST_ASSIGN_OR_RETURN(ParsedModelJson parsed, ParseModelJson(model_text, model_file));
  ModelDescription description = std::move(parsed.description);
  if (parsed.has_pipeline) {
    MODELHOST_ASSIGN_OR_RETURN(description.pipeline,
                               ReadPipeline(path + "/" + kPipelineJsonFile, description.schema));
  }

  MODELHOST_ASSIGN_OR_RETURN(std::string network_text, core::ReadFileToString(network_file));
  auto spec = nn::ParseNetworkSpec(network_text);
  if (!spec.ok()) {
    return core::InvalidArgument(network_file + ": " + spec.status().message());
  }
  description.network_spec = std::move(spec).value();

  const size_t input_width = description.schema.features.size();
  auto network =
      nn::Sequential::Create(description.network_spec, input_width, description.training.seed);
  if (!network.ok()) {
    return core::InvalidArgument(network_file + ": " + network.status().message());
  }
  size_t expected_outputs = OutputWidth(description.schema.target);
  if ((*network)->output_width() != expected_outputs) {
    return core::InvalidArgument(
        network_file + ": the network has " + std::to_string((*network)->output_width()) +
        " outputs but the target in " + model_file + " needs " + std::to_string(expected_outputs));
  }
  MODELHOST_RETURN_IF_ERROR(nn::LoadWeightsFile(weights_file, (*network)->parameters()));
  return std::make_unique<ModelDirectory>(PrivateTag{}, std::move(description),
                                          std::move(network).value());
}

}  // namespace modelhost::model
