#include "nn/network_spec.h"

#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "nn/initializer.h"
#include "nn/layer.h"

namespace modelhost::nn {
namespace {

using Json = nlohmann::json;
using core::InvalidArgument;
using core::Result;
using core::Status;

// Keys Keras writes on every layer that do not change what is computed.
const std::set<std::string, std::less<>> kDecorationKeys = {"module", "registered_name",
                                                            "build_config", "shared_object_id"};

std::string CamelToSnake(std::string_view name) {
  if (name.find('_') != std::string_view::npos) return std::string(name);
  std::string snake;
  for (size_t at = 0; at < name.size(); ++at) {
    char c = name[at];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (at > 0) snake += '_';
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      snake += c;
    }
  }
  return snake;
}

// Reads one layer's config, remembering which keys were used so that any
// key left over can be reported as unsupported.
class ConfigReader {
 public:
  ConfigReader(const Json& config, std::string where) : config_(config), where_(std::move(where)) {}

  const std::string& where() const { return where_; }
  Status Error(std::string_view message) const {
    return InvalidArgument(where_ + ": " + std::string(message));
  }
  const Json* Take(std::string_view key) {
    used_.emplace(key);
    auto found = config_.find(std::string(key));
    return found == config_.end() || found->is_null() ? nullptr : &*found;
  }
  Result<double> Number(std::string_view key, double fallback) {
    const Json* value = Take(key);
    if (value == nullptr) return fallback;
    if (!value->is_number()) return Error("'" + std::string(key) + "' must be a number");
    return value->get<double>();
  }
  Result<bool> Bool(std::string_view key, bool fallback) {
    const Json* value = Take(key);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) return Error("'" + std::string(key) + "' must be true or false");
    return value->get<bool>();
  }
  Result<std::string> String(std::string_view key, std::string fallback) {
    const Json* value = Take(key);
    if (value == nullptr) return fallback;
    if (!value->is_string()) return Error("'" + std::string(key) + "' must be a string");
    return value->get<std::string>();
  }
  // Keys that may be present but must be null (features we do not implement).
  Status MustBeNull(std::initializer_list<std::string_view> keys) {
    for (std::string_view key : keys) {
      if (Take(key) != nullptr) return Error("'" + std::string(key) + "' is not supported");
    }
    return core::OkStatus();
  }
  Status RejectLeftovers() const {
    for (const auto& [key, value] : config_.items()) {
      if (!used_.contains(key) && !kDecorationKeys.contains(key)) {
        return Error("unknown option '" + key + "'");
      }
    }
    return core::OkStatus();
  }

 private:
  const Json& config_;
  std::string where_;
  std::set<std::string, std::less<>> used_;
};

Result<std::optional<uint64_t>> ReadSeed(const Json* value, const ConfigReader& reader) {
  if (value == nullptr || value->is_null()) return std::optional<uint64_t>();
  if (!value->is_number_integer() || value->get<int64_t>() < 0) {
    return reader.Error("'seed' must be a non-negative integer");
  }
  return std::optional<uint64_t>(value->get<uint64_t>());
}

// A layer width (units, input features): an integer in [1, kMaxLayerWidth].
// Checked here, before anything is sized from it, so that 3000000000 or
// 4294967297 is an error rather than a wrapped int or a huge allocation.
bool IsLayerWidth(const Json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>() - 1 < kMaxLayerWidth;
  return value.is_number_integer() && value.get<int64_t>() >= 1 &&
         static_cast<uint64_t>(value.get<int64_t>()) <= kMaxLayerWidth;
}

std::string LayerWidthRange() {
  return "an integer in [1, " + std::to_string(kMaxLayerWidth) + "]";
}

// "glorot_uniform" or {"class_name": "GlorotUniform", "config": {"seed": 3}}.
// The name is checked here and kept in its canonical function form, so that an
// unknown initializer is an error naming the layer and the spec's JSON round
// trip is exact.
Result<InitializerSpec> ReadInitializer(ConfigReader& reader, std::string_view key,
                                        InitializerSpec fallback) {
  const Json* value = reader.Take(key);
  if (value == nullptr) return fallback;
  const std::string quoted_key = "'" + std::string(key) + "'";
  const Json* name = value;
  if (value->is_object()) {
    for (const auto& [object_key, object_value] : value->items()) {
      if (object_key != "class_name" && object_key != "config" && object_key != "module" &&
          object_key != "registered_name") {
        return reader.Error(quoted_key + ": unknown key '" + object_key + "'");
      }
    }
    name = value->contains("class_name") ? &value->at("class_name") : nullptr;
  }
  if (name == nullptr || !name->is_string()) {
    return reader.Error(quoted_key + " must be a name or {class_name, config}");
  }
  Result<Initializer> initializer = ParseInitializer(name->get<std::string>());
  if (!initializer.ok()) return reader.Error(quoted_key + ": " + initializer.status().message());
  InitializerSpec spec{std::string(ToString(*initializer)), {}};
  if (value->is_object() && value->contains("config")) {
    const Json& config = value->at("config");
    if (!config.is_object() && !config.is_null()) {
      return reader.Error(quoted_key + ": 'config' must be an object");
    }
    for (const auto& [config_key, config_value] : config.items()) {
      if (config_key == "seed") {
        MODELHOST_ASSIGN_OR_RETURN(spec.seed, ReadSeed(&config_value, reader));
      } else if (!config_value.is_null()) {  // Keras 3.x adds null "input_axes"/"output_axes"
        return reader.Error(quoted_key + ": option '" + config_key + "' is not supported");
      }
    }
  }
  return spec;
}

// null, "l1"/"l2"/"l1_l2" (Keras default factor 0.01), or {"class_name": "L2", "config": {...}}.
Status ReadRegularizer(ConfigReader& reader, double* l1, double* l2) {
  const Json* value = reader.Take("kernel_regularizer");
  if (value == nullptr) return core::OkStatus();
  std::string kind;
  Json config = Json::object();
  if (value->is_string()) {
    kind = value->get<std::string>();
  } else if (value->is_object() && value->contains("class_name") &&
             value->at("class_name").is_string()) {
    kind = CamelToSnake(value->at("class_name").get<std::string>());
    if (value->contains("config")) config = value->at("config");
  } else {
    return reader.Error("'kernel_regularizer' must be a name or {class_name, config}");
  }
  if (kind == "l1l2") kind = "l1_l2";
  if (kind != "l1" && kind != "l2" && kind != "l1_l2") {
    return reader.Error("kernel_regularizer '" + kind + "' is not supported (use L1, L2, L1L2)");
  }
  if (!config.is_object()) return reader.Error("kernel_regularizer: 'config' must be an object");
  // Keras's L1 takes only l1, L2 only l2, L1L2 both: anything else would be
  // a factor silently not applied.
  if (value->is_object()) {
    for (const auto& [key, unused] : value->items()) {
      if (key != "class_name" && key != "config" && !kDecorationKeys.contains(key)) {
        return reader.Error("kernel_regularizer: unknown key '" + key + "'");
      }
    }
  }
  for (const auto& [key, unused] : config.items()) {
    const bool known = (key == "l1" && kind != "l2") || (key == "l2" && kind != "l1");
    if (!known) {
      return reader.Error("kernel_regularizer: " + kind + " has no option '" + key + "'");
    }
  }
  auto factor = [&](const char* name) -> Result<double> {
    if (!config.contains(name) || config.at(name).is_null()) {
      return kind == "l1_l2" ? 0.0 : 0.01;  // Keras: L1/L2 default 0.01, L1L2 defaults 0.0
    }
    const Json& value = config.at(name);
    if (!value.is_number() || !(value.get<double>() >= 0.0) ||
        !std::isfinite(value.get<double>())) {
      return reader.Error("kernel_regularizer: '" + std::string(name) +
                          "' must be a finite number >= 0");
    }
    return value.get<double>();
  };
  if (kind != "l2") {
    MODELHOST_ASSIGN_OR_RETURN(*l1, factor("l1"));
  }
  if (kind != "l1") {
    MODELHOST_ASSIGN_OR_RETURN(*l2, factor("l2"));
  }
  return core::OkStatus();
}

// "relu" or Keras 3's {"class_name": "function", "config": "relu", …}.
Result<std::string> ReadActivation(ConfigReader& reader, std::string fallback) {
  const Json* value = reader.Take("activation");
  if (value == nullptr) return fallback;
  if (value->is_string()) return value->get<std::string>();
  if (value->is_object() && value->contains("config") && value->at("config").is_string()) {
    return value->at("config").get<std::string>();
  }
  return reader.Error("'activation' must be a name such as \"relu\"");
}

// Options every Keras layer may carry. dtype must be float32; frozen layers are unsupported.
Status ReadCommonOptions(ConfigReader& reader, std::string* name) {
  MODELHOST_ASSIGN_OR_RETURN(*name, reader.String("name", *name));
  MODELHOST_ASSIGN_OR_RETURN(bool trainable, reader.Bool("trainable", true));
  if (!trainable) return reader.Error("frozen layers (trainable: false) are not supported");
  if (const Json* dtype = reader.Take("dtype")) {
    std::string type = dtype->is_string() ? dtype->get<std::string>() : "";
    if (dtype->is_object() && dtype->contains("config") && dtype->at("config").contains("name") &&
        dtype->at("config").at("name").is_string()) {
      type = dtype->at("config").at("name").get<std::string>();
    }
    if (type != "float32") return reader.Error("dtype must be float32");
  }
  return core::OkStatus();
}

Result<LayerSpec> ReadDense(ConfigReader& reader) {
  DenseSpec dense;
  MODELHOST_RETURN_IF_ERROR(ReadCommonOptions(reader, &dense.name));
  const Json* units = reader.Take("units");
  if (units == nullptr || !IsLayerWidth(*units)) {
    return reader.Error("'units' must be " + LayerWidthRange() +
                        (units == nullptr ? "" : ", got " + units->dump()));
  }
  dense.units = static_cast<int>(units->get<int64_t>());
  MODELHOST_ASSIGN_OR_RETURN(dense.activation, ReadActivation(reader, "linear"));
  MODELHOST_ASSIGN_OR_RETURN(dense.use_bias, reader.Bool("use_bias", true));
  MODELHOST_ASSIGN_OR_RETURN(dense.kernel_initializer, ReadInitializer(reader, "kernel_initializer",
                                                                       dense.kernel_initializer));
  MODELHOST_ASSIGN_OR_RETURN(dense.bias_initializer,
                             ReadInitializer(reader, "bias_initializer", dense.bias_initializer));
  MODELHOST_RETURN_IF_ERROR(ReadRegularizer(reader, &dense.kernel_l1, &dense.kernel_l2));
  MODELHOST_RETURN_IF_ERROR(
      reader.MustBeNull({"bias_regularizer", "activity_regularizer", "kernel_constraint",
                         "bias_constraint", "lora_rank", "quantization_config"}));
  (void)reader.Take("lora_alpha");  // meaningful only with lora_rank, which must be null
  return LayerSpec(std::move(dense));
}

Result<LayerSpec> ReadDropout(ConfigReader& reader) {
  DropoutSpec dropout;
  MODELHOST_RETURN_IF_ERROR(ReadCommonOptions(reader, &dropout.name));
  MODELHOST_ASSIGN_OR_RETURN(dropout.rate, reader.Number("rate", -1.0));
  if (!(dropout.rate >= 0.0 && dropout.rate < 1.0)) {
    return reader.Error("'rate' must be in [0, 1)");
  }
  MODELHOST_ASSIGN_OR_RETURN(dropout.seed, ReadSeed(reader.Take("seed"), reader));
  MODELHOST_RETURN_IF_ERROR(reader.MustBeNull({"noise_shape"}));
  return LayerSpec(std::move(dropout));
}

Result<LayerSpec> ReadBatchNormalization(ConfigReader& reader) {
  BatchNormalizationSpec norm;
  MODELHOST_RETURN_IF_ERROR(ReadCommonOptions(reader, &norm.name));
  if (const Json* axis = reader.Take("axis")) {
    bool last = (axis->is_number_integer() && (axis->get<int>() == -1 || axis->get<int>() == 1)) ||
                (axis->is_array() && axis->size() == 1 && axis->at(0).is_number_integer() &&
                 (axis->at(0).get<int>() == -1 || axis->at(0).get<int>() == 1));
    if (!last) return reader.Error("'axis' must be the feature axis (-1)");
  }
  MODELHOST_ASSIGN_OR_RETURN(norm.momentum, reader.Number("momentum", norm.momentum));
  MODELHOST_ASSIGN_OR_RETURN(norm.epsilon, reader.Number("epsilon", norm.epsilon));
  MODELHOST_ASSIGN_OR_RETURN(norm.center, reader.Bool("center", true));
  MODELHOST_ASSIGN_OR_RETURN(norm.scale, reader.Bool("scale", true));
  if (!(norm.momentum >= 0.0 && norm.momentum < 1.0)) {
    return reader.Error("'momentum' must be in [0, 1)");
  }
  if (!(norm.epsilon > 0.0)) return reader.Error("'epsilon' must be positive");
  // Initializers other than Keras's defaults would need support we do not have.
  const std::pair<const char*, const char*> kDefaultInitializers[] = {
      {"beta_initializer", "zeros"},
      {"gamma_initializer", "ones"},
      {"moving_mean_initializer", "zeros"},
      {"moving_variance_initializer", "ones"}};
  for (const auto& [key, expected] : kDefaultInitializers) {
    MODELHOST_ASSIGN_OR_RETURN(InitializerSpec initializer,
                               ReadInitializer(reader, key, InitializerSpec{expected, {}}));
    if (initializer.name != expected) {
      return reader.Error(std::string("'") + key + "' must be " + expected);
    }
  }
  MODELHOST_ASSIGN_OR_RETURN(bool synchronized, reader.Bool("synchronized", false));
  MODELHOST_ASSIGN_OR_RETURN(bool renorm, reader.Bool("renorm", false));
  if (synchronized || renorm) return reader.Error("synchronized/renorm are not supported");
  MODELHOST_RETURN_IF_ERROR(
      reader.MustBeNull({"beta_regularizer", "gamma_regularizer", "beta_constraint",
                         "gamma_constraint", "renorm_clipping"}));
  (void)reader.Take("renorm_momentum");  // meaningful only with renorm, which must be false
  return LayerSpec(std::move(norm));
}

Result<LayerSpec> ReadActivationLayer(ConfigReader& reader) {
  ActivationSpec activation;
  MODELHOST_RETURN_IF_ERROR(ReadCommonOptions(reader, &activation.name));
  MODELHOST_ASSIGN_OR_RETURN(activation.activation, ReadActivation(reader, ""));
  if (activation.activation.empty()) return reader.Error("'activation' is required");
  return LayerSpec(std::move(activation));
}

// [null, 8] → 8. Only flat feature vectors are supported.
Result<int64_t> ReadInputShape(const Json& shape, const ConfigReader& reader) {
  if (!shape.is_array() || shape.size() != 2 || !IsLayerWidth(shape.at(1))) {
    return reader.Error(
        "input shape must be [null, features] (flat feature vectors) with "
        "features " +
        LayerWidthRange() + ", got " + shape.dump());
  }
  return shape.at(1).get<int64_t>();
}

void AssignDefaultNames(NetworkSpec* spec) {
  std::map<std::string, int> counts;
  const char* kBaseNames[] = {"dense", "dropout", "batch_normalization", "activation"};
  for (LayerSpec& layer : spec->layers) {
    std::visit(
        [&](auto& typed) {
          if (!typed.name.empty()) return;
          std::string base = kBaseNames[layer.index()];
          int count = counts[base]++;
          typed.name = count == 0 ? base : base + "_" + std::to_string(count);
        },
        layer);
  }
}

Status CheckUniqueNames(const NetworkSpec& spec) {
  std::set<std::string> names;
  for (size_t index = 0; index < spec.layers.size(); ++index) {
    if (!names.insert(LayerName(spec.layers[index])).second) {
      return InvalidArgument("network spec: layer " + std::to_string(index) + ": name '" +
                             LayerName(spec.layers[index]) + "' is used twice");
    }
  }
  return core::OkStatus();
}

}  // namespace

namespace {

Result<LayerSpec> ReadLayer(std::string_view class_name, ConfigReader& reader) {
  if (class_name == "Dense") return ReadDense(reader);
  if (class_name == "Dropout") return ReadDropout(reader);
  if (class_name == "BatchNormalization") return ReadBatchNormalization(reader);
  if (class_name == "Activation") return ReadActivationLayer(reader);
  return reader.Error("layer type '" + std::string(class_name) +
                      "' is not supported (Dense, Dropout, BatchNormalization, Activation)");
}

Status SetInputWidth(NetworkSpec* spec, int64_t width, const ConfigReader& reader) {
  if (spec->input_width.has_value() && *spec->input_width != width) {
    return reader.Error("input shape " + std::to_string(width) + " contradicts the earlier " +
                        std::to_string(*spec->input_width));
  }
  spec->input_width = width;
  return core::OkStatus();
}

Status ReadInputLayer(ConfigReader& reader, NetworkSpec* spec) {
  (void)reader.Take("name");  // the input has no weights; its name is not kept
  for (const char* key : {"batch_shape", "batch_input_shape"}) {
    if (const Json* shape = reader.Take(key)) {
      MODELHOST_ASSIGN_OR_RETURN(int64_t width, ReadInputShape(*shape, reader));
      MODELHOST_RETURN_IF_ERROR(SetInputWidth(spec, width, reader));
    }
  }
  if (const Json* dtype = reader.Take("dtype"); dtype && *dtype != "float32") {
    return reader.Error("dtype must be float32");
  }
  for (const char* flag : {"sparse", "ragged", "optional"}) {
    MODELHOST_ASSIGN_OR_RETURN(bool set, reader.Bool(flag, false));
    if (set) return reader.Error(std::string("'") + flag + "' inputs are not supported");
  }
  return reader.RejectLeftovers();
}

Result<NetworkSpec> ParseKerasForm(const Json& document) {
  const Json& config = document.at("config");
  const Json* layers = config.is_array() ? &config : nullptr;
  if (config.is_object() && config.contains("layers")) layers = &config.at("layers");
  if (layers == nullptr || !layers->is_array()) {
    return InvalidArgument("network spec: Sequential config has no 'layers' list");
  }
  NetworkSpec spec;
  for (size_t index = 0; index < layers->size(); ++index) {
    const Json& layer = layers->at(index);
    std::string where = "network spec: layer " + std::to_string(index);
    if (!layer.is_object() || !layer.contains("class_name") ||
        !layer.at("class_name").is_string()) {
      return InvalidArgument(where + ": must be an object with 'class_name' and 'config'");
    }
    const Json empty = Json::object();
    const Json& layer_config = layer.contains("config") ? layer.at("config") : empty;
    if (!layer_config.is_object()) return InvalidArgument(where + ": 'config' must be an object");
    if (layer_config.contains("name") && layer_config.at("name").is_string()) {
      where += " ('" + layer_config.at("name").get<std::string>() + "')";
    }
    ConfigReader reader(layer_config, where);
    std::string class_name = layer.at("class_name").get<std::string>();
    if (class_name == "InputLayer") {
      if (!spec.layers.empty()) return reader.Error("InputLayer must come first");
      MODELHOST_RETURN_IF_ERROR(ReadInputLayer(reader, &spec));
      continue;
    }
    // tf.keras puts the input shape on the first real layer instead.
    if (const Json* shape = reader.Take("batch_input_shape")) {
      MODELHOST_ASSIGN_OR_RETURN(int64_t width, ReadInputShape(*shape, reader));
      MODELHOST_RETURN_IF_ERROR(SetInputWidth(&spec, width, reader));
    }
    MODELHOST_ASSIGN_OR_RETURN(LayerSpec parsed, ReadLayer(class_name, reader));
    MODELHOST_RETURN_IF_ERROR(reader.RejectLeftovers());
    spec.layers.push_back(std::move(parsed));
  }
  return spec;
}

// {"dense": 10, "activation": "relu"} → the Keras config of that layer.
Result<std::pair<std::string, Json>> ShortLayerToKeras(const Json& layer,
                                                       const std::string& where) {
  if (!layer.is_object()) return InvalidArgument(where + ": must be an object");
  Json config = layer;
  if (layer.contains("dense")) {
    config.erase("dense");
    config["units"] = layer.at("dense");
    if (layer.contains("kernel_l1") || layer.contains("kernel_l2")) {
      if (layer.contains("kernel_regularizer")) {
        return InvalidArgument(where +
                               ": give 'kernel_l1'/'kernel_l2' or 'kernel_regularizer', not both");
      }
      Json factors = Json::object();
      for (const auto& [key, factor_name] : {std::pair{"kernel_l1", "l1"}, {"kernel_l2", "l2"}}) {
        // Absent or null: 0, as ConfigReader reads a null option.
        const Json factor =
            layer.contains(key) && !layer.at(key).is_null() ? layer.at(key) : Json(0.0);
        // Checked here: past this point the error would name L1L2's "l1"/"l2".
        if (!factor.is_number() || !(factor.get<double>() >= 0.0) ||
            !std::isfinite(factor.get<double>())) {
          return InvalidArgument(where + ": '" + key + "' must be a finite number >= 0");
        }
        factors[factor_name] = factor;
        config.erase(key);
      }
      config["kernel_regularizer"] = {{"class_name", "L1L2"}, {"config", std::move(factors)}};
    }
    return std::pair<std::string, Json>("Dense", std::move(config));
  }
  if (layer.contains("dropout")) {
    config.erase("dropout");
    config["rate"] = layer.at("dropout");
    return std::pair<std::string, Json>("Dropout", std::move(config));
  }
  if (layer.contains("batch_normalization")) {
    const Json& options = layer.at("batch_normalization");
    config = options.is_object() ? options : Json::object();
    if (!options.is_object() && options != true) {
      return InvalidArgument(where + ": 'batch_normalization' must be an object or true");
    }
    if (layer.contains("name")) config["name"] = layer.at("name");
    return std::pair<std::string, Json>("BatchNormalization", std::move(config));
  }
  if (layer.contains("activation")) return std::pair<std::string, Json>("Activation", config);
  return InvalidArgument(where +
                         ": expected one of 'dense', 'dropout', 'batch_normalization', "
                         "'activation'");
}

Result<NetworkSpec> ParseShortForm(const Json& document) {
  NetworkSpec spec;
  for (const auto& [key, value] : document.items()) {
    if (key != "layers" && key != "input_dim") {
      return InvalidArgument("network spec: unknown key '" + key +
                             "' (expected layers, input_dim)");
    }
  }
  if (document.contains("input_dim")) {
    const Json& width = document.at("input_dim");
    if (!IsLayerWidth(width)) {
      return InvalidArgument("network spec: 'input_dim' must be " + LayerWidthRange() + ", got " +
                             width.dump());
    }
    spec.input_width = width.get<int64_t>();
  }
  const Json& layers = document.at("layers");
  if (!layers.is_array()) return InvalidArgument("network spec: 'layers' must be a list");
  for (size_t index = 0; index < layers.size(); ++index) {
    std::string where = "network spec: layer " + std::to_string(index);
    MODELHOST_ASSIGN_OR_RETURN(auto keras, ShortLayerToKeras(layers.at(index), where));
    if (keras.second.contains("name") && keras.second.at("name").is_string()) {
      where += " ('" + keras.second.at("name").get<std::string>() + "')";
    }
    ConfigReader reader(keras.second, where);
    if (const Json* width = reader.Take("input_dim")) {
      if (index != 0 || !IsLayerWidth(*width)) {
        return reader.Error("'input_dim' must be " + LayerWidthRange() + " on the first layer");
      }
      MODELHOST_RETURN_IF_ERROR(SetInputWidth(&spec, width->get<int64_t>(), reader));
    }
    MODELHOST_ASSIGN_OR_RETURN(LayerSpec parsed, ReadLayer(keras.first, reader));
    MODELHOST_RETURN_IF_ERROR(reader.RejectLeftovers());
    spec.layers.push_back(std::move(parsed));
  }
  return spec;
}

}  // namespace

Result<NetworkSpec> ParseNetworkSpec(std::string_view json) {
  Json document;
  try {
    document = Json::parse(json);
  } catch (const Json::exception& error) {
    // Not only parse_error: a number too large for a double throws out_of_range.
    return InvalidArgument(std::string("network spec: not valid JSON: ") + error.what());
  }
  try {
    Result<NetworkSpec> spec = InvalidArgument(
        "network spec: expected a Keras Sequential "
        "config or {\"layers\": [...]}");
    if (document.is_object() && document.contains("class_name")) {
      if (document.at("class_name") != "Sequential") {
        return InvalidArgument("network spec: only Sequential models are supported, got " +
                               document.at("class_name").dump());
      }
      if (!document.contains("config")) return InvalidArgument("network spec: missing 'config'");
      spec = ParseKerasForm(document);
    } else if (document.is_object() && document.contains("layers")) {
      spec = ParseShortForm(document);
    }
    if (!spec.ok()) return spec;
    if (spec->layers.empty()) return InvalidArgument("network spec: the network has no layers");
    AssignDefaultNames(&*spec);
    MODELHOST_RETURN_IF_ERROR(CheckUniqueNames(*spec));
    return spec;
  } catch (const Json::exception& error) {
    // A value of an unexpected JSON type deep in a config (e.g. a number where
    // a name belongs) surfaces here rather than as a crash.
    return InvalidArgument(std::string("network spec: unexpected value: ") + error.what());
  }
}

}  // namespace modelhost::nn
