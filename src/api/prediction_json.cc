#include "api/prediction_json.h"

#include <charconv>

namespace modelhost::api {

nlohmann::json LabelJson(const model::TargetSchema& target, const std::string& label) {
  const char* begin = label.data();
  const char* end = label.data() + label.size();
  switch (target.type) {
    case data::ColumnType::kBool: return label == "true";
    case data::ColumnType::kInt64: {
      int64_t value = 0;
      auto [stop, error] = std::from_chars(begin, end, value);
      if (error == std::errc() && stop == end) return value;
      return label;
    }
    case data::ColumnType::kFloat64: {
      double value = 0;
      auto [stop, error] = std::from_chars(begin, end, value);
      if (error == std::errc() && stop == end) return value;
      return label;
    }
    case data::ColumnType::kCategorical: break;
  }
  return label;
}

size_t PredictedClass(const model::TargetSchema& target, const float* outputs) {
  if (target.encoding == model::TargetEncoding::kBinary) return outputs[0] >= 0.5f ? 1 : 0;
  size_t best = 0;
  for (size_t k = 1; k < target.labels.size(); ++k) {
    if (outputs[k] > outputs[best]) best = k;
  }
  return best;
}

}  // namespace modelhost::api
