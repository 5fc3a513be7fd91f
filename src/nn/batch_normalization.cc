#include "nn/batch_normalization.h"

#include <cmath>
#include <string>

#include "nn/kernels.h"

namespace modelhost::nn {
namespace {

// A fresh [1, width] parameter whose gradient is zero-filled.
void BuildParameter(size_t width, Initializer initializer, bool trainable,
                    RandomGenerator* generator, Parameter* parameter) {
  parameter->value.Resize(1, width);
  parameter->gradient = Matrix(1, width);
  parameter->trainable = trainable;
  Initialize(initializer, width, width, generator, &parameter->value);
}

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer("batch_normalization"), options_(options) {
  gamma_.name = name() + "/gamma";
  beta_.name = name() + "/beta";
  moving_mean_.name = name() + "/moving_mean";
  moving_variance_.name = name() + "/moving_variance";
}

core::Status BatchNormalization::DoBuild(RandomGenerator* generator) {
  if (!(options_.momentum >= 0.0f && options_.momentum < 1.0f)) {
    return core::InvalidArgument("momentum must be in [0, 1), got " +
                                 std::to_string(options_.momentum));
  }
  if (!(options_.epsilon > 0.0f)) {
    return core::InvalidArgument("epsilon must be positive, got " +
                                 std::to_string(options_.epsilon));
  }
  const size_t width = input_width();
  if (options_.scale) {
    BuildParameter(width, options_.gamma_initializer, true, generator, &gamma_);
  }
  if (options_.center) {
    BuildParameter(width, options_.beta_initializer, true, generator, &beta_);
  }
  BuildParameter(width, options_.moving_mean_initializer, false, generator, &moving_mean_);
  BuildParameter(width, options_.moving_variance_initializer, false, generator, &moving_variance_);
  return core::OkStatus();
}

void BatchNormalization::ComputeBatchStatistics(const Matrix& input) {
  const size_t width = input.cols();
  const size_t batch = input.rows();
  ColumnSums(input, &mean_);
  Scale(1.0f / static_cast<float>(batch), &mean_);
  // Two passes (mean, then squared deviations) rather than E[x²] − E[x]²,
  // which cancels catastrophically for features with a large mean.
  variance_.Resize(1, width);
  variance_.SetZero();
  const float* mu = mean_.data();
  float* var = variance_.data();
  for (size_t row = 0; row < batch; ++row) {
    const float* x = input.data() + row * width;
    for (size_t j = 0; j < width; ++j) {
      const float deviation = x[j] - mu[j];
      var[j] += deviation * deviation;
    }
  }
  Scale(1.0f / static_cast<float>(batch), &variance_);
}

void BatchNormalization::UpdateMovingStatistics() {
  const float momentum = options_.momentum;
  const float update = 1.0f - momentum;
  const size_t width = input_width();
  float* moving_mean = moving_mean_.value.data();
  float* moving_variance = moving_variance_.value.data();
  for (size_t j = 0; j < width; ++j) {
    moving_mean[j] = momentum * moving_mean[j] + update * mean_.data()[j];
    moving_variance[j] = momentum * moving_variance[j] + update * variance_.data()[j];
  }
}

core::Status BatchNormalization::DoForward(const Matrix& input, Matrix* output, bool training) {
  const size_t width = input.cols();
  const size_t batch = input.rows();
  if (training) {
    if (batch == 0) return core::InvalidArgument("a training batch must not be empty");
    ComputeBatchStatistics(input);
    UpdateMovingStatistics();
  } else {
    mean_ = moving_mean_.value;
    variance_ = moving_variance_.value;
  }
  // Fold the statistics and gamma/beta into y = x·multiplier + offset.
  inverse_stddev_.Resize(1, width);
  multiplier_.Resize(1, width);
  offset_.Resize(1, width);
  for (size_t j = 0; j < width; ++j) {
    const float inverse_stddev = 1.0f / std::sqrt(variance_.data()[j] + options_.epsilon);
    const float gamma = options_.scale ? gamma_.value.data()[j] : 1.0f;
    const float beta = options_.center ? beta_.value.data()[j] : 0.0f;
    inverse_stddev_.data()[j] = inverse_stddev;
    multiplier_.data()[j] = gamma * inverse_stddev;
    offset_.data()[j] = beta - mean_.data()[j] * gamma * inverse_stddev;
  }
  output->Resize(batch, width);
  if (training) normalized_.Resize(batch, width);
  const float* mu = mean_.data();
  const float* inv = inverse_stddev_.data();
  const float* mul = multiplier_.data();
  const float* off = offset_.data();
  for (size_t row = 0; row < batch; ++row) {
    const float* x = input.data() + row * width;
    float* y = output->data() + row * width;
    for (size_t j = 0; j < width; ++j) y[j] = x[j] * mul[j] + off[j];
    if (training) {
      float* normalized = normalized_.data() + row * width;
      for (size_t j = 0; j < width; ++j) normalized[j] = (x[j] - mu[j]) * inv[j];
    }
  }
  return core::OkStatus();
}

void BatchNormalization::DoBackward(const Matrix& /*input*/, const Matrix& /*output*/,
                                    const Matrix& gradient, bool /*gradient_is_pre_activation*/,
                                    Matrix* input_gradient) {
  const size_t width = gradient.cols();
  const size_t batch = gradient.rows();
  // Σ dy is beta's gradient and Σ dy·x̂ gamma's: summed straight into them
  // when the layer has them, into scratch otherwise (the input gradient
  // needs both either way).
  Matrix* const sum = options_.center ? &beta_.gradient : &gradient_sum_;
  Matrix* const normalized_sum = options_.scale ? &gamma_.gradient : &gradient_normalized_sum_;
  ColumnSums(gradient, sum);
  normalized_sum->Resize(1, width);
  normalized_sum->SetZero();
  float* gx_sum = normalized_sum->data();
  for (size_t row = 0; row < batch; ++row) {
    const float* g = gradient.data() + row * width;
    const float* normalized = normalized_.data() + row * width;
    for (size_t j = 0; j < width; ++j) gx_sum[j] += g[j] * normalized[j];
  }
  if (input_gradient == nullptr) return;
  // dx = gamma/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)), the standard batch-norm
  // backward with the batch statistics differentiated through.
  input_gradient->Resize(batch, width);
  const float inverse_batch = 1.0f / static_cast<float>(batch);
  const float* g_sum = sum->data();
  const float* mul = multiplier_.data();
  for (size_t row = 0; row < batch; ++row) {
    const float* g = gradient.data() + row * width;
    const float* normalized = normalized_.data() + row * width;
    float* dx = input_gradient->data() + row * width;
    for (size_t j = 0; j < width; ++j) {
      dx[j] = mul[j] * (g[j] - inverse_batch * (g_sum[j] + normalized[j] * gx_sum[j]));
    }
  }
}

std::vector<Parameter*> BatchNormalization::Parameters() {
  std::vector<Parameter*> parameters;
  if (options_.scale) parameters.push_back(&gamma_);
  if (options_.center) parameters.push_back(&beta_);
  parameters.push_back(&moving_mean_);
  parameters.push_back(&moving_variance_);
  return parameters;
}

}  // namespace modelhost::nn
