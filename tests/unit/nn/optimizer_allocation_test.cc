// "Allocation-free after the first step": every optimizer variant, with
// clipping, weight decay and a schedule, allocates nothing from its second
// step on (AllocationCounter counts this thread's operator new calls).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "nn/optimizer.h"

namespace modelhost::nn {
namespace {

TEST(OptimizerAllocationTest, NoAllocationAfterTheFirstStep) {
  const LearningRateSchedule schedule = CosineDecay{
      .initial_learning_rate = 0.01, .decay_steps = 100, .warmup_target = 0.1, .warmup_steps = 5};
  const std::vector<std::pair<std::string, OptimizerConfig>> variants = {
      {"sgd", {}},
      {"momentum", {{"clipnorm", 0.5}}},
      {"nesterov", {{"global_clipnorm", 0.5}, {"weight_decay", 0.01}}},
      {"adagrad", {{"clipvalue", 0.1}}},
      {"rmsprop", {{"centered", true}, {"momentum", 0.5}}},
      {"adam", {{"amsgrad", true}, {"learning_rate", schedule}}},
      {"adamw", {{"global_clipnorm", 1.0}}},
  };
  for (const auto& [name, config] : variants) {
    auto optimizer = MakeOptimizer(name, config);
    ASSERT_TRUE(optimizer.ok()) << name << ": " << optimizer.status().ToString();
    Parameter kernel{.name = "kernel", .value = Matrix(16, 8), .gradient = Matrix(16, 8)};
    Parameter bias{.name = "bias", .value = Matrix(1, 8), .gradient = Matrix(1, 8)};
    Parameter frozen{
        .name = "frozen", .value = Matrix(1, 8), .gradient = Matrix(1, 8), .trainable = false};
    kernel.gradient.Fill(0.3f);
    bias.gradient.Fill(-0.2f);
    std::vector<Parameter*> parameters = {&kernel, &frozen, &bias};
    ASSERT_TRUE((*optimizer)->Step(parameters).ok());

    AllocationCounter counter;
    for (int step = 0; step < 10; ++step) {
      ASSERT_TRUE((*optimizer)->Step(parameters).ok());
    }
    EXPECT_EQ(counter.count(), 0) << name;
  }
}

}  // namespace
}  // namespace modelhost::nn
