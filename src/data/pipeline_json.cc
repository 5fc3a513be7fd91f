#include "data/pipeline_json.h"

#include <cmath>

namespace modelhost::data {

using core::Result;

core::Status JsonFieldReader::Error(const std::string& message) const {
  return core::InvalidArgument(place_ + ": " + message);
}

core::Status JsonFieldReader::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : object_.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || name == key;
    if (!known) return Error("unknown parameter '" + key + "'");
  }
  return core::OkStatus();
}

const JsonFieldReader::Json* JsonFieldReader::Find(std::string_view key) const {
  auto found = object_.find(key);
  return found == object_.end() ? nullptr : &*found;
}

Result<const JsonFieldReader::Json*> JsonFieldReader::Require(std::string_view key) const {
  const Json* value = Find(key);
  if (value == nullptr) return Error("missing '" + std::string(key) + "'");
  return value;
}

Result<double> JsonFieldReader::ToNumber(const Json& value, std::string_view key) const {
  if (!value.is_number()) return Error("'" + std::string(key) + "' must be a number");
  double number = value.get<double>();
  if (!std::isfinite(number)) return Error("'" + std::string(key) + "' must be finite");
  return number;
}

Result<double> JsonFieldReader::Number(std::string_view key, double fallback) const {
  const Json* value = Find(key);
  if (value == nullptr) return fallback;
  return ToNumber(*value, key);
}

Result<std::string> JsonFieldReader::String(std::string_view key) const {
  MODELHOST_ASSIGN_OR_RETURN(const Json* value, Require(key));
  if (!value->is_string()) return Error("'" + std::string(key) + "' must be a string");
  return value->get<std::string>();
}

Result<int> JsonFieldReader::Choice(std::string_view key, std::span<const std::string_view> choices,
                                    std::optional<int> fallback) const {
  const Json* value = Find(key);
  if (value == nullptr) {
    if (fallback) return *fallback;
    return Error("missing '" + std::string(key) + "'");
  }
  std::string expected;
  int index = 0;
  for (std::string_view choice : choices) {
    if (value->is_string() && value->get_ref<const std::string&>() == choice) return index;
    expected += (index == 0 ? "'" : ", '") + std::string(choice) + "'";
    ++index;
  }
  return Error("'" + std::string(key) + "' must be one of " + expected + ", got " + value->dump());
}

Result<std::pair<double, double>> JsonFieldReader::Range(std::string_view key,
                                                         std::pair<double, double> fallback,
                                                         double min, double max) const {
  const Json* value = Find(key);
  if (value == nullptr) return fallback;
  std::string name = "'" + std::string(key) + "'";
  if (!value->is_array() || value->size() != 2) return Error(name + " must be [low, high]");
  MODELHOST_ASSIGN_OR_RETURN(double low, ToNumber((*value)[0], key));
  MODELHOST_ASSIGN_OR_RETURN(double high, ToNumber((*value)[1], key));
  if (!(low < high) || low < min || high > max) {
    // JSON has no infinity (dump() would print null): an unbounded side reads
    // as -inf / inf, and a range unbounded on both sides names no bounds.
    auto bound = [](double value) -> std::string {
      if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
      return Json(value).dump();
    };
    std::string within = std::isinf(min) && std::isinf(max)
                             ? ""
                             : " within [" + bound(min) + ", " + bound(max) + "]";
    return Error(name + " must have low < high" + within);
  }
  return std::make_pair(low, high);
}

Result<SpecValue> JsonFieldReader::Value(const Json& value, std::string_view key) const {
  if (value.is_string()) return SpecValue(value.get<std::string>());
  if (value.is_number()) {
    MODELHOST_ASSIGN_OR_RETURN(double number, ToNumber(value, key));
    return SpecValue(number);
  }
  return Error("'" + std::string(key) + "' values must be numbers or strings, got " + value.dump());
}

Result<const JsonFieldReader::Json*> JsonFieldReader::RequireList(
    std::string_view key, std::optional<size_t> size) const {
  MODELHOST_ASSIGN_OR_RETURN(const Json* value, Require(key));
  if (!value->is_array()) return Error("'" + std::string(key) + "' must be a list");
  if (size && value->size() != *size) {
    return Error("'" + std::string(key) + "' must have " + std::to_string(*size) + " entries");
  }
  return value;
}

Result<std::vector<std::string>> JsonFieldReader::StringList(std::string_view key,
                                                             std::optional<size_t> size) const {
  MODELHOST_ASSIGN_OR_RETURN(const Json* list, RequireList(key, size));
  std::vector<std::string> strings;
  for (const Json& value : *list) {
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      return Error("'" + std::string(key) + "' must hold non-empty strings");
    }
    strings.push_back(value.get<std::string>());
  }
  return strings;
}

Result<std::vector<double>> JsonFieldReader::NumberList(std::string_view key,
                                                        std::optional<size_t> size) const {
  return ParsedList<double>(key, size, [&](const Json& value) { return ToNumber(value, key); });
}

Result<std::vector<SpecValue>> JsonFieldReader::ValueList(std::string_view key,
                                                          std::optional<size_t> size) const {
  return ParsedList<SpecValue>(key, size, [&](const Json& value) { return Value(value, key); });
}

nlohmann::json SpecValueToJson(const SpecValue& value) {
  if (const double* number = std::get_if<double>(&value)) return *number;
  return std::get<std::string>(value);
}

}  // namespace modelhost::data
