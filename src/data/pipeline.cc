#include "data/pipeline.h"

#include <span>
#include <utility>
#include <vector>

#include "data/columnwise_run.h"
#include "data/fitted_step.h"
#include "data/frame.h"

namespace modelhost::data {

core::Result<Pipeline> Pipeline::FromJson(std::string_view json) {
  MODELHOST_ASSIGN_OR_RETURN(PipelineSpec spec, ParsePipelineSpec(json));
  return Pipeline(std::move(spec));
}

core::Result<Pipeline::FitResult> Pipeline::FitTransform(
    const Table& table, const std::optional<TargetSpec>& target) const {
  std::string target_name = target ? target->column : std::string();
  if (target && table.FindColumn(target_name) == nullptr) {
    return core::InvalidArgument("no target column '" + target_name + "'");
  }
  std::vector<InputColumn> input;
  std::vector<FrameColumn> columns;
  for (const Column& column : table.columns()) {
    if (column.name() != target_name) input.push_back({column.name(), column.type()});
    columns.emplace_back(column);
  }
  Frame frame(std::move(columns), table.num_rows(), target_name);

  std::vector<FittedStep> steps;
  for (size_t index = 0; index < spec_.steps.size();) {
    const StepSpec& spec = spec_.steps[index];
    if (IsColumnwise(spec)) {
      size_t end = index + 1;
      while (end < spec_.steps.size() && IsColumnwise(spec_.steps[end])) ++end;
      MODELHOST_ASSIGN_OR_RETURN(
          std::vector<FittedStep> run,
          FitColumnwiseRun(std::span(spec_.steps).subspan(index, end - index), index, frame));
      for (FittedStep& step : run) steps.push_back(std::move(step));
      index = end;
      continue;
    }
    const std::string place = StepPlace(index, OpName(spec));
    core::Result<FittedStep> step = FitStep(spec, frame);
    if (!step.ok()) return step.status().WithContext(place);
    MODELHOST_RETURN_IF_ERROR(ApplyStep(*step, frame, RowDropping::kApply).WithContext(place));
    steps.push_back(std::move(step).value());
    ++index;
  }

  std::optional<TargetEncoding> encoding;
  if (target) {
    MODELHOST_ASSIGN_OR_RETURN(size_t index, frame.Require(target_name));
    MODELHOST_ASSIGN_OR_RETURN(encoding, FitTargetEncoding(frame.columns()[index], target->kind));
  }
  MODELHOST_ASSIGN_OR_RETURN(FeatureMatrix features,
                             ToFeatureMatrix(frame, encoding ? &*encoding : nullptr));
  FittedPipeline fitted(std::move(input), std::move(encoding), std::move(steps), features.names);
  return FitResult{std::move(fitted), std::move(features)};
}

core::Result<FittedPipeline> Pipeline::Fit(const Table& table,
                                           const std::optional<TargetSpec>& target) const {
  MODELHOST_ASSIGN_OR_RETURN(FitResult result, FitTransform(table, target));
  return std::move(result.fitted);
}

}  // namespace modelhost::data
