// FittedPipeline::ToJson and FromJson: the fitted pipeline's file format
// (docs/design/data.md, "Fitted pipeline JSON").

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "data/fitted_pipeline.h"
#include "data/pipeline_json.h"

namespace modelhost::data {

namespace {

using Json = nlohmann::json;
using core::Result;
using core::Status;

constexpr std::string_view kFormat = "modelhost.fitted_pipeline";
constexpr int kVersion = 1;

Json StepToJson(const FittedStep& step) {
  Json json = {{"op", OpName(step)}, {"columns", StepColumns(step)}};
  if (const auto* drop = std::get_if<FittedDropMissing>(&step)) {
    json["how"] = kMissingHowNames[static_cast<int>(drop->how)];
  } else if (const auto* mark = std::get_if<FittedMarkMissing>(&step)) {
    json["values"] = Json::array();
    for (const SpecValue& value : mark->values) json["values"].push_back(SpecValueToJson(value));
  } else if (const auto* impute = std::get_if<FittedImpute>(&step)) {
    json["fill"] = Json::array();
    for (const SpecValue& value : impute->fill) json["fill"].push_back(SpecValueToJson(value));
  } else if (const auto* outliers = std::get_if<FittedOutliers>(&step)) {
    json["lower"] = outliers->lower;
    json["upper"] = outliers->upper;
  } else if (const auto* cast = std::get_if<FittedCast>(&step)) {
    json["to"] = ToString(cast->to);
  } else if (const auto* scale = std::get_if<FittedScale>(&step)) {
    if (scale->kind == ScaleKind::kMinMax) {
      json["offset"] = scale->offset;
    } else {
      json["center"] = scale->center;
    }
    json["scale"] = scale->scale;
  } else if (const auto* normalize = std::get_if<FittedNormalizeRows>(&step)) {
    json["norm"] = kRowNormNames[static_cast<int>(normalize->norm)];
  } else if (const auto* one_hot = std::get_if<FittedOneHot>(&step)) {
    json["categories"] = one_hot->categories;
    json["unknown"] = kUnknownCategoryNames[static_cast<int>(one_hot->unknown)];
  } else if (const auto* ordinal = std::get_if<FittedOrdinal>(&step)) {
    json["categories"] = ordinal->categories;
    if (ordinal->unknown_value) json["unknown_value"] = *ordinal->unknown_value;
  }
  return json;
}

// A list of strings (empty ones allowed: "" is a category) in strictly
// ascending byte order, as the encoders' binary searches need.
Result<std::vector<std::string>> SortedStrings(const JsonFieldReader& reader, const Json& list,
                                               std::string_view what) {
  if (!list.is_array()) return reader.Error("'" + std::string(what) + "' must hold lists");
  std::vector<std::string> strings;
  for (const Json& value : list) {
    if (!value.is_string()) return reader.Error("'" + std::string(what) + "' must hold strings");
    strings.push_back(value.get<std::string>());
    if (strings.size() > 1 && !(strings[strings.size() - 2] < strings.back())) {
      return reader.Error("'" + std::string(what) + "' must be sorted and distinct");
    }
  }
  return strings;
}

Result<std::vector<std::vector<std::string>>> Categories(const JsonFieldReader& reader,
                                                         size_t columns) {
  MODELHOST_ASSIGN_OR_RETURN(const Json* lists, reader.Require("categories"));
  if (!lists->is_array() || lists->size() != columns) {
    return reader.Error("'categories' must hold one list per column");
  }
  std::vector<std::vector<std::string>> categories;
  for (const Json& list : *lists) {
    MODELHOST_ASSIGN_OR_RETURN(auto sorted, SortedStrings(reader, list, "categories"));
    categories.push_back(std::move(sorted));
  }
  return categories;
}

Result<FittedStep> ParseScale(const JsonFieldReader& reader, ScaleKind kind,
                              std::vector<std::string> columns) {
  const size_t n = columns.size();
  FittedScale step{kind, std::move(columns), {}, {}, {}};
  if (kind == ScaleKind::kMinMax) {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "scale", "offset"}));
    MODELHOST_ASSIGN_OR_RETURN(step.offset, reader.NumberList("offset", n));
  } else {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "center", "scale"}));
    MODELHOST_ASSIGN_OR_RETURN(step.center, reader.NumberList("center", n));
  }
  MODELHOST_ASSIGN_OR_RETURN(step.scale, reader.NumberList("scale", n));
  if (kind != ScaleKind::kMinMax &&
      std::find(step.scale.begin(), step.scale.end(), 0.0) != step.scale.end()) {
    return reader.Error("'scale' must not hold 0");
  }
  return FittedStep(std::move(step));
}

Result<FittedStep> ParseStep(const Json& object, size_t index) {
  if (!object.is_object()) return core::InvalidArgument(StepPlace(index, "?") + ": not an object");
  JsonFieldReader untitled(object, StepPlace(index, "?"));
  MODELHOST_ASSIGN_OR_RETURN(std::string op, untitled.String("op"));
  JsonFieldReader reader(object, StepPlace(index, op));
  MODELHOST_ASSIGN_OR_RETURN(std::vector<std::string> columns, reader.StringList("columns"));
  // A spec never lists a column twice (pipeline_spec.cc), and the steps'
  // application relies on it: an ordinal over ["c", "c"] would read the
  // codes of a column it has just made numeric.
  for (size_t i = 0; i < columns.size(); ++i) {
    if (std::find(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(i), columns[i]) !=
        columns.begin() + static_cast<std::ptrdiff_t>(i)) {
      return reader.Error("column '" + columns[i] + "' is listed twice in 'columns'");
    }
  }
  const size_t n = columns.size();
  if (op == "drop_missing") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "how"}));
    MODELHOST_ASSIGN_OR_RETURN(int how, reader.Choice("how", kMissingHowNames, std::nullopt));
    return FittedStep(FittedDropMissing{std::move(columns), static_cast<MissingHow>(how)});
  }
  if (op == "drop_columns" || op == "drop_duplicates" || op == "log1p") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns"}));
    if (op == "drop_columns") return FittedStep(FittedDropColumns{std::move(columns)});
    if (op == "drop_duplicates") return FittedStep(FittedDropDuplicates{std::move(columns)});
    return FittedStep(FittedLog1p{std::move(columns)});
  }
  if (op == "mark_missing") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "values"}));
    MODELHOST_ASSIGN_OR_RETURN(auto values, reader.ValueList("values"));
    return FittedStep(FittedMarkMissing{std::move(columns), std::move(values)});
  }
  if (op == "impute") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "fill"}));
    MODELHOST_ASSIGN_OR_RETURN(auto fill, reader.ValueList("fill", n));
    return FittedStep(FittedImpute{std::move(columns), std::move(fill)});
  }
  if (op == "clip_outliers" || op == "drop_outliers") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "lower", "upper"}));
    FittedOutliers step{op == "clip_outliers" ? OutlierAction::kClip : OutlierAction::kDrop,
                        std::move(columns),
                        {},
                        {}};
    MODELHOST_ASSIGN_OR_RETURN(step.lower, reader.NumberList("lower", n));
    MODELHOST_ASSIGN_OR_RETURN(step.upper, reader.NumberList("upper", n));
    for (size_t column = 0; column < n; ++column) {
      if (!(step.lower[column] <= step.upper[column])) {
        return reader.Error("'lower' must not exceed 'upper'");
      }
    }
    return FittedStep(std::move(step));
  }
  if (op == "cast") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "to"}));
    MODELHOST_ASSIGN_OR_RETURN(std::string to, reader.String("to"));
    Result<ColumnType> type = ParseColumnType(to);
    if (!type.ok()) return reader.Error(type.status().message());
    return FittedStep(FittedCast{std::move(columns), *type});
  }
  if (op == "trim" || op == "lowercase") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns"}));
    return FittedStep(
        FittedText{op == "trim" ? TextOp::kTrim : TextOp::kLowercase, std::move(columns)});
  }
  for (ScaleKind kind :
       {ScaleKind::kStandardize, ScaleKind::kRobust, ScaleKind::kMinMax, ScaleKind::kMaxAbs}) {
    if (op == OpName(kind)) return ParseScale(reader, kind, std::move(columns));
  }
  if (op == "normalize_rows") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "norm"}));
    MODELHOST_ASSIGN_OR_RETURN(int norm, reader.Choice("norm", kRowNormNames, std::nullopt));
    return FittedStep(FittedNormalizeRows{std::move(columns), static_cast<RowNorm>(norm)});
  }
  if (op == "one_hot") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "categories", "unknown"}));
    MODELHOST_ASSIGN_OR_RETURN(auto categories, Categories(reader, n));
    MODELHOST_ASSIGN_OR_RETURN(int unknown,
                               reader.Choice("unknown", kUnknownCategoryNames, std::nullopt));
    return FittedStep(FittedOneHot{std::move(columns), std::move(categories),
                                   static_cast<UnknownCategory>(unknown)});
  }
  if (op == "ordinal") {
    MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"op", "columns", "categories", "unknown_value"}));
    FittedOrdinal step{std::move(columns), {}, std::nullopt};
    MODELHOST_ASSIGN_OR_RETURN(step.categories, Categories(reader, n));
    if (const Json* unknown = reader.Find("unknown_value"); unknown != nullptr) {
      MODELHOST_ASSIGN_OR_RETURN(step.unknown_value, reader.ToNumber(*unknown, "unknown_value"));
    }
    return FittedStep(std::move(step));
  }
  return reader.Error("unknown op '" + op + "'");
}

Result<TargetEncoding> ParseTarget(const Json& object) {
  if (!object.is_object()) return core::InvalidArgument("fitted pipeline: 'target' not an object");
  JsonFieldReader reader(object, "fitted pipeline target");
  MODELHOST_RETURN_IF_ERROR(reader.CheckKeys({"column", "kind", "labels", "label_values"}));
  TargetEncoding target;
  MODELHOST_ASSIGN_OR_RETURN(target.column, reader.String("column"));
  MODELHOST_ASSIGN_OR_RETURN(std::string kind, reader.String("kind"));
  MODELHOST_ASSIGN_OR_RETURN(target.kind, ParseTargetKind(kind));
  if (target.kind == TargetKind::kRegression) {
    if (reader.Find("labels") || reader.Find("label_values")) {
      return reader.Error("a regression target has no labels");
    }
    return target;
  }
  MODELHOST_ASSIGN_OR_RETURN(const Json* labels, reader.Require("labels"));
  if (const Json* values = reader.Find("label_values"); values != nullptr) {
    if (!labels->is_array()) return reader.Error("'labels' must be a list");
    MODELHOST_ASSIGN_OR_RETURN(target.label_values,
                               reader.NumberList("label_values", labels->size()));
    for (const Json& label : *labels) {
      if (!label.is_string()) return reader.Error("'labels' must hold strings");
      target.labels.push_back(label.get<std::string>());
    }
    if (!std::is_sorted(target.label_values.begin(), target.label_values.end()) ||
        std::adjacent_find(target.label_values.begin(), target.label_values.end()) !=
            target.label_values.end()) {
      return reader.Error("'label_values' must be ascending and distinct");
    }
  } else {
    MODELHOST_ASSIGN_OR_RETURN(target.labels, SortedStrings(reader, *labels, "labels"));
  }
  if (target.labels.size() > TargetEncoding::kMaxClasses) return reader.Error("too many labels");
  return target;
}

Result<std::vector<InputColumn>> ParseInput(const JsonFieldReader& reader) {
  MODELHOST_ASSIGN_OR_RETURN(const Json* list, reader.Require("input"));
  if (!list->is_array()) return reader.Error("'input' must be a list");
  std::vector<InputColumn> input;
  std::set<std::string, std::less<>> names;
  for (const Json& entry : *list) {
    if (!entry.is_object()) return reader.Error("'input' must hold objects");
    JsonFieldReader column(entry,
                           reader.place() + " input column " + std::to_string(input.size() + 1));
    MODELHOST_RETURN_IF_ERROR(column.CheckKeys({"name", "type"}));
    MODELHOST_ASSIGN_OR_RETURN(std::string name, column.String("name"));
    MODELHOST_ASSIGN_OR_RETURN(std::string type_name, column.String("type"));
    Result<ColumnType> type = ParseColumnType(type_name);
    if (!type.ok()) return column.Error(type.status().message());
    if (name.empty() || !names.insert(name).second) {
      return column.Error("the name must be non-empty and distinct");
    }
    input.push_back({std::move(name), *type});
  }
  return input;
}

Result<FittedPipeline> ParseDocument(const Json& document) {
  if (!document.is_object()) return core::InvalidArgument("fitted pipeline: not a JSON object");
  JsonFieldReader reader(document, "fitted pipeline");
  MODELHOST_RETURN_IF_ERROR(
      reader.CheckKeys({"format", "version", "input", "target", "steps", "features"}));
  MODELHOST_ASSIGN_OR_RETURN(std::string format, reader.String("format"));
  if (format != kFormat) return reader.Error("'format' must be \"" + std::string(kFormat) + "\"");
  MODELHOST_ASSIGN_OR_RETURN(const Json* version, reader.Require("version"));
  if (*version != kVersion) {
    return reader.Error("unsupported version " + version->dump() + " (this build reads " +
                        std::to_string(kVersion) + ")");
  }
  MODELHOST_ASSIGN_OR_RETURN(std::vector<InputColumn> input, ParseInput(reader));
  std::optional<TargetEncoding> target;
  if (const Json* value = reader.Find("target"); value != nullptr) {
    MODELHOST_ASSIGN_OR_RETURN(target, ParseTarget(*value));
  }
  MODELHOST_ASSIGN_OR_RETURN(const Json* steps_json, reader.Require("steps"));
  if (!steps_json->is_array()) return reader.Error("'steps' must be a list");
  std::vector<FittedStep> steps;
  for (size_t index = 0; index < steps_json->size(); ++index) {
    MODELHOST_ASSIGN_OR_RETURN(FittedStep step, ParseStep((*steps_json)[index], index));
    steps.push_back(std::move(step));
  }
  MODELHOST_ASSIGN_OR_RETURN(std::vector<std::string> features, reader.StringList("features"));
  return FittedPipeline(std::move(input), std::move(target), std::move(steps), std::move(features));
}

}  // namespace

Result<std::string> FittedPipeline::ToJson() const {
  Json input = Json::array();
  for (const InputColumn& column : input_) {
    input.push_back({{"name", column.name}, {"type", ToString(column.type)}});
  }
  Json steps = Json::array();
  for (const FittedStep& step : steps_) steps.push_back(StepToJson(step));
  Json document = {{"format", kFormat},
                   {"version", kVersion},
                   {"input", std::move(input)},
                   {"steps", std::move(steps)},
                   {"features", features_}};
  if (target_) {
    Json target = {{"column", target_->column}, {"kind", ToString(target_->kind)}};
    if (target_->kind == TargetKind::kClassification) target["labels"] = target_->labels;
    if (!target_->label_values.empty()) target["label_values"] = target_->label_values;
    document["target"] = std::move(target);
  }
  try {
    // nlohmann writes each double as the shortest text that reads back as it.
    return document.dump();
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("fitted pipeline: cannot write JSON: ") +
                                 error.what());
  }
}

Result<FittedPipeline> FittedPipeline::FromJson(std::string_view json) {
  Json document;
  try {
    document = Json::parse(json);
  } catch (const Json::exception& error) {
    // Not only parse_error: a number too large for a double throws out_of_range.
    return core::InvalidArgument(std::string("fitted pipeline: not valid JSON: ") + error.what());
  }
  try {
    return ParseDocument(document);
  } catch (const Json::exception& error) {
    return core::InvalidArgument(std::string("fitted pipeline: unexpected value: ") + error.what());
  }
}

}  // namespace modelhost::data
