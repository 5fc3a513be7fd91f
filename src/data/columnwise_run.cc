#include "data/columnwise_run.h"

#include <string>
#include <type_traits>
#include <utility>

namespace modelhost::data {

namespace {

// Calls f(a.v, b.v) for each per-column vector v of a fitted step type: its
// `columns` and the parameters learned per column. `b` may be const.
template <typename Fitted, typename Other, typename F>
void PerColumnVectors(Fitted& a, Other& b, F f) {
  static_assert(std::is_same_v<Fitted, std::remove_const_t<Other>>);
  f(a.columns, b.columns);
  if constexpr (std::is_same_v<Fitted, FittedImpute>) {
    f(a.fill, b.fill);
  } else if constexpr (std::is_same_v<Fitted, FittedOutliers>) {
    f(a.lower, b.lower);
    f(a.upper, b.upper);
  } else if constexpr (std::is_same_v<Fitted, FittedScale>) {
    f(a.center, b.center);
    f(a.scale, b.scale);
    f(a.offset, b.offset);
  }
}

// `step` with its per-column vectors emptied: the parameters all its columns share.
FittedStep WithoutColumns(const FittedStep& step) {
  FittedStep shell = step;
  std::visit(
      [](auto& typed) {
        PerColumnVectors(typed, typed, [](auto& values, auto&) { values.clear(); });
      },
      shell);
  return shell;
}

// Appends the columns of `piece` (a step of the same op) to `step`.
void AppendColumns(FittedStep& step, FittedStep& piece) {
  std::visit(
      [&piece](auto& typed) {
        auto& other = std::get<std::decay_t<decltype(typed)>>(piece);
        PerColumnVectors(typed, other, [](auto& values, auto& more) {
          for (auto& value : more) values.push_back(std::move(value));
        });
      },
      step);
}

StepSpec WithColumns(const StepSpec& spec, std::vector<std::string> names) {
  StepSpec copy = spec;
  std::visit(
      [&names](auto& typed) {
        typed.columns = ColumnSelector{ColumnSelector::Kind::kNames, std::move(names)};
      },
      copy);
  return copy;
}

// (step in the run, position among that step's columns), per frame column.
using WorkByColumn = std::vector<std::vector<std::pair<size_t, size_t>>>;

}  // namespace

bool IsColumnwise(const StepSpec& step) {
  if (const auto* outliers = std::get_if<OutlierStep>(&step)) {
    return outliers->action == OutlierAction::kClip;
  }
  return std::holds_alternative<MarkMissingStep>(step) ||
         std::holds_alternative<ImputeStep>(step) || std::holds_alternative<TextStep>(step) ||
         std::holds_alternative<ScaleStep>(step) || std::holds_alternative<Log1pStep>(step);
}

bool IsColumnwise(const FittedStep& step) {
  if (const auto* outliers = std::get_if<FittedOutliers>(&step)) {
    return outliers->action == OutlierAction::kClip;
  }
  return std::holds_alternative<FittedMarkMissing>(step) ||
         std::holds_alternative<FittedImpute>(step) || std::holds_alternative<FittedText>(step) ||
         std::holds_alternative<FittedScale>(step) || std::holds_alternative<FittedLog1p>(step);
}

core::Result<std::vector<FittedStep>> FitColumnwiseRun(std::span<const StepSpec> steps,
                                                       size_t first_index, Frame& frame) {
  // The steps neither add, remove nor retype columns, so every selection can
  // be made up front against the frame as it is.
  std::vector<FittedStep> fitted;
  std::vector<std::vector<FittedStep>> pieces(steps.size());
  WorkByColumn work(frame.columns().size());
  for (size_t step = 0; step < steps.size(); ++step) {
    const std::string place = StepPlace(first_index + step, OpName(steps[step]));
    core::Result<std::vector<size_t>> picked = frame.Select(std::visit(
        [](const auto& typed) -> const ColumnSelector& { return typed.columns; }, steps[step]));
    if (!picked.ok()) return picked.status().WithContext(place);
    // The step's own parameters (op, kind, action), with no column yet.
    core::Result<FittedStep> empty = FitStep(WithColumns(steps[step], {}), frame);
    if (!empty.ok()) return empty.status().WithContext(place);
    fitted.push_back(std::move(empty).value());
    pieces[step].resize(picked->size());
    for (size_t position = 0; position < picked->size(); ++position) {
      work[(*picked)[position]].emplace_back(step, position);
    }
  }
  for (size_t index = 0; index < work.size(); ++index) {
    for (const auto& [step, position] : work[index]) {
      const std::string place = StepPlace(first_index + step, OpName(steps[step]));
      core::Result<FittedStep> piece =
          FitStep(WithColumns(steps[step], {frame.columns()[index].name()}), frame);
      if (!piece.ok()) return piece.status().WithContext(place);
      MODELHOST_RETURN_IF_ERROR(ApplyStep(*piece, frame, RowDropping::kApply).WithContext(place));
      pieces[step][position] = std::move(piece).value();
    }
  }
  for (size_t step = 0; step < steps.size(); ++step) {
    for (FittedStep& piece : pieces[step]) AppendColumns(fitted[step], piece);
  }
  return fitted;
}

std::vector<FittedStep> SliceByColumn(const FittedStep& step) {
  const FittedStep shell = WithoutColumns(step);
  std::vector<FittedStep> slices(StepColumns(step).size(), shell);
  for (size_t position = 0; position < slices.size(); ++position) {
    std::visit(
        [&step, position](auto& slice) {
          const auto& whole = std::get<std::decay_t<decltype(slice)>>(step);
          PerColumnVectors(slice, whole, [position](auto& values, const auto& all) {
            if (!all.empty()) values.push_back(all[position]);  // empty: unused by this op
          });
        },
        slices[position]);
  }
  return slices;
}

core::Status ApplyColumnwiseRun(std::span<const FittedStep> steps,
                                std::span<const std::vector<FittedStep>> slices, size_t first_index,
                                Frame& frame) {
  WorkByColumn work(frame.columns().size());
  for (size_t step = 0; step < steps.size(); ++step) {
    const std::vector<std::string>& columns = StepColumns(steps[step]);
    for (size_t position = 0; position < columns.size(); ++position) {
      core::Result<size_t> index = frame.Require(columns[position]);
      if (!index.ok()) {
        return index.status().WithContext(StepPlace(first_index + step, OpName(steps[step])));
      }
      work[*index].emplace_back(step, position);
    }
  }
  for (const auto& column_work : work) {
    for (const auto& [step, position] : column_work) {
      // The step's place is spelled out only on failure: this runs per column
      // of every prediction.
      core::Status applied = ApplyStep(slices[step][position], frame, RowDropping::kApply);
      if (!applied.ok()) {
        return applied.WithContext(StepPlace(first_index + step, OpName(steps[step])));
      }
    }
  }
  return core::OkStatus();
}

}  // namespace modelhost::data
