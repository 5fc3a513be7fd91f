// The per-value arithmetic of the columnwise numeric ops and the text maps of
// trim and lowercase, shared by the column loops of step_apply.cc and the
// one-record RowProgram (row_program.h), so that both give the same bits. A
// missing value is NaN.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_DATA_VALUE_MAPS_H_
#define MODELHOST_DATA_VALUE_MAPS_H_

#include <cmath>
#include <limits>
#include <string_view>

namespace modelhost::data {

// mark_missing: `marked` becomes missing.
inline double MarkMissingValue(double x, double marked) {
  return x == marked ? std::numeric_limits<double>::quiet_NaN() : x;
}
// impute: a missing value becomes `fill`.
inline double ImputeValue(double x, double fill) { return x == x ? x : fill; }
// clip_outliers: into [lower, upper]; NaN fails both comparisons and stays missing.
inline double ClipValue(double x, double lower, double upper) {
  return x < lower ? lower : (x > upper ? upper : x);
}
// minmax.
inline double MinMaxValue(double x, double scale, double offset) { return x * scale + offset; }
// standardize, robust_scale, maxabs.
inline double CenterScaleValue(double x, double center, double scale) {
  return (x - center) / scale;
}
// log1p's domain: values > -1 (and NaN, which stays missing).
inline bool InLog1pDomain(double x) { return !(x <= -1); }
inline double Log1pValue(double x) { return std::log1p(x); }

// trim: without the ASCII white space (space, \t \n \v \f \r) at either end.
inline std::string_view TrimmedText(std::string_view text) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && space(text[begin])) ++begin;
  while (end > begin && space(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}
// lowercase: ASCII letters only; every other byte (UTF-8 included) is kept.
inline char LowercaseAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_VALUE_MAPS_H_
