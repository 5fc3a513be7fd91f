// Shared by the predict and KServe routes: a class label as JSON and the
// class a network's output row predicts. Internal to api (it exposes
// nlohmann::json, so only route files that already use it include it).
//
// Thread-safety: pure functions.

#ifndef MODELHOST_API_PREDICTION_JSON_H_
#define MODELHOST_API_PREDICTION_JSON_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "model/input_schema.h"
#include "nn/matrix.h"

namespace modelhost::api {

// A label as JSON: a number or a bool when the training column held those,
// else the string.
nlohmann::json LabelJson(const model::TargetSchema& target, const std::string& label);

// The index of the class `outputs` (one row, OutputWidth(target) values)
// predicts: model::BinaryClassOf (probability > 0.5) for a binary target,
// else the largest output (the first of equals). REQUIRES: a class target.
size_t PredictedClass(const model::TargetSchema& target, const float* outputs);

// Appends `value` as JSON exactly as nlohmann::json writes a number: text
// that reads back as the same double, ".0" after an integral one, null when
// it is not finite.
void AppendJsonNumber(double value, std::string& out);

// The body of the predict routes' answer to a request whose outputs are
// `outputs` (one row per instance): {"model", "model_version", "predictions":
// [{"prediction"} | {"label", "probability"} | {"label", "probabilities"}]},
// byte for byte what nlohmann::json writes for it (keys in sorted order).
std::string PredictionsBody(const std::string& model, int64_t version,
                            const model::TargetSchema& target, const nn::Matrix& outputs);

}  // namespace modelhost::api

#endif  // MODELHOST_API_PREDICTION_JSON_H_
