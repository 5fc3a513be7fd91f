// MakeOptimizer (declared in optimizer.h): names and Keras config keys → an
// optimizer. Lives apart from optimizer.cc because it is the one place that
// knows every implementation.

#include "nn/optimizer.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "nn/adagrad.h"
#include "nn/adam.h"
#include "nn/keras_name.h"
#include "nn/rmsprop.h"
#include "nn/sgd.h"

namespace modelhost::nn {
namespace {

using core::InvalidArgument;
using core::Status;

// Reads the keys of one config into an Options struct, remembering which keys
// it consumed so that the rest can be reported as unknown.
class ConfigReader {
 public:
  ConfigReader(std::string_view optimizer, const OptimizerConfig& config)
      : optimizer_(optimizer), config_(config) {}

  Status Number(std::string_view key, double* out) { return Read(key, out); }
  Status Flag(std::string_view key, bool* out) { return Read(key, out); }

  Status LearningRate(LearningRateSchedule* out) {
    const auto found = Find("learning_rate");
    if (found == config_.end()) return core::OkStatus();
    if (const auto* number = std::get_if<double>(&found->second)) {
      *out = *number;
    } else if (const auto* schedule = std::get_if<LearningRateSchedule>(&found->second)) {
      *out = *schedule;
    } else {
      return WrongType("learning_rate");
    }
    return core::OkStatus();
  }

  Status Clipping(GradientClipping* out) {
    for (auto [key, field] : {std::pair{"clipnorm", &out->clipnorm},
                              std::pair{"global_clipnorm", &out->global_clipnorm},
                              std::pair{"clipvalue", &out->clipvalue}}) {
      if (Find(key) == config_.end()) continue;
      double bound = 0;
      MODELHOST_RETURN_IF_ERROR(Number(key, &bound));
      *field = bound;
    }
    return core::OkStatus();
  }

  // Keys that only describe the Keras object (its name, its XLA flag, EMA
  // settings that matter only with use_ema) are consumed and ignored;
  // use_ema=true is rejected since there is no EMA here.
  Status IgnoredKeys() {
    for (const char* key : {"name", "jit_compile", "is_legacy_optimizer", "ema_momentum",
                            "ema_overwrite_frequency"}) {
      if (Find(key) != config_.end()) consumed_.push_back(key);
    }
    bool use_ema = false;
    MODELHOST_RETURN_IF_ERROR(Flag("use_ema", &use_ema));
    if (use_ema) return Unsupported("use_ema");
    return core::OkStatus();
  }

  // InvalidArgument naming the first key not consumed by the calls above.
  Status RejectUnconsumed() const {
    for (const auto& [key, value] : config_) {
      if (std::find(consumed_.begin(), consumed_.end(), key) == consumed_.end()) {
        return InvalidArgument(std::string(optimizer_) + ": unknown config key \"" + key + "\"");
      }
    }
    return core::OkStatus();
  }

 private:
  OptimizerConfig::const_iterator Find(std::string_view key) {
    const auto found = config_.find(key);
    if (found != config_.end()) consumed_.push_back(found->first);
    return found;
  }

  template <typename T>
  Status Read(std::string_view key, T* out) {
    const auto found = Find(key);
    if (found == config_.end()) return core::OkStatus();
    const T* value = std::get_if<T>(&found->second);
    if (value == nullptr) return WrongType(key);
    *out = *value;
    return core::OkStatus();
  }

  Status WrongType(std::string_view key) const {
    return InvalidArgument(std::string(optimizer_) + ": config key \"" + std::string(key) +
                           "\" has the wrong type");
  }
  Status Unsupported(std::string_view key) const {
    return InvalidArgument(std::string(optimizer_) + ": config key \"" + std::string(key) +
                           "\" is not supported");
  }

  std::string_view optimizer_;
  const OptimizerConfig& config_;
  std::vector<std::string> consumed_;
};

// The keys every optimizer shares (OptimizerCommonOptions), read into any
// Options struct that has the same field names.
template <typename Options>
Status ReadCommon(ConfigReader& reader, Options& options) {
  MODELHOST_RETURN_IF_ERROR(reader.IgnoredKeys());
  MODELHOST_RETURN_IF_ERROR(reader.LearningRate(&options.learning_rate));
  MODELHOST_RETURN_IF_ERROR(reader.Number("weight_decay", &options.weight_decay));
  return reader.Clipping(&options.clipping);
}

core::Result<std::unique_ptr<Optimizer>> MakeSgd(ConfigReader& reader, SgdOptions options) {
  MODELHOST_RETURN_IF_ERROR(ReadCommon(reader, options));
  MODELHOST_RETURN_IF_ERROR(reader.Number("momentum", &options.momentum));
  MODELHOST_RETURN_IF_ERROR(reader.Flag("nesterov", &options.nesterov));
  MODELHOST_RETURN_IF_ERROR(reader.RejectUnconsumed());
  MODELHOST_ASSIGN_OR_RETURN(auto optimizer, Sgd::Create(std::move(options)));
  return std::unique_ptr<Optimizer>(std::move(optimizer));
}

core::Result<std::unique_ptr<Optimizer>> MakeAdagrad(ConfigReader& reader) {
  AdagradOptions options;
  MODELHOST_RETURN_IF_ERROR(ReadCommon(reader, options));
  MODELHOST_RETURN_IF_ERROR(
      reader.Number("initial_accumulator_value", &options.initial_accumulator_value));
  MODELHOST_RETURN_IF_ERROR(reader.Number("epsilon", &options.epsilon));
  MODELHOST_RETURN_IF_ERROR(reader.RejectUnconsumed());
  MODELHOST_ASSIGN_OR_RETURN(auto optimizer, Adagrad::Create(std::move(options)));
  return std::unique_ptr<Optimizer>(std::move(optimizer));
}

core::Result<std::unique_ptr<Optimizer>> MakeRmsprop(ConfigReader& reader) {
  RmspropOptions options;
  MODELHOST_RETURN_IF_ERROR(ReadCommon(reader, options));
  MODELHOST_RETURN_IF_ERROR(reader.Number("rho", &options.rho));
  MODELHOST_RETURN_IF_ERROR(reader.Number("momentum", &options.momentum));
  MODELHOST_RETURN_IF_ERROR(reader.Number("epsilon", &options.epsilon));
  MODELHOST_RETURN_IF_ERROR(reader.Flag("centered", &options.centered));
  MODELHOST_RETURN_IF_ERROR(reader.RejectUnconsumed());
  MODELHOST_ASSIGN_OR_RETURN(auto optimizer, Rmsprop::Create(std::move(options)));
  return std::unique_ptr<Optimizer>(std::move(optimizer));
}

core::Result<std::unique_ptr<Optimizer>> MakeAdam(ConfigReader& reader, bool decoupled) {
  AdamOptions options = decoupled ? AdamWOptions() : AdamOptions();
  MODELHOST_RETURN_IF_ERROR(ReadCommon(reader, options));
  MODELHOST_RETURN_IF_ERROR(reader.Number("beta_1", &options.beta_1));
  MODELHOST_RETURN_IF_ERROR(reader.Number("beta_2", &options.beta_2));
  MODELHOST_RETURN_IF_ERROR(reader.Number("epsilon", &options.epsilon));
  MODELHOST_RETURN_IF_ERROR(reader.Flag("amsgrad", &options.amsgrad));
  MODELHOST_RETURN_IF_ERROR(reader.RejectUnconsumed());
  MODELHOST_ASSIGN_OR_RETURN(auto optimizer, decoupled ? Adam::CreateAdamW(std::move(options))
                                                       : Adam::Create(std::move(options)));
  return std::unique_ptr<Optimizer>(std::move(optimizer));
}

}  // namespace

core::Result<std::unique_ptr<Optimizer>> MakeOptimizer(std::string_view name,
                                                       const OptimizerConfig& config) {
  const std::string normalized = KerasNameKey(name);
  ConfigReader reader(name, config);
  if (normalized == "sgd" || normalized == "gd") return MakeSgd(reader, SgdOptions());
  if (normalized == "momentum" || normalized == "nesterov") {
    SgdOptions options;
    options.momentum = 0.9;
    options.nesterov = normalized == "nesterov";
    return MakeSgd(reader, std::move(options));
  }
  if (normalized == "adagrad") return MakeAdagrad(reader);
  if (normalized == "rmsprop") return MakeRmsprop(reader);
  if (normalized == "adam") return MakeAdam(reader, /*decoupled=*/false);
  if (normalized == "adamw") return MakeAdam(reader, /*decoupled=*/true);
  return InvalidArgument("unknown optimizer \"" + std::string(name) +
                         "\" (known: sgd, gd, momentum, nesterov, adagrad, rmsprop, adam, adamw)");
}

}  // namespace modelhost::nn
