#include "nn/network_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <span>
#include <sstream>

#include "nn/layer.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

std::string ReadTestData(const std::string& name) {
  std::ifstream file(std::string(MODELHOST_NN_TESTDATA) + "/" + name);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TEST(NetworkSpecTest, ParsesKeras3ToJson) {
  auto spec = ParseNetworkSpec(ReadTestData("keras3_sequential.json"));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->input_width, 8);
  ASSERT_EQ(spec->layers.size(), 6u);
  const auto& first = std::get<DenseSpec>(spec->layers[0]);
  EXPECT_EQ(first.name, "dense");
  EXPECT_EQ(first.units, 10);
  EXPECT_EQ(first.activation, "relu");
  EXPECT_EQ(first.kernel_initializer.name, "glorot_uniform");
  EXPECT_EQ(first.bias_initializer.name, "zeros");
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(spec->layers[1]).kernel_l2, 0.01);
  EXPECT_EQ(std::get<DropoutSpec>(spec->layers[2]).seed, 7u);
  EXPECT_DOUBLE_EQ(std::get<BatchNormalizationSpec>(spec->layers[3]).momentum, 0.99);
  EXPECT_EQ(std::get<ActivationSpec>(spec->layers[4]).activation, "tanh");
  EXPECT_EQ(std::get<DenseSpec>(spec->layers[5]).kernel_initializer.name, "he_normal");
}

TEST(NetworkSpecTest, ParsesTheSeedExample) {
  auto spec = ParseNetworkSpec(ReadTestData("keras3_seed_example.json"));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->input_width, 8);
  ASSERT_EQ(spec->layers.size(), 3u);
  EXPECT_EQ(std::get<DenseSpec>(spec->layers[2]).activation, "sigmoid");
}

TEST(NetworkSpecTest, ParsesTfKeras2ToJson) {
  auto spec = ParseNetworkSpec(ReadTestData("keras2_sequential.json"));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->input_width, 8);
  ASSERT_EQ(spec->layers.size(), 4u);
  EXPECT_NEAR(std::get<DenseSpec>(spec->layers[0]).kernel_l2, 0.01, 1e-9);
  EXPECT_EQ(std::get<DenseSpec>(spec->layers[3]).name, "dense_1");
}

TEST(NetworkSpecTest, Keras2InputShapeOnFirstLayerWithoutInputLayer) {
  auto spec = ParseNetworkSpec(R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Dense", "config": {"units": 4, "batch_input_shape": [null, 3]}}]}})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->input_width, 3);
  EXPECT_EQ(std::get<DenseSpec>(spec->layers[0]).activation, "linear");
}

TEST(NetworkSpecTest, ParsesShortFormWithDefaultNames) {
  auto spec = ParseNetworkSpec(R"({"layers": [
      {"dense": 10, "activation": "relu", "input_dim": 8},
      {"dropout": 0.5},
      {"dense": 10, "activation": "relu", "kernel_l2": 0.001},
      {"batch_normalization": {"momentum": 0.9}},
      {"dense": 3},
      {"activation": "softmax"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->input_width, 8);
  ASSERT_EQ(spec->layers.size(), 6u);
  EXPECT_EQ(LayerName(spec->layers[0]), "dense");
  EXPECT_EQ(LayerName(spec->layers[2]), "dense_1");
  EXPECT_EQ(LayerName(spec->layers[4]), "dense_2");
  EXPECT_EQ(LayerName(spec->layers[5]), "activation");
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(spec->layers[2]).kernel_l2, 0.001);
  EXPECT_DOUBLE_EQ(std::get<BatchNormalizationSpec>(spec->layers[3]).momentum, 0.9);
}

TEST(NetworkSpecTest, RoundTripsThroughCanonicalJson) {
  for (const char* file : {"keras3_sequential.json", "keras2_sequential.json"}) {
    auto spec = ParseNetworkSpec(ReadTestData(file));
    ASSERT_TRUE(spec.ok()) << file;
    auto again = ParseNetworkSpec(NetworkSpecToJson(*spec));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(*again == *spec) << file;
  }
}

struct ErrorCase {
  const char* json;
  const char* expected;  // a part of the message
};

// Each case is refused with InvalidArgument, its message containing `expected`.
void ExpectRefused(std::span<const ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    auto spec = ParseNetworkSpec(c.json);
    ASSERT_FALSE(spec.ok()) << c.json;
    EXPECT_EQ(spec.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(spec.status().message(), HasSubstr(c.expected)) << c.json;
  }
}

TEST(NetworkSpecTest, ErrorsNameTheLayerAndTheKey) {
  const ErrorCase cases[] = {
      {R"({"layers": [{"dense": 4, "activaton": "relu"}]})", "layer 0: unknown option 'activaton'"},
      {R"({"layers": [{"dense": 0}]})", "layer 0: 'units' must be an integer in [1, 1048576]"},
      {R"({"layers": [{"dense": 4}, {"conv2d": 3}]})", "layer 1: expected one of"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Conv2D", "config": {"name": "c"}}]}})",
       "layer 0 ('c'): layer type 'Conv2D' is not supported"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"units": 2, "kernel_constraint": {"class_name": "MaxNorm"}}}]}})",
       "'kernel_constraint' is not supported"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"units": 2, "dtype": "float64"}}]}})",
       "dtype must be float32"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"units": 2, "trainable": false}}]}})",
       "frozen layers"},
      {R"({"layers": [{"dropout": 1.5}]})", "'rate' must be in [0, 1)"},
      {R"({"layers": [{"dense": 2, "name": "a"}, {"dense": 2, "name": "a"}]})",
       "name 'a' is used twice"},
      {R"({"class_name": "Functional", "config": {}})", "only Sequential models"},
      {R"({"layers": []})", "no layers"},
      {R"({"layers": [{"dense": 2}], "optimizer": "adam"})", "unknown key 'optimizer'"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 28, 28]}}, {"class_name": "Dense", "config": {"units": 1}}]}})",
       "flat feature vectors"},
      {R"({"layers": [{"dense": "ten"}]})", "'units' must be an integer in [1, 1048576]"},
      {R"({"layers": [{"dense": 2, "kernel_initializer": 5}]})", "'kernel_initializer' must be"},
      {"{\"layers\": [", "not valid JSON"},
      // Regression (fuzzer): nlohmann throws out_of_range, not parse_error, for this.
      {R"({"layers": [{"dense": 48888e850}]})", "not valid JSON"},
      {"[1, 2]", "expected a Keras Sequential config"},
      // Regressions (fuzzer): checked at parse time, so the JSON round trip is exact.
      {R"({"layers": [{"dense": 2, "kernel_initializer": "Gloroclass_tUniform"}]})",
       "layer 0: 'kernel_initializer': unknown initializer"},
      {R"({"layers": [{"dense": 2, "bias_initializer": {"class_name": "Zeros", "confyg": {}}}]})",
       "'bias_initializer': unknown key 'confyg'"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": "L2", "config": {"l2": "big"}}}]})",
       "'l2' must be a finite number >= 0"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": 7}}]})",
       "'kernel_regularizer' must be a name"},
  };
  ExpectRefused(cases);
}

// Regression: a wrong-typed short-form factor or dtype name threw inside
// nlohmann ("network spec: unexpected value: [json.exception.type_error.302]"),
// and a regularizer's unknown config key was dropped (L1 with "l2": 0.5 trained
// with L1 0.01 and no L2).
TEST(NetworkSpecTest, RegularizerAndDtypeErrorsNameTheLayerAndTheKey) {
  const ErrorCase cases[] = {
      {R"({"layers": [{"dense": 2, "kernel_l1": "big"}]})",
       "layer 0: 'kernel_l1' must be a finite number >= 0"},
      {R"({"layers": [{"dense": 2}, {"dense": 1, "kernel_l2": -1}]})",
       "layer 1: 'kernel_l2' must be a finite number >= 0"},
      {R"({"layers": [{"dense": 2, "kernel_l1": 0.1, "kernel_regularizer": "l2"}]})",
       "layer 0: give 'kernel_l1'/'kernel_l2' or 'kernel_regularizer', not both"},
      {R"({"layers": [{"dense": 2, "dtype": {"config": {"name": 5}}}]})",
       "layer 0: dtype must be float32"},
      {R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"name": "d", "units": 2,
           "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": 5}}}}]}})",
       "layer 0 ('d'): dtype must be float32"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": "L1", "config": {"l2": 0.5}}}]})",
       "layer 0: kernel_regularizer: l1 has no option 'l2'"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01, "bogus": 3}}}]})",
       "layer 0: kernel_regularizer: l2 has no option 'bogus'"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": "L1L2", "config": {"l3": 1}}}]})",
       "kernel_regularizer: l1_l2 has no option 'l3'"},
      {R"({"layers": [{"dense": 2, "kernel_regularizer": {"class_name": "L2", "confg": {"l2": 0.5}}}]})",
       "layer 0: kernel_regularizer: unknown key 'confg'"},
  };
  ExpectRefused(cases);
  // What Keras 3 writes (keras.regularizers.serialize) and the short form still parse.
  auto keras = ParseNetworkSpec(
      R"({"layers": [{"dense": 2, "kernel_regularizer": {"module": "keras.regularizers",
          "class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.25}, "registered_name": null}}]})");
  ASSERT_TRUE(keras.ok()) << keras.status().ToString();
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(keras->layers[0]).kernel_l1, 0.5);
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(keras->layers[0]).kernel_l2, 0.25);
  auto short_form = ParseNetworkSpec(R"({"layers": [{"dense": 2, "kernel_l1": 0.125}]})");
  ASSERT_TRUE(short_form.ok()) << short_form.status().ToString();
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(short_form->layers[0]).kernel_l1, 0.125);
  EXPECT_DOUBLE_EQ(std::get<DenseSpec>(short_form->layers[0]).kernel_l2, 0.0);
}

// Regression: units were checked as int64 and stored as int, so 3000000000
// wrapped negative (then a huge size_t, an uncaught bad_alloc when the layer
// was built) and 4294967297 silently became 1.
TEST(NetworkSpecTest, WidthsOutsideTheLayerLimitAreRejectedNamingTheLayer) {
  const char* kTooWide[] = {
      R"({"layers": [{"dense": 3000000000}]})",
      R"({"layers": [{"dense": 4294967297}]})",
      R"({"layers": [{"dense": 18446744073709551615}]})",
      R"({"layers": [{"dense": 1048577}]})",
      R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"name": "big", "units": 4294967297}}]}})",
  };
  for (const char* json : kTooWide) {
    auto spec = ParseNetworkSpec(json);
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_EQ(spec.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(spec.status().message(), HasSubstr("layer 0")) << json;
    EXPECT_THAT(spec.status().message(), HasSubstr("'units' must be an integer in [1, 1048576]"))
        << json;
  }
  auto widest = ParseNetworkSpec(R"({"layers": [{"dense": 1048576}]})");
  ASSERT_TRUE(widest.ok()) << widest.status().ToString();
  EXPECT_EQ(std::get<DenseSpec>(widest->layers[0]).units, static_cast<int>(kMaxLayerWidth));
}

TEST(NetworkSpecTest, InputWidthsOutsideTheLayerLimitAreRejected) {
  const char* kTooWide[] = {
      R"({"input_dim": 4294967297, "layers": [{"dense": 1}]})",
      R"({"layers": [{"dense": 1, "input_dim": 1048577}]})",
      R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 3000000000]}},
          {"class_name": "Dense", "config": {"units": 1}}]}})",
      R"({"class_name": "Sequential", "config": {"layers": [
          {"class_name": "Dense", "config": {"units": 1, "batch_input_shape": [null, 0]}}]}})",
  };
  for (const char* json : kTooWide) {
    auto spec = ParseNetworkSpec(json);
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_EQ(spec.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(spec.status().message(), HasSubstr("[1, 1048576]")) << json;
  }
}

}  // namespace
}  // namespace modelhost::nn
