// Shared by the predict and KServe routes: a class label as JSON and the
// class a network's output row predicts. Internal to api (it exposes
// nlohmann::json, so only route files that already use it include it).
//
// Thread-safety: pure functions.

#ifndef MODELHOST_API_PREDICTION_JSON_H_
#define MODELHOST_API_PREDICTION_JSON_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "model/input_schema.h"

namespace modelhost::api {

// A label as JSON: a number or a bool when the training column held those,
// else the string.
nlohmann::json LabelJson(const model::TargetSchema& target, const std::string& label);

// The index of the class `outputs` (one row, OutputWidth(target) values)
// predicts: probability >= 0.5 for a binary target, else the largest output
// (the first of equals). REQUIRES: a class target.
size_t PredictedClass(const model::TargetSchema& target, const float* outputs);

}  // namespace modelhost::api

#endif  // MODELHOST_API_PREDICTION_JSON_H_
