#include "model/model_inputs.h"

#include <algorithm>
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

}  // namespace modelhost::model
