// Predictions as CSV: the network's outputs for a batch of rows turned into
// the answer a user reads, by the target's encoding —
//   kBinary                 "probability,label" (label: BinaryClassOf);
//   kClassIndex, kOneHot    "probability_<label>" per class, then "label"
//                           (the arg-max class, the first on ties);
//   kValue                  "prediction".
// Numbers are written in the shortest form that reads back to the same
// float32, so equal outputs give equal text.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_MODEL_PREDICTIONS_H_
#define MODELHOST_MODEL_PREDICTIONS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "model/input_schema.h"
#include "nn/matrix.h"

namespace modelhost::model {

// A binary target's predicted class: 1 when the probability is strictly above
// 0.5, as Keras's binary_accuracy, precision and recall (and nn's metrics)
// count a prediction positive, so a label always agrees with the accuracy.
inline size_t BinaryClassOf(float probability) { return probability > 0.5f ? 1 : 0; }

// The header's column names for `target`.
std::vector<std::string> PredictionColumnNames(const TargetSchema& target);

// Header line and one line per row of `outputs`, each ending in '\n'.
// REQUIRES: outputs.cols() == OutputWidth(target).
std::string FormatPredictionsCsv(const nn::Matrix& outputs, const TargetSchema& target);

}  // namespace modelhost::model

#endif  // MODELHOST_MODEL_PREDICTIONS_H_
