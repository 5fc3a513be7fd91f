// Dropout: during training, zeroes each input value with probability `rate`
// and scales the survivors by 1 / (1 − rate) ("inverted dropout", as Keras),
// so the expected output equals the input and inference is the identity.
//
// The mask comes from the layer's own RandomGenerator, seeded from
// DropoutOptions::seed or, when that is unset, from a value drawn from the
// generator passed to Build — so a model seed fixes every mask of a run.
//
// Thread-safety: none (see layer.h).

#ifndef MODELHOST_NN_DROPOUT_H_
#define MODELHOST_NN_DROPOUT_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "nn/layer.h"
#include "nn/random_generator.h"

namespace modelhost::nn {

struct DropoutOptions {
  // Probability of dropping a value, in [0, 1) (Build fails otherwise). Default 0.
  float rate = 0.0f;
  // Seed of the mask stream. Default unset: drawn from Build's generator.
  std::optional<uint64_t> seed;
};

class Dropout final : public Layer {
 public:
  explicit Dropout(DropoutOptions options);

  std::string_view class_name() const override { return "Dropout"; }
  size_t output_width() const override { return input_width(); }
  // Dropout has no parameters.
  std::vector<Parameter*> Parameters() override { return {}; }

  // Restarts the mask stream from `seed`: the next training Forward at a
  // given shape draws the same mask as the first one after the same Reseed.
  void Reseed(uint64_t seed) { generator_ = RandomGenerator(seed); }

  // The multiplier of the last Forward, shaped like its input: 0 or
  // 1 / (1 − rate) per value in training, all ones at inference or rate 0.
  // Empty before the first Forward.
  const Matrix& mask() const { return mask_; }

 private:
  core::Status DoBuild(RandomGenerator* generator) override;
  core::Status DoForward(const Matrix& input, Matrix* output, bool training) override;
  void DoBackward(const Matrix& input, const Matrix& output, const Matrix& gradient,
                  bool gradient_is_pre_activation, Matrix* input_gradient) override;

  DropoutOptions options_;
  RandomGenerator generator_{0};
  Matrix mask_;
};

}  // namespace modelhost::nn

#endif  // MODELHOST_NN_DROPOUT_H_
