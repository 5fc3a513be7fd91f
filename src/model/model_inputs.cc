#include "model/model_inputs.h"

#include <algorithm>
#include <span>
#include <string>

namespace modelhost::model {
namespace {

nn::Matrix ToMatrix(const data::FeatureMatrix& features) {
  nn::Matrix matrix(features.rows, features.cols);
  std::copy(features.values.begin(), features.values.end(), matrix.data());
  return matrix;
}

}  // namespace

core::Result<PipelineTrainingSet> FitPipelineForTraining(const data::Pipeline& pipeline,
                                                         const data::Table& table,
                                                         std::string_view target,
                                                         std::optional<nn::LossKind> loss) {
  MODELHOST_ASSIGN_OR_RETURN(TargetSchema target_schema, InferTargetSchema(table, target, loss));
  const data::TargetKind kind = target_schema.encoding == TargetEncoding::kValue
                                    ? data::TargetKind::kRegression
                                    : data::TargetKind::kClassification;
  MODELHOST_ASSIGN_OR_RETURN(
      data::Pipeline::FitResult fitted,
      pipeline.FitTransform(table, data::TargetSpec{std::string(target), kind}));
  if (fitted.features.rows == 0) {
    return core::InvalidArgument("the pipeline left no row to train on");
  }
  // Both sides order classes the same way (numbers ascending, text by bytes);
  // their counts agree unless the pipeline dropped every row of a class.
  const size_t classes = target_schema.labels.size();
  if (kind == data::TargetKind::kClassification &&
      fitted.fitted.target()->labels.size() != classes) {
    return core::InvalidArgument("the pipeline dropped every row of some class of '" +
                                 std::string(target) +
                                 "': " + std::to_string(fitted.fitted.target()->labels.size()) +
                                 " of " + std::to_string(classes) + " classes are left");
  }

  PipelineTrainingSet set{
      .schema = {}, .pipeline = std::move(fitted.fitted), .features = {}, .targets = {}};
  set.schema.target = std::move(target_schema);
  for (const std::string& name : set.pipeline.feature_names()) {
    set.schema.features.push_back({name, data::ColumnType::kFloat64});
  }
  set.features = ToMatrix(fitted.features);
  const size_t rows = fitted.features.rows;
  const bool one_hot = set.schema.target.encoding == TargetEncoding::kOneHot;
  set.targets = nn::Matrix(rows, one_hot ? classes : 1);
  set.targets.SetZero();
  for (size_t row = 0; row < rows; ++row) {
    const float value = fitted.features.target[row];
    if (one_hot) {
      set.targets.data()[row * classes + static_cast<size_t>(value)] = 1.0f;
    } else {
      set.targets.data()[row] = value;
    }
  }
  return set;
}

core::Result<nn::Matrix> ModelFeatures(const data::Table& table, const InputSchema& schema,
                                       const data::FittedPipeline* pipeline) {
  if (pipeline == nullptr) return MakeFeatureMatrix(table, schema);
  MODELHOST_ASSIGN_OR_RETURN(data::FeatureMatrix features,
                             pipeline->Transform(table, data::TransformMode::kInference));
  return ToMatrix(features);
}

core::Result<nn::Matrix> RecordFeatures(const std::vector<data::Record>& records,
                                        const InputSchema& schema,
                                        const data::FittedPipeline* pipeline) {
  if (pipeline != nullptr) {
    // The pipeline ignores its own target's field, unless that is also one
    // of its inputs. Otherwise (a pipeline not made by modelhost train) the
    // field is taken out of a copy of the records.
    const auto& inputs = pipeline->input_columns();
    const bool pipeline_ignores_target =
        pipeline->target() && pipeline->target()->column == schema.target.name &&
        std::none_of(inputs.begin(), inputs.end(), [&](const data::InputColumn& input) {
          return input.name == schema.target.name;
        });
    std::vector<data::Record> copies;
    if (!pipeline_ignores_target) {
      copies = records;
      for (data::Record& record : copies) record.erase(schema.target.name);
    }
    nn::Matrix features(records.size(), pipeline->feature_names().size());
    MODELHOST_RETURN_IF_ERROR(pipeline->TransformRecordsInto(
        pipeline_ignores_target ? records : copies,
        std::span<float>(features.data(), features.rows() * features.cols()), "instance"));
    return features;
  }
  const size_t width = schema.features.size();
  nn::Matrix features(records.size(), width);
  for (size_t index = 0; index < records.size(); ++index) {
    const data::Record& record = records[index];
    const std::string instance = "instance " + std::to_string(index) + ": ";
    float* row = features.data() + index * width;
    for (const auto& entry : record) {
      const std::string& field = entry.first;  // clang 14 cannot capture a structured binding
      if (field == schema.target.name) continue;
      const bool known = std::any_of(schema.features.begin(), schema.features.end(),
                                     [&](const FeatureSchema& f) { return f.name == field; });
      if (!known) return core::InvalidArgument(instance + "unknown field '" + field + "'");
    }
    for (size_t column = 0; column < width; ++column) {
      const std::string& name = schema.features[column].name;
      const auto found = record.find(name);
      if (found == record.end() || std::holds_alternative<std::monostate>(found->second)) {
        return core::InvalidArgument(instance + "field '" + name +
                                     "' is missing, and the model has no pipeline that imputes it");
      }
      if (const auto* number = std::get_if<double>(&found->second)) {
        row[column] = static_cast<float>(*number);
      } else if (const auto* integer = std::get_if<int64_t>(&found->second)) {
        // Through double, as a table's int64 column goes (MakeFeatureMatrix).
        row[column] = static_cast<float>(static_cast<double>(*integer));
      } else if (const auto* flag = std::get_if<bool>(&found->second)) {
        row[column] = *flag ? 1.0f : 0.0f;
      } else {
        return core::InvalidArgument(instance + "field '" + name + "' must be a number");
      }
    }
  }
  return features;
}

}  // namespace modelhost::model
