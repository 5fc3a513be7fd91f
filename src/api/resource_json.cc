#include "api/resource_json.h"

#include <nlohmann/json.hpp>
#include <utility>

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

Json ParsedOrNull(const std::string& text) {
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? Json(nullptr) : value;
}

Json OrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

}  // namespace

Json DatasetJson(const store::DatasetRecord& record, bool with_profile) {
  Json dataset = {{"id", record.id},
                  {"name", record.name},
                  {"created_at", record.created_at},
                  {"rows", record.rows},
                  {"bytes", record.bytes},
                  {"sha256", record.sha256},
                  {"schema", ParsedOrNull(record.schema_json)},
                  {"lineage", ParsedOrNull(record.lineage_json)}};
  if (with_profile) dataset["profile"] = ParsedOrNull(record.profile_json);
  return dataset;
}

Json JobJson(const store::JobRecord& job) {
  Json json = {{"id", job.id},
               {"state", store::ToString(job.state)},
               {"dataset_id", job.dataset_id},
               {"created_at", job.created_at},
               {"started_at", OrNull(job.started_at)},
               {"finished_at", OrNull(job.finished_at)},
               {"error", OrNull(job.error)},
               {"spec", ParsedOrNull(job.spec_json)}};
  Json result = ParsedOrNull(job.result_json);
  if (result.is_object()) {
    for (auto& [key, value] : result.items()) {
      if (!json.contains(key)) json[key] = std::move(value);
    }
  }
  return json;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace modelhost::api
