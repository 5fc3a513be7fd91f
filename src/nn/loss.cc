#include "nn/loss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace modelhost::nn {
namespace {

struct LossName {
  LossKind kind;
  std::string_view function_name;
  std::string_view class_name;
  std::string_view alias;  // lower-case; its upper-case form is accepted too
};

constexpr std::array<LossName, 6> kNames = {{
    {LossKind::kBinaryCrossentropy, "binary_crossentropy", "BinaryCrossentropy", "bce"},
    {LossKind::kCategoricalCrossentropy, "categorical_crossentropy", "CategoricalCrossentropy", ""},
    {LossKind::kSparseCategoricalCrossentropy, "sparse_categorical_crossentropy",
     "SparseCategoricalCrossentropy", ""},
    {LossKind::kMeanSquaredError, "mean_squared_error", "MeanSquaredError", "mse"},
    {LossKind::kMeanAbsoluteError, "mean_absolute_error", "MeanAbsoluteError", "mae"},
    {LossKind::kHuber, "huber", "Huber", ""},
}};

bool EqualsUpperCase(std::string_view lower, std::string_view name) {
  if (lower.empty() || lower.size() != name.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (name[i] != lower[i] - 'a' + 'A') return false;
  }
  return true;
}

// Per-sample loss functions. Each gets one row of the input and of the
// targets, returns the sample's loss and, when `gradient` is not null, writes
// d(sample loss)/d(input row) into it; the caller applies weight / batch.

double BinaryCrossentropyFromLogits(const float* z, const float* y, size_t cols, float* gradient) {
  double sum = 0.0;
  const float inverse_cols = 1.0f / static_cast<float>(cols);
  for (size_t j = 0; j < cols; ++j) {
    // max(z, 0) − z·y + log(1 + e^−|z|): never exponentiates a positive number.
    sum += std::max(z[j], 0.0f) - z[j] * y[j] + std::log1p(std::exp(-std::abs(z[j])));
    if (gradient != nullptr) gradient[j] = (StableSigmoid(z[j]) - y[j]) * inverse_cols;
  }
  return sum / static_cast<double>(cols);
}

double BinaryCrossentropyFromProbabilities(const float* p, const float* y, size_t cols,
                                           float* gradient) {
  double sum = 0.0;
  const float inverse_cols = 1.0f / static_cast<float>(cols);
  for (size_t j = 0; j < cols; ++j) {
    const float clipped = std::clamp(p[j], kProbabilityEpsilon, 1.0f - kProbabilityEpsilon);
    sum -= y[j] * std::log(clipped) + (1.0f - y[j]) * std::log(1.0f - clipped);
    if (gradient != nullptr) {
      // Where the clip is active the loss is flat in p, as in Keras.
      gradient[j] = clipped != p[j] ? 0.0f : (p[j] - y[j]) / (p[j] * (1.0f - p[j])) * inverse_cols;
    }
  }
  return sum / static_cast<double>(cols);
}

// Target(k) gives y_k, so one-hot rows and sparse class indices share the code.
template <typename Target>
double CategoricalFromLogits(const float* z, Target target, size_t cols, float* gradient) {
  float max_value = z[0];
  for (size_t k = 1; k < cols; ++k) max_value = std::max(max_value, z[k]);
  double exp_sum = 0.0;
  for (size_t k = 0; k < cols; ++k) exp_sum += std::exp(static_cast<double>(z[k] - max_value));
  const double log_sum_exp = max_value + std::log(exp_sum);
  double loss = 0.0;
  double target_sum = 0.0;
  for (size_t k = 0; k < cols; ++k) {
    loss += target(k) * (log_sum_exp - z[k]);
    target_sum += target(k);
  }
  if (gradient != nullptr) {
    for (size_t k = 0; k < cols; ++k) {
      const double softmax = std::exp(static_cast<double>(z[k]) - log_sum_exp);
      gradient[k] = static_cast<float>(softmax * target_sum - target(k));
    }
  }
  return loss;
}

// Keras: p ← p / Σp, clipped to [ε, 1 − ε], loss −Σ y·log p.
template <typename Target>
double CategoricalFromProbabilities(const float* p, Target target, size_t cols, float* gradient) {
  double row_sum = 0.0;
  for (size_t k = 0; k < cols; ++k) row_sum += p[k];
  double loss = 0.0;
  double weighted = 0.0;  // Σ_k g_k·q_k, with g_k = dL/dq_k
  for (size_t k = 0; k < cols; ++k) {
    const double q = p[k] / row_sum;
    const double clipped = std::clamp(q, double{kProbabilityEpsilon}, 1.0 - kProbabilityEpsilon);
    loss -= target(k) * std::log(clipped);
    const double g = clipped != q ? 0.0 : -target(k) / clipped;
    weighted += g * q;
    if (gradient != nullptr) gradient[k] = static_cast<float>(g);
  }
  if (gradient != nullptr) {
    // Through the normalization: dL/dp_j = (g_j − Σ_k g_k·q_k) / Σp.
    for (size_t k = 0; k < cols; ++k) {
      gradient[k] = static_cast<float>((gradient[k] - weighted) / row_sum);
    }
  }
  return loss;
}

// Element-wise regression losses: `element(e, &derivative)` gives the loss of
// one error e = prediction − target and its derivative.
template <typename Element>
double MeanOverColumns(const float* p, const float* y, size_t cols, float* gradient,
                       Element element) {
  double sum = 0.0;
  const float inverse_cols = 1.0f / static_cast<float>(cols);
  for (size_t j = 0; j < cols; ++j) {
    float derivative = 0.0f;
    sum += element(p[j] - y[j], &derivative);
    if (gradient != nullptr) gradient[j] = derivative * inverse_cols;
  }
  return sum / static_cast<double>(cols);
}

// The loss of one sample (row) for options.kind.
double SampleLoss(const LossOptions& options, bool from_logits, const float* x, const float* y,
                  size_t cols, float* g) {
  const float delta = options.huber_delta;
  switch (options.kind) {
    case LossKind::kBinaryCrossentropy:
      return from_logits ? BinaryCrossentropyFromLogits(x, y, cols, g)
                         : BinaryCrossentropyFromProbabilities(x, y, cols, g);
    case LossKind::kCategoricalCrossentropy: {
      const auto dense = [y](size_t k) { return static_cast<double>(y[k]); };
      return from_logits ? CategoricalFromLogits(x, dense, cols, g)
                         : CategoricalFromProbabilities(x, dense, cols, g);
    }
    case LossKind::kSparseCategoricalCrossentropy: {
      // Validate() checked that y[0] is an integer in [0, cols).
      const auto one_hot = [index = static_cast<size_t>(y[0])](size_t k) {
        return k == index ? 1.0 : 0.0;
      };
      return from_logits ? CategoricalFromLogits(x, one_hot, cols, g)
                         : CategoricalFromProbabilities(x, one_hot, cols, g);
    }
    case LossKind::kMeanSquaredError:
      return MeanOverColumns(x, y, cols, g, [](float e, float* d) {
        *d = 2.0f * e;
        return static_cast<double>(e) * e;
      });
    case LossKind::kMeanAbsoluteError:
      return MeanOverColumns(x, y, cols, g, [](float e, float* d) {
        *d = static_cast<float>((e > 0.0f) - (e < 0.0f));
        return static_cast<double>(std::abs(e));
      });
    case LossKind::kHuber:
      return MeanOverColumns(x, y, cols, g, [delta](float e, float* d) {
        if (std::abs(e) <= delta) {
          *d = e;
          return 0.5 * e * e;
        }
        *d = e > 0.0f ? delta : -delta;
        return static_cast<double>(delta) * (std::abs(e) - 0.5 * delta);
      });
  }
  return 0.0;
}

}  // namespace

std::string_view ToString(LossKind kind) {
  for (const LossName& name : kNames) {
    if (name.kind == kind) return name.function_name;
  }
  return "unknown";
}

core::Result<LossKind> ParseLoss(std::string_view name) {
  for (const LossName& entry : kNames) {
    if (entry.function_name == name || entry.class_name == name ||
        (!entry.alias.empty() && entry.alias == name) || EqualsUpperCase(entry.alias, name)) {
      return entry.kind;
    }
  }
  std::string supported;
  for (const LossName& entry : kNames) {
    if (!supported.empty()) supported += ", ";
    supported += entry.function_name;
  }
  return core::InvalidArgument("unknown loss \"" + std::string(name) +
                               "\" (supported: " + supported + ")");
}

Activation FusableActivation(LossKind kind) {
  switch (kind) {
    case LossKind::kBinaryCrossentropy: return Activation::kSigmoid;
    case LossKind::kCategoricalCrossentropy:
    case LossKind::kSparseCategoricalCrossentropy: return Activation::kSoftmax;
    default: return Activation::kLinear;
  }
}

core::Result<Loss> Loss::Create(LossOptions options) {
  const std::string name(ToString(options.kind));
  if (!(options.huber_delta > 0.0f)) {
    return core::InvalidArgument(name + ": huber delta must be positive");
  }
  if (options.from_logits && FusableActivation(options.kind) == Activation::kLinear) {
    return core::InvalidArgument(name + ": from_logits applies only to cross-entropy losses");
  }
  return Loss(options);
}

core::Result<float> Loss::Compute(const Matrix& input, const Matrix& targets,
                                  std::span<const float> sample_weights,
                                  Matrix* input_gradient) const {
  return Reduce(input, targets, sample_weights, options_.from_logits, input_gradient);
}

core::Result<float> Loss::ComputeFromLogits(const Matrix& logits, const Matrix& targets,
                                            std::span<const float> sample_weights,
                                            Matrix* logits_gradient) const {
  if (FusableActivation(options_.kind) == Activation::kLinear) {
    return core::FailedPrecondition(std::string(ToString(options_.kind)) +
                                    ": has no activation to fuse with");
  }
  return Reduce(logits, targets, sample_weights, /*from_logits=*/true, logits_gradient);
}

core::Status Loss::Validate(const Matrix& input, const Matrix& targets,
                            std::span<const float> sample_weights) const {
  // Messages are built only on failure: the success path must not allocate.
  const auto error = [this](const std::string& message) {
    return core::InvalidArgument(std::string(ToString(options_.kind)) + ": " + message);
  };
  const auto shape = [](size_t rows, size_t cols) {
    return std::to_string(rows) + "x" + std::to_string(cols);
  };
  if (input.rows() == 0 || input.cols() == 0) {
    return error("empty batch (" + shape(input.rows(), input.cols()) + ")");
  }
  const bool sparse = options_.kind == LossKind::kSparseCategoricalCrossentropy;
  const size_t target_cols = sparse ? 1 : input.cols();
  if (targets.rows() != input.rows() || targets.cols() != target_cols) {
    return error("targets are " + shape(targets.rows(), targets.cols()) + ", expected " +
                 shape(input.rows(), target_cols));
  }
  if (!sample_weights.empty() && sample_weights.size() != input.rows()) {
    return error(std::to_string(sample_weights.size()) + " sample weights for a batch of " +
                 std::to_string(input.rows()));
  }
  if (!sparse) return core::OkStatus();
  for (size_t row = 0; row < targets.rows(); ++row) {
    const float target = targets(row, 0);
    if (!(target >= 0.0f && target < static_cast<float>(input.cols())) ||
        target != std::floor(target)) {
      return error("target " + std::to_string(target) + " in row " + std::to_string(row) +
                   " is not a class index in [0, " + std::to_string(input.cols()) + ")");
    }
  }
  return core::OkStatus();
}

core::Result<float> Loss::Reduce(const Matrix& input, const Matrix& targets,
                                 std::span<const float> sample_weights, bool from_logits,
                                 Matrix* input_gradient) const {
  MODELHOST_RETURN_IF_ERROR(Validate(input, targets, sample_weights));
  const size_t batch = input.rows();
  const size_t cols = input.cols();
  if (input_gradient != nullptr) input_gradient->Resize(batch, cols);
  double total = 0.0;
  for (size_t row = 0; row < batch; ++row) {
    const float* x = input.data() + row * cols;
    const float* y = targets.data() + row * targets.cols();
    float* g = input_gradient != nullptr ? input_gradient->data() + row * cols : nullptr;
    const double sample = SampleLoss(options_, from_logits, x, y, cols, g);
    const float weight = sample_weights.empty() ? 1.0f : sample_weights[row];
    total += weight * sample;
    if (g != nullptr) {
      const float scale = weight / static_cast<float>(batch);
      for (size_t j = 0; j < cols; ++j) g[j] *= scale;
    }
  }
  return static_cast<float>(total / static_cast<double>(batch));
}

}  // namespace modelhost::nn
