// InputSchema: what a model expects of a table — its feature columns (names
// and types, in the order of the network's inputs) and its target (name,
// how it is encoded, class labels) — and the conversions from a data::Table
// to the float32 matrices nn trains and predicts on.
//
// Without a data pipeline the conversion is the identity on numbers: every
// int64, float64 and bool column except the target becomes one feature
// column, as float32. A categorical feature column or a missing value is an
// error naming the column; nothing is silently dropped or filled. With a
// pipeline (model_inputs.h) the features are the pipeline's outputs.
//
// Target encodings:
//   kValue       regression: the number itself, one column;
//   kBinary      two classes: 0/1 in one column (a sigmoid output);
//   kClassIndex  k classes: the class index in one column (sparse
//                categorical cross-entropy, a softmax output of k units);
//   kOneHot      k classes: k columns, 1 at the class (categorical
//                cross-entropy).
// Class labels are strings: a categorical target's categories sorted, "0".."k-1"
// for an integer target holding 0..k-1, "false"/"true" for a bool target.
//
// Thread-safety: plain values and pure functions.

#ifndef MODELHOST_MODEL_INPUT_SCHEMA_H_
#define MODELHOST_MODEL_INPUT_SCHEMA_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/column.h"
#include "data/table.h"
#include "nn/loss.h"
#include "nn/matrix.h"

namespace modelhost::model {

enum class TargetEncoding { kValue, kBinary, kClassIndex, kOneHot };

// "value", "binary", "class_index", "one_hot".
std::string_view ToString(TargetEncoding encoding);
// The inverse of ToString; InvalidArgument otherwise.
core::Result<TargetEncoding> ParseTargetEncoding(std::string_view name);

struct FeatureSchema {
  std::string name;
  data::ColumnType type = data::ColumnType::kFloat64;  // int64, float64 or bool
};

struct TargetSchema {
  std::string name;
  data::ColumnType type = data::ColumnType::kFloat64;  // of the training column
  TargetEncoding encoding = TargetEncoding::kValue;
  // Empty for kValue; otherwise the classes, index i ↔ labels[i].
  std::vector<std::string> labels;
};

struct InputSchema {
  std::vector<FeatureSchema> features;
  TargetSchema target;
};

bool operator==(const FeatureSchema& a, const FeatureSchema& b);
bool operator==(const TargetSchema& a, const TargetSchema& b);
bool operator==(const InputSchema& a, const InputSchema& b);

// An integer target with at most this many distinct values, all in
// [0, count), is taken for class indices rather than a quantity.
inline constexpr size_t kMaxInferredIntegerClasses = 10;

// The schema of training data `table` predicting column `target`.
// `loss`, when given, decides the encoding of a class target
// (binary_crossentropy → kBinary, sparse_categorical_crossentropy →
// kClassIndex, categorical_crossentropy → kOneHot, any other loss → kValue,
// which needs a numeric target); without it two classes are kBinary, more
// are kClassIndex, and a numeric target that is not a class index is kValue.
// Errors (InvalidArgument): no column `target` (NotFound naming it); a
// target with missing values or a single class; a categorical target under
// a regression loss; binary_crossentropy with other than two classes; a
// categorical feature column or a feature column with missing values
// (naming the column and the count); no feature column at all; a target or
// feature value that is NaN, infinite or beyond float32 (naming the column
// and the row: a "nan" in the data is a number, not a missing value).
core::Result<InputSchema> InferInputSchema(const data::Table& table, std::string_view target,
                                           std::optional<nn::LossKind> loss = std::nullopt);

// The target part of InferInputSchema alone, with the same rules and errors:
// for training through a data pipeline, whose steps prepare the features.
core::Result<TargetSchema> InferTargetSchema(const data::Table& table, std::string_view target,
                                             std::optional<nn::LossKind> loss = std::nullopt);

// The loss a target is trained with when none is chosen:
// binary_crossentropy, sparse_categorical_crossentropy,
// categorical_crossentropy or mean_squared_error by encoding.
nn::LossKind DefaultLoss(const TargetSchema& target);

// Width of the network output the target needs: the class count for
// kClassIndex and kOneHot, else 1.
size_t OutputWidth(const TargetSchema& target);

// The [rows, features] matrix of `table` under `schema`, column i of the
// matrix being schema.features[i]. Other columns of the table (the target,
// extra ones) are ignored. Errors: NotFound naming a feature column the table
// lacks; InvalidArgument naming a column of an incompatible type
// (categorical where a number is expected), with missing values (and how
// many), or with a value that is NaN, infinite or beyond float32 (and its row).
core::Result<nn::Matrix> MakeFeatureMatrix(const data::Table& table, const InputSchema& schema);

// The [rows, target columns] matrix of the target column of `table` under
// `schema.target`. Errors: NotFound naming the target when the table lacks
// it; InvalidArgument naming the column for missing values, a value that is
// not one of the labels (and its row), or a categorical column under kValue
// or a value there that is NaN, infinite or beyond float32 (and its row).
core::Result<nn::Matrix> MakeTargetMatrix(const data::Table& table, const InputSchema& schema);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_INPUT_SCHEMA_H_
