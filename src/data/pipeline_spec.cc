#include "data/pipeline_spec.h"

#include "data/pipeline_json.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>

namespace modelhost::data {

namespace {

using Json = nlohmann::json;
using core::InvalidArgument;
using core::Result;
using core::Status;

// Every op, its name and the parameters it accepts besides "op".
struct OpInfo {
  std::string_view name;
  std::string_view parameters[5];  // unused entries are empty
};
constexpr OpInfo kOps[] = {
    {"drop_missing", {"columns", "how"}},
    {"drop_columns", {"columns"}},
    {"drop_duplicates", {"columns"}},
    {"mark_missing", {"columns", "values"}},
    {"impute", {"columns", "strategy", "fill_value"}},
    {"clip_outliers", {"columns", "method", "k", "lower", "upper"}},
    {"drop_outliers", {"columns", "method", "k", "lower", "upper"}},
    {"cast", {"columns", "to"}},
    {"trim", {"columns"}},
    {"lowercase", {"columns"}},
    {"standardize", {"columns"}},
    {"robust_scale", {"columns", "quantile_range"}},
    {"minmax", {"columns", "range"}},
    {"maxabs", {"columns"}},
    {"normalize_rows", {"columns", "norm"}},
    {"log1p", {"columns"}},
    {"one_hot", {"columns", "unknown"}},
    {"ordinal", {"columns", "unknown_value"}},
};

using StepReader = JsonFieldReader;

Result<ColumnSelector> ParseSelector(const StepReader& reader, bool required) {
  const Json* value = reader.Find("columns");
  ColumnSelector selector;
  if (value == nullptr) {
    if (required) return reader.Error("missing parameter 'columns'");
    return selector;  // every column but the target
  }
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text == "numeric") {
      selector.kind = ColumnSelector::Kind::kNumeric;
    } else if (text == "categorical") {
      selector.kind = ColumnSelector::Kind::kCategorical;
    } else if (text.empty()) {
      return reader.Error("column names must be non-empty strings");
    } else {
      selector.kind = ColumnSelector::Kind::kNames;
      selector.names.push_back(text);
    }
    return selector;
  }
  const Json* names = value;
  selector.kind = ColumnSelector::Kind::kNames;
  if (value->is_object()) {
    if (value->size() != 1 || !value->contains("all_except")) {
      return reader.Error("'columns' as an object must be {\"all_except\": [...]}");
    }
    selector.kind = ColumnSelector::Kind::kAllExcept;
    names = &value->at("all_except");
  }
  if (!names->is_array()) {
    return reader.Error(
        "'columns' must be a name, a list of names, \"numeric\", \"categorical\" or "
        "{\"all_except\": [...]}");
  }
  for (const Json& name : *names) {
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      return reader.Error("column names must be non-empty strings, got " + name.dump());
    }
    const auto& text = name.get_ref<const std::string&>();
    if (std::find(selector.names.begin(), selector.names.end(), text) != selector.names.end()) {
      return reader.Error("column '" + text + "' is listed twice");
    }
    selector.names.push_back(text);
  }
  if (selector.kind == ColumnSelector::Kind::kNames && selector.names.empty()) {
    return reader.Error("'columns' lists no column");
  }
  return selector;
}

Result<StepSpec> ParseOutlierStep(const StepReader& reader, OutlierAction action) {
  OutlierStep step;
  step.action = action;
  MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
  MODELHOST_ASSIGN_OR_RETURN(int method, reader.Choice("method", kOutlierMethodNames, 0));
  step.method = static_cast<OutlierMethod>(method);
  if (step.method == OutlierMethod::kPercentile) {
    if (reader.Find("k") != nullptr) return reader.Error("'k' applies to methods iqr and zscore");
    MODELHOST_ASSIGN_OR_RETURN(step.lower_percentile, reader.Number("lower", 1));
    MODELHOST_ASSIGN_OR_RETURN(step.upper_percentile, reader.Number("upper", 99));
    if (!(0 <= step.lower_percentile && step.lower_percentile < step.upper_percentile &&
          step.upper_percentile <= 100)) {
      return reader.Error("percentiles must satisfy 0 <= lower < upper <= 100");
    }
    return StepSpec(std::move(step));
  }
  if (reader.Find("lower") != nullptr || reader.Find("upper") != nullptr) {
    return reader.Error("'lower' and 'upper' apply to method percentile");
  }
  MODELHOST_ASSIGN_OR_RETURN(step.k,
                             reader.Number("k", step.method == OutlierMethod::kIqr ? 1.5 : 3.0));
  if (!(step.k > 0)) return reader.Error("'k' must be positive");
  return StepSpec(std::move(step));
}

Result<StepSpec> ParseImputeStep(const StepReader& reader) {
  ImputeStep step;
  MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
  MODELHOST_ASSIGN_OR_RETURN(int strategy, reader.Choice("strategy", kImputeStrategyNames, 0));
  step.strategy = static_cast<ImputeStrategy>(strategy);
  const Json* fill = reader.Find("fill_value");
  if ((fill != nullptr) != (step.strategy == ImputeStrategy::kConstant)) {
    return reader.Error("'fill_value' is required by, and only allowed with, strategy 'constant'");
  }
  if (fill != nullptr) {
    MODELHOST_ASSIGN_OR_RETURN(step.fill_value, reader.Value(*fill, "fill_value"));
  }
  return StepSpec(std::move(step));
}

Result<StepSpec> ParseStep(std::string_view op, const StepReader& reader) {
  if (op == "drop_missing") {
    DropMissingStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, false));
    MODELHOST_ASSIGN_OR_RETURN(int how, reader.Choice("how", kMissingHowNames, 0));
    step.how = static_cast<MissingHow>(how);
    return StepSpec(std::move(step));
  }
  if (op == "drop_columns") {
    MODELHOST_ASSIGN_OR_RETURN(auto columns, ParseSelector(reader, true));
    return StepSpec(DropColumnsStep{std::move(columns)});
  }
  if (op == "drop_duplicates") {
    MODELHOST_ASSIGN_OR_RETURN(auto columns, ParseSelector(reader, false));
    return StepSpec(DropDuplicatesStep{std::move(columns)});
  }
  if (op == "mark_missing") {
    MarkMissingStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
    const Json* values = reader.Find("values");
    if (values == nullptr || !values->is_array() || values->empty()) {
      return reader.Error("'values' must be a non-empty list of numbers and strings");
    }
    for (const Json& value : *values) {
      MODELHOST_ASSIGN_OR_RETURN(SpecValue parsed, reader.Value(value, "values"));
      step.values.push_back(std::move(parsed));
    }
    return StepSpec(std::move(step));
  }
  if (op == "impute") return ParseImputeStep(reader);
  if (op == "clip_outliers") return ParseOutlierStep(reader, OutlierAction::kClip);
  if (op == "drop_outliers") return ParseOutlierStep(reader, OutlierAction::kDrop);
  if (op == "cast") {
    CastStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
    const Json* to = reader.Find("to");
    if (to == nullptr || !to->is_string()) return reader.Error("'to' must name a column type");
    Result<ColumnType> type = ParseColumnType(to->get_ref<const std::string&>());
    if (!type.ok()) return reader.Error(type.status().message());
    step.to = *type;
    return StepSpec(std::move(step));
  }
  if (op == "trim" || op == "lowercase") {
    MODELHOST_ASSIGN_OR_RETURN(auto columns, ParseSelector(reader, true));
    return StepSpec(
        TextStep{std::move(columns), op == "trim" ? TextOp::kTrim : TextOp::kLowercase});
  }
  if (op == "standardize" || op == "robust_scale" || op == "minmax" || op == "maxabs") {
    ScaleStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
    step.kind = op == "standardize"    ? ScaleKind::kStandardize
                : op == "robust_scale" ? ScaleKind::kRobust
                : op == "minmax"       ? ScaleKind::kMinMax
                                       : ScaleKind::kMaxAbs;
    MODELHOST_ASSIGN_OR_RETURN(auto range, reader.Range("range", {0, 1}, -HUGE_VAL, HUGE_VAL));
    std::tie(step.range_low, step.range_high) = range;
    MODELHOST_ASSIGN_OR_RETURN(auto quantiles, reader.Range("quantile_range", {25, 75}, 0, 100));
    std::tie(step.quantile_low, step.quantile_high) = quantiles;
    return StepSpec(std::move(step));
  }
  if (op == "normalize_rows") {
    NormalizeRowsStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
    MODELHOST_ASSIGN_OR_RETURN(int norm, reader.Choice("norm", kRowNormNames, 1));
    step.norm = static_cast<RowNorm>(norm);
    return StepSpec(std::move(step));
  }
  if (op == "log1p") {
    MODELHOST_ASSIGN_OR_RETURN(auto columns, ParseSelector(reader, true));
    return StepSpec(Log1pStep{std::move(columns)});
  }
  if (op == "one_hot") {
    OneHotStep step;
    MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
    MODELHOST_ASSIGN_OR_RETURN(int unknown, reader.Choice("unknown", kUnknownCategoryNames, 0));
    step.unknown = static_cast<UnknownCategory>(unknown);
    return StepSpec(std::move(step));
  }
  OrdinalStep step;  // the op table admits nothing else
  MODELHOST_ASSIGN_OR_RETURN(step.columns, ParseSelector(reader, true));
  if (const Json* unknown = reader.Find("unknown_value"); unknown != nullptr) {
    MODELHOST_ASSIGN_OR_RETURN(step.unknown_value, reader.ToNumber(*unknown, "unknown_value"));
  }
  return StepSpec(std::move(step));
}

Result<StepSpec> ParseStepObject(const Json& object, size_t index) {
  std::string place = "pipeline step " + std::to_string(index + 1);
  if (!object.is_object()) return InvalidArgument(place + ": must be an object");
  auto op_value = object.find("op");
  if (op_value == object.end() || !op_value->is_string()) {
    return InvalidArgument(place + ": missing \"op\" (a string)");
  }
  const std::string& op = op_value->get_ref<const std::string&>();
  place += " (" + op + ")";
  const OpInfo* info = nullptr;
  for (const OpInfo& candidate : kOps) {
    if (candidate.name == op) info = &candidate;
  }
  if (info == nullptr) return InvalidArgument(place + ": unknown op '" + op + "'");
  StepReader reader(object, place);
  for (const auto& [key, value] : object.items()) {
    bool known = key == "op";
    for (std::string_view parameter : info->parameters) {
      known = known || (!parameter.empty() && parameter == key);
    }
    if (!known) return reader.Error("unknown parameter '" + key + "'");
  }
  return ParseStep(op, reader);
}

Json SelectorToJson(const ColumnSelector& selector) {
  switch (selector.kind) {
    case ColumnSelector::Kind::kNumeric: return "numeric";
    case ColumnSelector::Kind::kCategorical: return "categorical";
    case ColumnSelector::Kind::kNames: return selector.names;
    case ColumnSelector::Kind::kAllExcept: return Json{{"all_except", selector.names}};
  }
  return nullptr;
}

Json StepToJson(const StepSpec& step) {
  Json json = {{"op", OpName(step)}};
  std::visit([&json](const auto& typed) { json["columns"] = SelectorToJson(typed.columns); }, step);
  if (const auto* drop = std::get_if<DropMissingStep>(&step)) {
    json["how"] = kMissingHowNames[static_cast<int>(drop->how)];
  } else if (const auto* mark = std::get_if<MarkMissingStep>(&step)) {
    json["values"] = Json::array();
    for (const SpecValue& value : mark->values) json["values"].push_back(SpecValueToJson(value));
  } else if (const auto* impute = std::get_if<ImputeStep>(&step)) {
    json["strategy"] = kImputeStrategyNames[static_cast<int>(impute->strategy)];
    if (impute->fill_value) json["fill_value"] = SpecValueToJson(*impute->fill_value);
  } else if (const auto* outlier = std::get_if<OutlierStep>(&step)) {
    json["method"] = kOutlierMethodNames[static_cast<int>(outlier->method)];
    if (outlier->method == OutlierMethod::kPercentile) {
      json["lower"] = outlier->lower_percentile;
      json["upper"] = outlier->upper_percentile;
    } else {
      json["k"] = outlier->k;
    }
  } else if (const auto* cast = std::get_if<CastStep>(&step)) {
    json["to"] = ToString(cast->to);
  } else if (const auto* scale = std::get_if<ScaleStep>(&step)) {
    if (scale->kind == ScaleKind::kMinMax) json["range"] = {scale->range_low, scale->range_high};
    if (scale->kind == ScaleKind::kRobust) {
      json["quantile_range"] = {scale->quantile_low, scale->quantile_high};
    }
  } else if (const auto* normalize = std::get_if<NormalizeRowsStep>(&step)) {
    json["norm"] = kRowNormNames[static_cast<int>(normalize->norm)];
  } else if (const auto* one_hot = std::get_if<OneHotStep>(&step)) {
    json["unknown"] = kUnknownCategoryNames[static_cast<int>(one_hot->unknown)];
  } else if (const auto* ordinal = std::get_if<OrdinalStep>(&step)) {
    if (ordinal->unknown_value) json["unknown_value"] = *ordinal->unknown_value;
  }
  return json;
}

}  // namespace

std::string_view OpName(OutlierAction action) {
  return action == OutlierAction::kClip ? "clip_outliers" : "drop_outliers";
}

std::string_view OpName(TextOp op) { return op == TextOp::kTrim ? "trim" : "lowercase"; }

std::string_view OpName(ScaleKind kind) {
  switch (kind) {
    case ScaleKind::kStandardize: return "standardize";
    case ScaleKind::kRobust: return "robust_scale";
    case ScaleKind::kMinMax: return "minmax";
    case ScaleKind::kMaxAbs: return "maxabs";
  }
  return "unknown";
}

std::string_view OpName(const StepSpec& step) {
  return std::visit([](const auto& typed) { return OpNameOf(typed); }, step);
}

Result<PipelineSpec> ParsePipelineSpec(std::string_view json) {
  Json document;
  try {
    document = Json::parse(json);
  } catch (const Json::exception& error) {
    // Not only parse_error: a number too large for a double throws out_of_range.
    return InvalidArgument(std::string("pipeline spec: not valid JSON: ") + error.what());
  }
  try {
    if (!document.is_object() || !document.contains("steps") || !document["steps"].is_array()) {
      return InvalidArgument("pipeline spec: expected {\"steps\": [...]}");
    }
    for (const auto& [key, value] : document.items()) {
      if (key != "steps") return InvalidArgument("pipeline spec: unknown key '" + key + "'");
    }
    PipelineSpec spec;
    const Json& steps = document["steps"];
    for (size_t index = 0; index < steps.size(); ++index) {
      MODELHOST_ASSIGN_OR_RETURN(StepSpec step, ParseStepObject(steps[index], index));
      spec.steps.push_back(std::move(step));
    }
    return spec;
  } catch (const Json::exception& error) {
    return InvalidArgument(std::string("pipeline spec: unexpected value: ") + error.what());
  }
}

std::string PipelineSpecToJson(const PipelineSpec& spec) {
  Json steps = Json::array();
  for (const StepSpec& step : spec.steps) steps.push_back(StepToJson(step));
  return Json{{"steps", std::move(steps)}}.dump();
}

}  // namespace modelhost::data
