// JsonFieldReader: reads the fields of one JSON object of a pipeline document
// (a spec step, a fitted step, the fitted pipeline itself), turning every
// mistake into an InvalidArgument that names the place and the key.
//
// Internal to the two JSON readers of this module (pipeline_spec.cc,
// fitted_pipeline_json.cc) — the one header here that includes
// nlohmann/json, so include it from those .cc files only.
//
// Thread-safety: reads a JSON value that must not change meanwhile.

#ifndef MODELHOST_DATA_PIPELINE_JSON_H_
#define MODELHOST_DATA_PIPELINE_JSON_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "data/pipeline_spec.h"

namespace modelhost::data {

class JsonFieldReader {
 public:
  using Json = nlohmann::json;

  // REQUIRES: `object` outlives the reader.
  JsonFieldReader(const Json& object, std::string place)
      : object_(object), place_(std::move(place)) {}

  const std::string& place() const { return place_; }
  // InvalidArgument("<place>: <message>").
  core::Status Error(const std::string& message) const;

  // InvalidArgument "unknown parameter 'k'" for the first key not in `allowed`.
  core::Status CheckKeys(std::initializer_list<std::string_view> allowed) const;

  // The value of `key`, or nullptr.
  const Json* Find(std::string_view key) const;
  // The value of `key`; "missing 'key'" when absent.
  core::Result<const Json*> Require(std::string_view key) const;

  // A finite number.
  core::Result<double> ToNumber(const Json& value, std::string_view key) const;
  // The number at `key`, `fallback` when absent.
  core::Result<double> Number(std::string_view key, double fallback) const;
  // The string at `key` (required).
  core::Result<std::string> String(std::string_view key) const;
  // The string at `key`, one of `choices`: its index; `fallback` when absent
  // (nullopt: required).
  core::Result<int> Choice(std::string_view key, std::span<const std::string_view> choices,
                           std::optional<int> fallback) const;
  // A [low, high] pair of numbers with low < high, within [min, max].
  core::Result<std::pair<double, double>> Range(std::string_view key,
                                                std::pair<double, double> fallback, double min,
                                                double max) const;
  // A number or a string.
  core::Result<SpecValue> Value(const Json& value, std::string_view key) const;

  // Lists at `key` (required): of non-empty strings; of finite numbers; of
  // numbers and strings. `size`, when given, is the required length.
  core::Result<std::vector<std::string>> StringList(std::string_view key,
                                                    std::optional<size_t> size = {}) const;
  core::Result<std::vector<double>> NumberList(std::string_view key,
                                               std::optional<size_t> size = {}) const;
  core::Result<std::vector<SpecValue>> ValueList(std::string_view key,
                                                 std::optional<size_t> size = {}) const;

 private:
  core::Result<const Json*> RequireList(std::string_view key, std::optional<size_t> size) const;

  // The list at `key` with each entry turned into a T by `parse`.
  template <typename T, typename Parse>
  core::Result<std::vector<T>> ParsedList(std::string_view key, std::optional<size_t> size,
                                          Parse parse) const {
    MODELHOST_ASSIGN_OR_RETURN(const Json* list, RequireList(key, size));
    std::vector<T> parsed;
    for (const Json& value : *list) {
      MODELHOST_ASSIGN_OR_RETURN(T entry, parse(value));
      parsed.push_back(std::move(entry));
    }
    return parsed;
  }

  const Json& object_;
  std::string place_;
};

// The JSON names of enums, indexed by the enum's value.
inline constexpr std::string_view kMissingHowNames[] = {"any", "all"};
inline constexpr std::string_view kImputeStrategyNames[] = {"mean", "median", "most_frequent",
                                                            "constant"};
inline constexpr std::string_view kOutlierMethodNames[] = {"iqr", "zscore", "percentile"};
inline constexpr std::string_view kRowNormNames[] = {"l1", "l2"};
inline constexpr std::string_view kUnknownCategoryNames[] = {"error", "ignore"};

// The JSON of a SpecValue: a number or a string.
nlohmann::json SpecValueToJson(const SpecValue& value);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_PIPELINE_JSON_H_
