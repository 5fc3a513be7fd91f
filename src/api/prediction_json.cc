#include "api/prediction_json.h"

#include <charconv>
#include <cmath>
#include <map>
#include <string_view>
#include <vector>

#include "model/predictions.h"

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
  if (target.encoding == model::TargetEncoding::kBinary) return model::BinaryClassOf(outputs[0]);
  size_t best = 0;
  for (size_t k = 1; k < target.labels.size(); ++k) {
    if (outputs[k] > outputs[best]) best = k;
  }
  return best;
}

void AppendJsonNumber(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  // nlohmann::json's own number writer (Grisu2, ".0" after integers), so
  // that these numbers read exactly as in every other answer of the server
  // (std::to_chars differs in the last digit of a few, and in exponents).
  char buffer[64];
  char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

std::string PredictionsBody(const std::string& model, int64_t version,
                            const model::TargetSchema& target, const nn::Matrix& outputs) {
  const bool value = target.encoding == model::TargetEncoding::kValue;
  const bool binary = target.encoding == model::TargetEncoding::kBinary;
  std::vector<std::string> labels;  // each label as a JSON value
  std::vector<std::string> keys;    // ... and as a JSON object key
  // The labels' indexes in key order, one per distinct label: the last one,
  // as a tree's object keeps the last value set under a repeated key.
  std::vector<size_t> key_order;
  if (!value) {
    std::map<std::string_view, size_t> last_by_label;
    for (size_t k = 0; k < target.labels.size(); ++k) {
      labels.push_back(LabelJson(target, target.labels[k]).dump());
      if (!binary) keys.push_back(nlohmann::json(target.labels[k]).dump());
      last_by_label[target.labels[k]] = k;
    }
    if (!binary) {
      for (const auto& [label, k] : last_by_label) key_order.push_back(k);
    }
  }
  std::string body = "{\"model\":" + nlohmann::json(model).dump() +
                     ",\"model_version\":" + std::to_string(version) + ",\"predictions\":[";
  for (size_t row = 0; row < outputs.rows(); ++row) {
    const float* output = outputs.Row(row).data();
    if (row > 0) body += ',';
    if (value) {
      body += "{\"prediction\":";
      AppendJsonNumber(output[0], body);
      body += '}';
      continue;
    }
    body += "{\"label\":";
    body += labels[PredictedClass(target, output)];
    if (binary) {
      body += ",\"probability\":";
      AppendJsonNumber(output[0], body);
    } else {
      body += ",\"probabilities\":{";
      for (size_t k : key_order) {
        if (k != key_order.front()) body += ',';
        body += keys[k];
        body += ':';
        AppendJsonNumber(output[k], body);
      }
      body += '}';
    }
    body += '}';
  }
  body += "]}";
  return body;
}

}  // namespace modelhost::api
