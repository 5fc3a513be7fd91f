// TargetEncoding: how a pipeline turns its target column into the numbers a
// model trains on, learned by Pipeline::Fit and kept for decoding.
//
// Classification: the distinct labels of the training rows, sorted (strings by
// bytes, numbers by value, as scikit-learn's LabelEncoder), become class
// indices 0..k-1; `labels` maps an index back to its label. Regression: the
// target's numbers as they are. Either way a target value reaches the model as
// a float.
//
// Thread-safety: plain values and pure functions.

#ifndef MODELHOST_DATA_TARGET_ENCODER_H_
#define MODELHOST_DATA_TARGET_ENCODER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/frame.h"

namespace modelhost::data {

enum class TargetKind { kClassification, kRegression };

// "classification", "regression".
std::string_view ToString(TargetKind kind);
// The inverse of ToString; InvalidArgument naming the text otherwise.
core::Result<TargetKind> ParseTargetKind(std::string_view text);

struct TargetEncoding {
  // More classes than this is a regression target, or a mistake.
  static constexpr size_t kMaxClasses = 65536;

  std::string column;
  TargetKind kind = TargetKind::kClassification;
  // Classification: the label of each class index, in index order.
  std::vector<std::string> labels;
  // Classification of a numeric column: the value of each class index
  // (ascending); empty for a categorical column.
  std::vector<double> label_values;

  friend bool operator==(const TargetEncoding&, const TargetEncoding&) = default;
};

// Learns the encoding of `column` (the target after the pipeline's steps).
// Errors (InvalidArgument): a categorical column for regression; a missing
// value or (classification) an infinite label, naming its row; more than
// kMaxClasses classes.
core::Result<TargetEncoding> FitTargetEncoding(const FrameColumn& column, TargetKind kind);

// The target value of each row: its class index, or its number. Errors
// (InvalidArgument naming the row): a missing value, a label not seen in
// training, a column of the wrong kind, a number beyond float's range.
core::Result<std::vector<float>> EncodeTarget(const TargetEncoding& encoding,
                                              const FrameColumn& column);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_TARGET_ENCODER_H_
