// NetworkSpecToJson and the spec's equality: the writing side of
// network_spec.h, kept apart from the (much longer) parser.

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "nn/network_spec.h"

namespace modelhost::nn {
namespace {

using Json = nlohmann::json;

std::string SnakeToCamel(std::string_view name) {
  std::string camel;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
    } else {
      camel += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return camel;
}

Json InitializerToJson(const InitializerSpec& initializer) {
  Json config = Json::object();
  if (initializer.seed.has_value()) config["seed"] = *initializer.seed;
  return {{"class_name", SnakeToCamel(initializer.name)}, {"config", config}};
}

Json LayerToJson(const LayerSpec& layer) {
  struct Visitor {
    Json operator()(const DenseSpec& dense) const {
      Json regularizer = nullptr;
      if (dense.kernel_l1 != 0.0 || dense.kernel_l2 != 0.0) {
        regularizer = {{"class_name", "L1L2"},
                       {"config", {{"l1", dense.kernel_l1}, {"l2", dense.kernel_l2}}}};
      }
      return {{"class_name", "Dense"},
              {"config",
               {{"name", dense.name},
                {"units", dense.units},
                {"activation", dense.activation},
                {"use_bias", dense.use_bias},
                {"kernel_initializer", InitializerToJson(dense.kernel_initializer)},
                {"bias_initializer", InitializerToJson(dense.bias_initializer)},
                {"kernel_regularizer", regularizer}}}};
    }
    Json operator()(const DropoutSpec& dropout) const {
      Json seed = dropout.seed.has_value() ? Json(*dropout.seed) : Json(nullptr);
      return {{"class_name", "Dropout"},
              {"config", {{"name", dropout.name}, {"rate", dropout.rate}, {"seed", seed}}}};
    }
    Json operator()(const BatchNormalizationSpec& norm) const {
      return {{"class_name", "BatchNormalization"},
              {"config",
               {{"name", norm.name},
                {"momentum", norm.momentum},
                {"epsilon", norm.epsilon},
                {"center", norm.center},
                {"scale", norm.scale}}}};
    }
    Json operator()(const ActivationSpec& activation) const {
      return {{"class_name", "Activation"},
              {"config", {{"name", activation.name}, {"activation", activation.activation}}}};
    }
  };
  return std::visit(Visitor{}, layer);
}

}  // namespace

std::string NetworkSpecToJson(const NetworkSpec& spec) {
  Json layers = Json::array();
  if (spec.input_width.has_value()) {
    layers.push_back({{"class_name", "InputLayer"},
                      {"config", {{"batch_shape", {nullptr, *spec.input_width}}}}});
  }
  for (const LayerSpec& layer : spec.layers) layers.push_back(LayerToJson(layer));
  Json document = {{"class_name", "Sequential"}, {"config", {{"layers", layers}}}};
  return document.dump();
}

const std::string& LayerName(const LayerSpec& layer) {
  return std::visit([](const auto& typed) -> const std::string& { return typed.name; }, layer);
}

bool operator==(const InitializerSpec& a, const InitializerSpec& b) {
  return a.name == b.name && a.seed == b.seed;
}
bool operator==(const DenseSpec& a, const DenseSpec& b) {
  return a.name == b.name && a.units == b.units && a.activation == b.activation &&
         a.use_bias == b.use_bias && a.kernel_initializer == b.kernel_initializer &&
         a.bias_initializer == b.bias_initializer && a.kernel_l1 == b.kernel_l1 &&
         a.kernel_l2 == b.kernel_l2;
}
bool operator==(const DropoutSpec& a, const DropoutSpec& b) {
  return a.name == b.name && a.rate == b.rate && a.seed == b.seed;
}
bool operator==(const BatchNormalizationSpec& a, const BatchNormalizationSpec& b) {
  return a.name == b.name && a.momentum == b.momentum && a.epsilon == b.epsilon &&
         a.center == b.center && a.scale == b.scale;
}
bool operator==(const ActivationSpec& a, const ActivationSpec& b) {
  return a.name == b.name && a.activation == b.activation;
}
bool operator==(const NetworkSpec& a, const NetworkSpec& b) {
  return a.input_width == b.input_width && a.layers == b.layers;
}

}  // namespace modelhost::nn
