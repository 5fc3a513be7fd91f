// NetworkSpec: the architecture of a Sequential network as data — which
// layers, with which options — parsed from JSON and written back.
//
// Accepted JSON forms:
//   * Keras 3 `model.to_json()` of a Sequential model ("module" keys,
//     InputLayer with "batch_shape", DTypePolicy objects, "build_config");
//   * tf.keras / Keras 2 `model.to_json()` (InputLayer or first layer with
//     "batch_input_shape", plain "dtype" strings);
//   * a short form: {"input_dim": 8, "layers": [{"dense": 10, "activation": "relu"},
//     {"dropout": 0.2}, {"batch_normalization": {}}, {"activation": "softmax"}]}.
// Anything the engine would not honour — an unknown layer class or option, a
// constraint, an activity regularizer — is an InvalidArgument naming the
// layer (index and name) and the key, never silently dropped. Options that do
// not change the computation (names, dtype float32, trainable) are accepted.
//
// Thread-safety: plain values and pure functions.

#ifndef MODELHOST_NN_NETWORK_SPEC_H_
#define MODELHOST_NN_NETWORK_SPEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace modelhost::nn {

// An initializer by Keras snake_case name ("glorot_uniform", "he_normal", "zeros").
struct InitializerSpec {
  std::string name;
  std::optional<uint64_t> seed;  // a per-initializer seed from the spec, if any
};

struct DenseSpec {
  std::string name;
  // In [1, kMaxLayerWidth] (layer.h) once parsed.
  int units = 0;
  std::string activation = "linear";
  bool use_bias = true;
  InitializerSpec kernel_initializer{"glorot_uniform", std::nullopt};
  InitializerSpec bias_initializer{"zeros", std::nullopt};
  double kernel_l1 = 0.0;  // λ of λ·Σ|w| added to the loss
  double kernel_l2 = 0.0;  // λ of λ·Σw² added to the loss
};

struct DropoutSpec {
  std::string name;
  double rate = 0.0;
  std::optional<uint64_t> seed;
};

struct BatchNormalizationSpec {
  std::string name;
  double momentum = 0.99;  // Keras defaults
  double epsilon = 1e-3;
  bool center = true;
  bool scale = true;
};

struct ActivationSpec {
  std::string name;
  std::string activation;
};

using LayerSpec = std::variant<DenseSpec, DropoutSpec, BatchNormalizationSpec, ActivationSpec>;

struct NetworkSpec {
  // Feature count the network expects, when the spec states it; otherwise it
  // comes from the data at build time. In [1, kMaxLayerWidth] once parsed.
  std::optional<int64_t> input_width;
  std::vector<LayerSpec> layers;
};

// Parses any accepted form. Widths (units, input features) must be integers
// in [1, kMaxLayerWidth] (layer.h); whether a layer's parameters fit
// kMaxLayerParameterValues is checked by Layer::Build, which knows both
// widths. Layers without a name get Keras-style ones
// ("dense", "dense_1", …). Initializer names are normalized to snake_case
// ("GlorotUniform" → "glorot_uniform"; Keras accepts both); activation names
// are kept exactly as written (Keras's are snake_case already, and
// ParseActivation matches them exactly). Neither is validated here but when
// the network is built, where the engine's own lists live.
core::Result<NetworkSpec> ParseNetworkSpec(std::string_view json);

// The canonical JSON of `spec` (the Keras 3 layout, without Keras-only
// decorations); ParseNetworkSpec(NetworkSpecToJson(s)) == s.
std::string NetworkSpecToJson(const NetworkSpec& spec);

// The name of any layer spec.
const std::string& LayerName(const LayerSpec& layer);

bool operator==(const InitializerSpec& a, const InitializerSpec& b);
bool operator==(const DenseSpec& a, const DenseSpec& b);
bool operator==(const DropoutSpec& a, const DropoutSpec& b);
bool operator==(const BatchNormalizationSpec& a, const BatchNormalizationSpec& b);
bool operator==(const ActivationSpec& a, const ActivationSpec& b);
bool operator==(const NetworkSpec& a, const NetworkSpec& b);

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_NETWORK_SPEC_H_
