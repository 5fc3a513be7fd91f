#include "model/predictions.h"

#include <cassert>
#include <charconv>

namespace modelhost::model {
namespace {

void AppendFloat(float value, std::string& out) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

void AppendCsvField(const std::string& field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char character : field) {
    if (character == '"') out += '"';
    out += character;
  }
  out += '"';
}

}  // namespace

std::vector<std::string> PredictionColumnNames(const TargetSchema& target) {
  switch (target.encoding) {
    case TargetEncoding::kValue: return {"prediction"};
    case TargetEncoding::kBinary: return {"probability", "label"};
    case TargetEncoding::kClassIndex:
    case TargetEncoding::kOneHot: break;
  }
  std::vector<std::string> names;
  for (const std::string& label : target.labels) names.push_back("probability_" + label);
  names.push_back("label");
  return names;
}

std::string FormatPredictionsCsv(const nn::Matrix& outputs, const TargetSchema& target) {
  assert(outputs.cols() == OutputWidth(target));
  std::string out;
  std::vector<std::string> names = PredictionColumnNames(target);
  for (size_t index = 0; index < names.size(); ++index) {
    if (index > 0) out += ',';
    AppendCsvField(names[index], out);
  }
  out += '\n';
  for (size_t row = 0; row < outputs.rows(); ++row) {
    std::span<const float> values = outputs.Row(row);
    switch (target.encoding) {
      case TargetEncoding::kValue: AppendFloat(values[0], out); break;
      case TargetEncoding::kBinary:
        AppendFloat(values[0], out);
        out += ',';
        AppendCsvField(target.labels[BinaryClassOf(values[0])], out);
        break;
      case TargetEncoding::kClassIndex:
      case TargetEncoding::kOneHot: {
        size_t best = 0;
        for (size_t column = 0; column < values.size(); ++column) {
          AppendFloat(values[column], out);
          out += ',';
          if (values[column] > values[best]) best = column;
        }
        AppendCsvField(target.labels[best], out);
        break;
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace modelhost::model
