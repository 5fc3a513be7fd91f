// FitStep (fitted_step.h): what each op learns from the training data, with
// scikit-learn's definitions where the op has a scikit-learn twin.

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "data/column_statistics.h"
#include "data/fitted_step.h"

namespace modelhost::data {

namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

Status RequireKind(const FrameColumn& column, bool numeric) {
  if (column.is_numeric() == numeric) return core::OkStatus();
  return InvalidArgument("column '" + column.name() + "' is " +
                         std::string(ToString(column.type())) + "; this op takes " +
                         (numeric ? "numeric" : "categorical") + " columns");
}

Status NoValues(const FrameColumn& column) {
  return InvalidArgument("column '" + column.name() + "' has no values to learn from");
}

Status RequireFinite(const FrameColumn& column, std::initializer_list<double> numbers) {
  for (double number : numbers) {
    if (!std::isfinite(number)) {
      return InvalidArgument("column '" + column.name() +
                             "': a learned parameter is not finite (the values overflow)");
    }
  }
  return core::OkStatus();
}

// Selects and checks that every picked column is of the wanted kind.
Result<std::vector<size_t>> SelectKind(const Frame& frame, const ColumnSelector& selector,
                                       bool numeric) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, frame.Select(selector));
  for (size_t index : picked)
    MODELHOST_RETURN_IF_ERROR(RequireKind(frame.columns()[index], numeric));
  return picked;
}

std::vector<std::string> Names(const Frame& frame, const std::vector<size_t>& picked) {
  std::vector<std::string> names;
  for (size_t index : picked) names.push_back(frame.columns()[index].name());
  return names;
}

// The categories that occur in the column's rows, sorted by bytes.
std::vector<std::string> PresentCategories(const FrameColumn& column) {
  std::vector<uint8_t> used(column.categories().size(), 0);
  for (int32_t code : column.codes()) {
    if (code != Column::kMissingCode) used[code] = 1;
  }
  std::vector<std::string> categories;
  for (size_t code = 0; code < used.size(); ++code) {
    if (used[code]) categories.push_back(column.categories()[code]);
  }
  std::sort(categories.begin(), categories.end());
  return categories;
}

Result<std::string> MostFrequentCategory(const FrameColumn& column) {
  std::vector<size_t> counts(column.categories().size(), 0);
  for (int32_t code : column.codes()) {
    if (code != Column::kMissingCode) ++counts[code];
  }
  std::optional<size_t> best;
  for (size_t code = 0; code < counts.size(); ++code) {
    if (counts[code] == 0) continue;
    // Ties go to the smallest string, as scikit-learn's SimpleImputer.
    if (!best || counts[code] > counts[*best] ||
        (counts[code] == counts[*best] && column.categories()[code] < column.categories()[*best])) {
      best = code;
    }
  }
  if (!best) return NoValues(column);
  return column.categories()[*best];
}

Result<SpecValue> ImputeFill(const ImputeStep& spec, const FrameColumn& column) {
  if (spec.strategy == ImputeStrategy::kConstant) {
    bool fill_is_number = std::holds_alternative<double>(*spec.fill_value);
    if (fill_is_number != column.is_numeric()) {
      return InvalidArgument("column '" + column.name() + "' is " +
                             std::string(ToString(column.type())) + " but 'fill_value' is a " +
                             (fill_is_number ? "number" : "string"));
    }
    return *spec.fill_value;
  }
  if (spec.strategy == ImputeStrategy::kMostFrequent) {
    if (!column.is_numeric()) {
      MODELHOST_ASSIGN_OR_RETURN(std::string category, MostFrequentCategory(column));
      return SpecValue(std::move(category));
    }
    std::optional<double> value = MostFrequent(column.values());
    if (!value) return NoValues(column);
    return SpecValue(*value);
  }
  MODELHOST_RETURN_IF_ERROR(RequireKind(column, true));
  double fill;
  if (spec.strategy == ImputeStrategy::kMean) {
    std::optional<MeanVariance> moments = ComputeMeanVariance(column.values());
    if (!moments) return NoValues(column);
    fill = moments->mean;
  } else {
    std::optional<double> median = Median(column.values());
    if (!median) return NoValues(column);
    fill = *median;
  }
  MODELHOST_RETURN_IF_ERROR(RequireFinite(column, {fill}));
  return SpecValue(fill);
}

Result<FittedStep> FitImpute(const ImputeStep& spec, const Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, frame.Select(spec.columns));
  FittedImpute fitted{Names(frame, picked), {}};
  for (size_t index : picked) {
    MODELHOST_ASSIGN_OR_RETURN(SpecValue fill, ImputeFill(spec, frame.columns()[index]));
    fitted.fill.push_back(std::move(fill));
  }
  return FittedStep(std::move(fitted));
}

Result<FittedStep> FitMarkMissing(const MarkMissingStep& spec, const Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, frame.Select(spec.columns));
  for (size_t index : picked) {
    const FrameColumn& column = frame.columns()[index];
    bool applies = std::any_of(spec.values.begin(), spec.values.end(), [&](const SpecValue& value) {
      return std::holds_alternative<double>(value) == column.is_numeric();
    });
    if (!applies) {
      return InvalidArgument("column '" + column.name() + "' is " +
                             std::string(ToString(column.type())) + " and 'values' holds no " +
                             (column.is_numeric() ? "number" : "string"));
    }
  }
  return FittedStep(FittedMarkMissing{Names(frame, picked), spec.values});
}

Result<FittedStep> FitOutliers(const OutlierStep& spec, const Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, SelectKind(frame, spec.columns, true));
  FittedOutliers fitted{spec.action, Names(frame, picked), {}, {}};
  for (size_t index : picked) {
    const FrameColumn& column = frame.columns()[index];
    double lower;
    double upper;
    if (spec.method == OutlierMethod::kZScore) {
      std::optional<MeanVariance> moments = ComputeMeanVariance(column.values());
      if (!moments) return NoValues(column);
      double spread = spec.k * std::sqrt(moments->variance);
      lower = moments->mean - spread;
      upper = moments->mean + spread;
    } else {
      const bool iqr = spec.method == OutlierMethod::kIqr;
      std::optional<double> low =
          Quantile(column.values(), iqr ? 0.25 : spec.lower_percentile / 100);
      std::optional<double> high =
          Quantile(column.values(), iqr ? 0.75 : spec.upper_percentile / 100);
      if (!low || !high) return NoValues(column);
      lower = iqr ? *low - spec.k * (*high - *low) : *low;
      upper = iqr ? *high + spec.k * (*high - *low) : *high;
    }
    MODELHOST_RETURN_IF_ERROR(RequireFinite(column, {lower, upper}));
    fitted.lower.push_back(lower);
    fitted.upper.push_back(upper);
  }
  return FittedStep(std::move(fitted));
}

// scikit-learn's _handle_zeros_in_scale without a constant mask (the robust,
// min-max and max-abs scalers): a scale too small to divide by is 1.
double ScaleOrOne(double scale) { return scale < 10 * kEpsilon ? 1.0 : scale; }

Result<FittedStep> FitScale(const ScaleStep& spec, const Frame& frame) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, SelectKind(frame, spec.columns, true));
  FittedScale fitted{spec.kind, Names(frame, picked), {}, {}, {}};
  for (size_t index : picked) {
    const FrameColumn& column = frame.columns()[index];
    double center = 0;
    double scale = 1;
    double offset = 0;
    if (spec.kind == ScaleKind::kStandardize) {
      std::optional<MeanVariance> moments = ComputeMeanVariance(column.values());
      if (!moments) return NoValues(column);
      // scikit-learn's StandardScaler: _is_constant_feature (variance within
      // rounding of zero) is the whole mask given to _handle_zeros_in_scale,
      // so a tiny but real spread keeps its scale.
      double n = static_cast<double>(moments->count);
      double bound = n * kEpsilon * moments->variance + std::pow(n * moments->mean * kEpsilon, 2);
      center = moments->mean;
      scale = moments->variance <= bound ? 1.0 : std::sqrt(moments->variance);
    } else if (spec.kind == ScaleKind::kRobust) {
      std::optional<double> low = Quantile(column.values(), spec.quantile_low / 100);
      std::optional<double> high = Quantile(column.values(), spec.quantile_high / 100);
      std::optional<double> median = Median(column.values());
      if (!low || !high || !median) return NoValues(column);
      center = *median;
      scale = ScaleOrOne(*high - *low);
    } else if (spec.kind == ScaleKind::kMinMax) {
      std::optional<MinMax> extremes = ComputeMinMax(column.values());
      if (!extremes) return NoValues(column);
      double range = ScaleOrOne(extremes->max - extremes->min);
      scale = (spec.range_high - spec.range_low) / range;
      offset = spec.range_low - extremes->min * scale;
    } else {
      std::optional<double> max_abs = ComputeMaxAbs(column.values());
      if (!max_abs) return NoValues(column);
      scale = ScaleOrOne(*max_abs);
    }
    MODELHOST_RETURN_IF_ERROR(RequireFinite(column, {center, scale, offset}));
    if (spec.kind == ScaleKind::kMinMax) {
      fitted.offset.push_back(offset);
    } else {
      fitted.center.push_back(center);
    }
    fitted.scale.push_back(scale);
  }
  return FittedStep(std::move(fitted));
}

template <typename Fitted>
Result<FittedStep> FitCategories(const ColumnSelector& selector, const Frame& frame,
                                 Fitted fitted) {
  MODELHOST_ASSIGN_OR_RETURN(std::vector<size_t> picked, SelectKind(frame, selector, false));
  fitted.columns = Names(frame, picked);
  for (size_t index : picked) {
    std::vector<std::string> categories = PresentCategories(frame.columns()[index]);
    if (categories.empty()) return NoValues(frame.columns()[index]);
    fitted.categories.push_back(std::move(categories));
  }
  return FittedStep(std::move(fitted));
}

}  // namespace

Result<FittedStep> FitStep(const StepSpec& spec, const Frame& frame) {
  if (const auto* step = std::get_if<DropMissingStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, frame.Select(step->columns, /*allow_target=*/true));
    return FittedStep(FittedDropMissing{Names(frame, picked), step->how});
  }
  if (const auto* step = std::get_if<DropColumnsStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, frame.Select(step->columns));
    return FittedStep(FittedDropColumns{Names(frame, picked)});
  }
  if (const auto* step = std::get_if<DropDuplicatesStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, frame.Select(step->columns));
    return FittedStep(FittedDropDuplicates{Names(frame, picked)});
  }
  if (const auto* step = std::get_if<MarkMissingStep>(&spec)) return FitMarkMissing(*step, frame);
  if (const auto* step = std::get_if<ImputeStep>(&spec)) return FitImpute(*step, frame);
  if (const auto* step = std::get_if<OutlierStep>(&spec)) return FitOutliers(*step, frame);
  if (const auto* step = std::get_if<CastStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, frame.Select(step->columns));
    return FittedStep(FittedCast{Names(frame, picked), step->to});
  }
  if (const auto* step = std::get_if<TextStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, SelectKind(frame, step->columns, false));
    return FittedStep(FittedText{step->op, Names(frame, picked)});
  }
  if (const auto* step = std::get_if<ScaleStep>(&spec)) return FitScale(*step, frame);
  if (const auto* step = std::get_if<NormalizeRowsStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, SelectKind(frame, step->columns, true));
    return FittedStep(FittedNormalizeRows{Names(frame, picked), step->norm});
  }
  if (const auto* step = std::get_if<Log1pStep>(&spec)) {
    MODELHOST_ASSIGN_OR_RETURN(auto picked, SelectKind(frame, step->columns, true));
    return FittedStep(FittedLog1p{Names(frame, picked)});
  }
  if (const auto* step = std::get_if<OneHotStep>(&spec)) {
    return FitCategories(step->columns, frame, FittedOneHot{{}, {}, step->unknown});
  }
  const auto& step = std::get<OrdinalStep>(spec);
  return FitCategories(step.columns, frame, FittedOrdinal{{}, {}, step.unknown_value});
}

}  // namespace modelhost::data
