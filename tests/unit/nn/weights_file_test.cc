#include "nn/weights_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/atomic_file.h"

namespace modelhost::nn {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kSource = "model.safetensors";

Parameter MakeParameter(std::string name, Matrix value) {
  Parameter parameter;
  parameter.name = std::move(name);
  parameter.gradient = Matrix(value.rows(), value.cols());
  parameter.value = std::move(value);
  return parameter;
}

// A small model: a 2×3 kernel and a 1×3 bias.
struct Model {
  Parameter kernel = MakeParameter("dense/kernel", Matrix(2, 3, {1.5f, -2, 0.25f, 3, 4, 5}));
  Parameter bias = MakeParameter("dense/bias", Matrix(1, 3, {0.5f, -0.5f, 1}));
  std::vector<Parameter*> list() { return {&kernel, &bias}; }
};

// A model of the same shapes with zero values, to load into.
struct EmptyModel : Model {
  EmptyModel() {
    kernel.value.SetZero();
    bias.value.SetZero();
  }
};

// A file from a header text and data bytes.
std::string Craft(std::string_view header, std::string_view data) {
  std::string bytes(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, sizeof(length));
  return bytes + std::string(header) + std::string(data);
}

std::string Floats(std::initializer_list<float> values) {
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

core::Status DecodeStatus(std::string_view bytes) { return DecodeWeights(bytes, kSource).status(); }

TEST(WeightsFileTest, RoundTripThroughAFile) {
  Model model;
  const std::string path = ::testing::TempDir() + "weights_round_trip.safetensors";
  ASSERT_TRUE(WriteWeightsFile(path, model.list(), {{"format", "modelhost"}}).ok());

  auto contents = ReadWeightsFile(path);
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  ASSERT_EQ(contents->tensors.size(), 2u);
  EXPECT_EQ(contents->tensors[0].name, "dense/bias");  // sorted by name
  EXPECT_EQ(contents->tensors[0].value, model.bias.value);
  EXPECT_EQ(contents->tensors[1].value, model.kernel.value);
  EXPECT_EQ(contents->metadata, (WeightsMetadata{{"format", "modelhost"}}));

  EmptyModel loaded;
  ASSERT_TRUE(LoadWeightsFile(path, loaded.list()).ok());
  EXPECT_EQ(loaded.kernel.value, model.kernel.value);
  EXPECT_EQ(loaded.bias.value, model.bias.value);
}

TEST(WeightsFileTest, ExactBytesOfATinyFile) {
  Parameter weight = MakeParameter("w", Matrix(1, 1, {1.0f}));
  std::vector<Parameter*> list = {&weight};
  auto bytes = EncodeWeights(list, {});
  ASSERT_TRUE(bytes.ok());
  // 56 bytes of JSON, padded to 56 (8 + 56 = 64 is already aligned).
  const std::string header = R"({"w":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]}})";
  ASSERT_EQ(header.size(), 56u);
  EXPECT_EQ(*bytes, Craft(header, Floats({1.0f})));
}

TEST(WeightsFileTest, HeaderIsPaddedSoDataIsEightByteAligned) {
  Model model;
  auto bytes = EncodeWeights(model.list(), {{"a", "b"}});
  ASSERT_TRUE(bytes.ok());
  uint64_t length = 0;
  std::memcpy(&length, bytes->data(), sizeof(length));
  EXPECT_EQ((8 + length) % 8, 0u);
  EXPECT_EQ(bytes->substr(8, 16), R"({"__metadata__":)");
  EXPECT_EQ(bytes->size(), 8 + length + (6 + 3) * sizeof(float));
}

TEST(WeightsFileTest, ReadsAFileWrittenByPythonSafetensors) {
  auto contents =
      ReadWeightsFile(std::string(MODELHOST_NN_TESTDATA) + "/python_written.safetensors");
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  EXPECT_EQ(contents->metadata.at("producer"), "safetensors 0.8.0");
  EmptyModel model;
  ASSERT_TRUE(LoadWeights(*contents, model.list(), "python").ok());  // bias [3] reads as 1×3
  EXPECT_EQ(model.kernel.value, Model().kernel.value);
  EXPECT_EQ(model.bias.value, Model().bias.value);
}

TEST(WeightsFileTest, TruncatedFileIsDataLossNamingTheTensor) {
  Model model;
  std::string bytes = *EncodeWeights(model.list(), {});
  bytes.resize(bytes.size() - 2);
  const core::Status status = DecodeStatus(bytes);
  EXPECT_EQ(status.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("model.safetensors"));
  EXPECT_THAT(status.message(), HasSubstr("dense/kernel"));
  EXPECT_THAT(status.message(), HasSubstr("truncated"));
}

TEST(WeightsFileTest, ShorterThanTheLengthPrefix) {
  EXPECT_EQ(DecodeStatus("\x10\0\0").code(), core::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeStatus("").code(), core::StatusCode::kDataLoss);
}

TEST(WeightsFileTest, HeaderLengthPastTheEndOfTheFile) {
  std::string bytes = Craft("{}", "");
  bytes[0] = 100;
  const core::Status status = DecodeStatus(bytes);
  EXPECT_EQ(status.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("past the end"));
  bytes.assign(8, '\xff');  // 2⁶⁴ − 1: no overflow in the bounds check
  EXPECT_EQ(DecodeStatus(bytes).code(), core::StatusCode::kDataLoss);
}

TEST(WeightsFileTest, BadHeaderJson) {
  EXPECT_THAT(DecodeStatus(Craft(R"({"w": {"dtype": "F32",)", "")).message(),
              HasSubstr("not valid JSON"));
  EXPECT_THAT(DecodeStatus(Craft("[1, 2]", "")).message(), HasSubstr("'{'"));
  EXPECT_THAT(DecodeStatus(Craft(std::string(1000, '{'), "")).message(), HasSubstr("nests"));
  EXPECT_THAT(DecodeStatus(Craft(R"({"w": 1})", "")).message(), HasSubstr("\"w\""));
  EXPECT_THAT(DecodeStatus(Craft(R"({"__metadata__": {"a": 1}})", "")).message(),
              HasSubstr("__metadata__"));
  EXPECT_EQ(DecodeStatus(Craft("{\"\xff\": 1}", "")).code(), core::StatusCode::kDataLoss);
}

TEST(WeightsFileTest, EmptyHeaderObjectIsAnEmptyFile) {
  auto contents = DecodeWeights(Craft("{}      ", ""), kSource);
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(contents->tensors.empty());
}

TEST(WeightsFileTest, MissingAndExtraTensorsAreInvalidArgument) {
  Model model;
  Parameter extra = MakeParameter("dense_1/kernel", Matrix(1, 1));
  std::vector<Parameter*> more = {&model.kernel, &model.bias, &extra};
  auto file = DecodeWeights(*EncodeWeights(model.list(), {}), kSource);
  ASSERT_TRUE(file.ok());

  core::Status status = LoadWeights(*file, more, kSource);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"dense_1/kernel\" that the model needs is missing"));

  std::vector<Parameter*> fewer = {&model.kernel};
  status = LoadWeights(*file, fewer, kSource);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"dense/bias\" matches no parameter"));
}

TEST(WeightsFileTest, WrongShapeIsInvalidArgumentAndLoadsNothing) {
  Model model;
  auto file = DecodeWeights(*EncodeWeights(model.list(), {}), kSource);
  ASSERT_TRUE(file.ok());
  EmptyModel target;
  target.kernel.value = Matrix(3, 2);
  const core::Status status = LoadWeights(*file, target.list(), kSource);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"dense/kernel\" has shape [2, 3]"));
  EXPECT_THAT(status.message(), HasSubstr("expects [3, 2]"));
  EXPECT_EQ(target.bias.value, Matrix(1, 3));  // all-or-nothing
}

// Regression: LoadWeights copied NaN, infinite and negative-variance values
// into the model, which then predicted NaN for every input.
TEST(WeightsFileTest, NonFiniteValuesAndNegativeVariancesAreDataLossAndLoadNothing) {
  struct Case {
    std::string tensor;
    float bad;
    std::string expected;
  };
  const float kNaN = std::numeric_limits<float>::quiet_NaN();
  const float kInfinity = std::numeric_limits<float>::infinity();
  for (const Case& c :
       {Case{"dense/kernel", kNaN, "\"dense/kernel\" element 4 ([1, 1]) is NaN"},
        Case{"dense/kernel", -kInfinity, "\"dense/kernel\" element 4 ([1, 1]) is infinite"},
        Case{"batch_normalization/moving_variance", -0.5f,
             "\"batch_normalization/moving_variance\" element 4 ([1, 1]) is "
             "-0.500000, but a variance cannot be negative"}}) {
    SCOPED_TRACE(c.expected);
    Parameter tensor = MakeParameter(c.tensor, Matrix(2, 3, {1, 2, 3, 4, 5, 6}));
    Parameter mean = MakeParameter("batch_normalization/moving_mean", Matrix(1, 2, {-1, -2}));
    tensor.value(1, 1) = c.bad;
    std::vector<Parameter*> source = {&tensor, &mean};
    auto file = DecodeWeights(*EncodeWeights(source, {}), kSource);
    ASSERT_TRUE(file.ok()) << file.status().ToString();  // a valid layout

    Parameter target_tensor = MakeParameter(c.tensor, Matrix(2, 3));
    Parameter target_mean = MakeParameter("batch_normalization/moving_mean", Matrix(1, 2));
    std::vector<Parameter*> target = {&target_mean, &target_tensor};
    const core::Status status = LoadWeights(*file, target, kSource);
    EXPECT_EQ(status.code(), core::StatusCode::kDataLoss);
    EXPECT_THAT(status.message(), HasSubstr(std::string(kSource) + ": tensor " + c.expected));
    EXPECT_EQ(target_mean.value, Matrix(1, 2));  // all-or-nothing
    EXPECT_EQ(target_tensor.value, Matrix(2, 3));
  }
  // Negative values elsewhere (a moving mean, a kernel) are ordinary.
  Parameter mean = MakeParameter("batch_normalization/moving_mean", Matrix(1, 2, {-1, -2}));
  std::vector<Parameter*> parameters = {&mean};
  auto file = DecodeWeights(*EncodeWeights(parameters, {}), kSource);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(LoadWeights(*file, parameters, kSource).ok());
}

TEST(WeightsFileTest, OtherDtypesAreRecognizedButUnsupported) {
  const std::string f16 = R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
  core::Status status = DecodeStatus(Craft(f16, "abcd"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("only F32"));

  const std::string unknown = R"({"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})";
  status = DecodeStatus(Craft(unknown, "abcd"));
  EXPECT_EQ(status.code(), core::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("F33"));
}

TEST(WeightsFileTest, OffsetsMustTileTheData) {
  const std::string data = Floats({1, 2, 3});
  auto check = [&](std::string_view header, std::string_view expected) {
    const core::Status status = DecodeStatus(Craft(header, data));
    EXPECT_EQ(status.code(), core::StatusCode::kDataLoss) << header;
    EXPECT_THAT(status.message(), HasSubstr(expected)) << header;
  };
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
        "overlaps tensor \"a\"");
  check(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
        "gap");
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", "past the end");
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "belong to no tensor");
  check(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", "shape needs 8");
  check(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", "end < begin");
  check(R"({"a":{"dtype":"F32","shape":[-3],"data_offsets":[0,12]}})", "unsigned");
  check(R"({"a":{"dtype":"F32","shape":[3.0],"data_offsets":[0,12]}})", "unsigned");
  check(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,12]}})",
        "too large");
  check(R"({"a":{"dtype":"F32","shape":[3]}})", "data_offsets");
}

TEST(WeightsFileTest, RanksZeroToTwoOnly) {
  auto scalar = DecodeWeights(
      Craft(R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})", Floats({7})), kSource);
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->tensors[0].value, Matrix(1, 1, {7}));
  const core::Status status = DecodeStatus(
      Craft(R"({"t":{"dtype":"F32","shape":[1,1,1],"data_offsets":[0,4]}})", Floats({7})));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("rank 3"));
}

TEST(WeightsFileTest, EncodeRejectsNamesThatCannotBeStored) {
  Parameter first = MakeParameter("w", Matrix(1, 1));
  Parameter second = MakeParameter("w", Matrix(1, 1));
  std::vector<Parameter*> duplicate = {&first, &second};
  EXPECT_THAT(EncodeWeights(duplicate, {}).status().message(), HasSubstr("two parameters"));
  first.name = "__metadata__";
  std::vector<Parameter*> reserved = {&first};
  EXPECT_EQ(EncodeWeights(reserved, {}).status().code(), core::StatusCode::kInvalidArgument);
  first.name = "\xff";
  EXPECT_THAT(EncodeWeights(reserved, {}).status().message(), HasSubstr("UTF-8"));
}

TEST(WeightsFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadWeightsFile(::testing::TempDir() + "no-such.safetensors").status().code(),
            core::StatusCode::kNotFound);
}

// Every truncation of a valid file is rejected, and single-byte corruptions
// at every position decode without crashing (the sanitizer build turns any
// overread into a failure).
TEST(WeightsFileTest, SurvivesEveryTruncationAndByteFlip) {
  Model model;
  const std::string valid = *EncodeWeights(model.list(), {{"k", "v"}});
  for (size_t length = 0; length < valid.size(); ++length) {
    EXPECT_FALSE(DecodeWeights(std::string_view(valid).substr(0, length), kSource).ok()) << length;
  }
  for (size_t position = 0; position < valid.size(); ++position) {
    for (int value : {0x00, 0x20, 0x22, 0x30, 0x5b, 0x7b, 0x7d, 0xff}) {
      std::string corrupt = valid;
      corrupt[position] = static_cast<char>(value);
      (void)DecodeWeights(corrupt, kSource);
    }
  }
}

}  // namespace
}  // namespace modelhost::nn
