#include "nn/keras_name.h"

#include <gtest/gtest.h>

namespace modelhost::nn {
namespace {

TEST(KerasNameKeyTest, ClassAndFunctionNamesShareAKey) {
  EXPECT_EQ(KerasNameKey("BinaryAccuracy"), "binaryaccuracy");
  EXPECT_EQ(KerasNameKey("binary_accuracy"), "binaryaccuracy");
  EXPECT_EQ(KerasNameKey("RMSprop"), KerasNameKey("rms_prop"));
  EXPECT_NE(KerasNameKey("adam"), KerasNameKey("adamw"));
  EXPECT_EQ(KerasNameKey(""), "");
}

}  // namespace
}  // namespace modelhost::nn
