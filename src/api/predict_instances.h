// ParsePredictInstances: the records of a predict request body,
// {"instances": [...]}, read in one pass over the text (SAX) — no JSON tree
// is built, as this runs for every prediction. An instance is an object of
// fields ({"age": 50, "insulin": null}) or an array of values in `order`
// ([50, null]); a value is a number, a string, a bool or null (missing).
// Other top-level fields are ignored; for a repeated key the last one counts,
// as in a JSON tree.
//
// Errors, the first that applies, in this order: InvalidArgument when the
// body is not JSON or not an object ("request body must be a JSON object
// {\"instances\": [...]}"), or "instances" is not an array;
// ResourceExhausted ("N instances in one request; the limit is M") when
// there are more than `max_instances`; InvalidArgument "instance I: …" for
// the first bad instance — not an object or array, an array of the wrong
// length ("2 values, but the model takes 8 inputs"), or a field that is an
// object or array ("field 'f' must be a number, a string, a bool or null").
//
// Thread-safety: a pure function.

#ifndef MODELHOST_API_PREDICT_INSTANCES_H_
#define MODELHOST_API_PREDICT_INSTANCES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/fitted_pipeline.h"

namespace modelhost::api {

core::Result<std::vector<data::Record>> ParsePredictInstances(
    std::string_view body, const std::vector<std::string_view>& order, size_t max_instances);

}  // namespace modelhost::api

#endif  // MODELHOST_API_PREDICT_INSTANCES_H_
