// How Keras names of optimizers, metrics and schedules are compared: Keras
// accepts both the function-style name ("binary_accuracy", "rms_prop") and
// the class name ("BinaryAccuracy", "RMSprop") for the same thing, so names
// are matched on a key with case and underscores removed.
//
// Thread-safety: a pure function.

#ifndef MODELHOST_NN_KERAS_NAME_H_
#define MODELHOST_NN_KERAS_NAME_H_

#include <string>
#include <string_view>

namespace modelhost::nn {

// "BinaryAccuracy", "binary_accuracy" → "binaryaccuracy"; "RMSprop" → "rmsprop".
std::string KerasNameKey(std::string_view name);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_KERAS_NAME_H_
