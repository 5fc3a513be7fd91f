#include "data/profile_json.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace modelhost::data {
namespace {

using Json = nlohmann::ordered_json;

Json Number(double value) { return std::isnan(value) ? Json(nullptr) : Json(value); }

void AddStats(const NumericStats& stats, Json& out) {
  out["min"] = Number(stats.min);
  out["max"] = Number(stats.max);
  out["mean"] = Number(stats.mean);
  out["std_population"] = Number(stats.population_std);
  out["std_sample"] = Number(stats.sample_std);
  Json quantiles = Json::object();
  for (size_t index = 0; index < kProfileQuantiles.size(); ++index) {
    quantiles[kProfileQuantileNames[index]] = Number(stats.quantiles[index]);
  }
  out["quantiles"] = std::move(quantiles);
  out["quantiles_approximate"] = stats.quantiles_approximate;
}

void AddStats(const BoolStats& stats, Json& out) { out["true_count"] = stats.true_count; }

void AddStats(const CategoricalStats& stats, Json& out) {
  Json top = Json::array();
  for (const CategoryCount& category : stats.top_categories) {
    top.push_back(Json{{"value", category.value}, {"count", category.count}});
  }
  out["top_categories"] = std::move(top);
}

}  // namespace

std::string ProfileToJson(const TableProfile& profile) {
  Json columns = Json::array();
  for (const ColumnProfile& column : profile.columns) {
    Json out = {{"name", column.name},
                {"type", std::string(ToString(column.type))},
                {"count", column.count},
                {"missing_count", column.missing_count},
                {"distinct_count", column.distinct_count},
                {"distinct_approximate", column.distinct_approximate}};
    std::visit([&out](const auto& stats) { AddStats(stats, out); }, column.stats);
    columns.push_back(std::move(out));
  }
  Json root = {{"num_rows", profile.num_rows}, {"columns", std::move(columns)}};
  // Category strings were checked as UTF-8 at ingest; replace rather than
  // throw should anything else ever reach here.
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace modelhost::data
