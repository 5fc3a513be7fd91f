#include "model/input_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/csv_reader.h"

namespace modelhost::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

data::Table Csv(std::string_view text) {
  auto result = data::ReadCsvBuffer(text, "test.csv");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return std::move(result->table);
}

TEST(InputSchemaTest, BinaryIntegerTargetAndNumericFeatures) {
  data::Table table = Csv("a,b,flag,y\n1,2.5,true,0\n3,4.5,false,1\n5,6.5,true,1\n");
  auto schema = InferInputSchema(table, "y");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->features.size(), 3u);
  EXPECT_EQ(schema->features[0].name, "a");
  EXPECT_EQ(schema->features[0].type, data::ColumnType::kInt64);
  EXPECT_EQ(schema->features[1].type, data::ColumnType::kFloat64);
  EXPECT_EQ(schema->features[2].type, data::ColumnType::kBool);
  EXPECT_EQ(schema->target.encoding, TargetEncoding::kBinary);
  EXPECT_THAT(schema->target.labels, ElementsAre("0", "1"));
  EXPECT_EQ(DefaultLoss(schema->target), nn::LossKind::kBinaryCrossentropy);

  auto features = MakeFeatureMatrix(table, *schema);
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(*features, nn::Matrix(3, 3, {1, 2.5f, 1, 3, 4.5f, 0, 5, 6.5f, 1}));
  auto targets = MakeTargetMatrix(table, *schema);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(*targets, nn::Matrix(3, 1, {0, 1, 1}));
}

TEST(InputSchemaTest, CategoricalTargetKeepsSortedLabels) {
  data::Table table = Csv("x,kind\n1,dog\n2,cat\n3,emu\n4,cat\n");
  auto schema = InferInputSchema(table, "kind");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->target.encoding, TargetEncoding::kClassIndex);
  EXPECT_THAT(schema->target.labels, ElementsAre("cat", "dog", "emu"));
  EXPECT_EQ(OutputWidth(schema->target), 3u);
  EXPECT_EQ(DefaultLoss(schema->target), nn::LossKind::kSparseCategoricalCrossentropy);
  auto targets = MakeTargetMatrix(table, *schema);
  ASSERT_TRUE(targets.ok());
  EXPECT_EQ(*targets, nn::Matrix(4, 1, {1, 0, 2, 0}));

  auto one_hot = InferInputSchema(table, "kind", nn::LossKind::kCategoricalCrossentropy);
  ASSERT_TRUE(one_hot.ok());
  auto one_hot_targets = MakeTargetMatrix(table, *one_hot);
  ASSERT_TRUE(one_hot_targets.ok());
  EXPECT_EQ(*one_hot_targets, nn::Matrix(4, 3, {0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0}));
}

TEST(InputSchemaTest, TwoCategoriesAreBinary) {
  data::Table table = Csv("x,d\n1,malignant\n2,benign\n");
  auto schema = InferInputSchema(table, "d");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->target.encoding, TargetEncoding::kBinary);
  EXPECT_THAT(schema->target.labels, ElementsAre("benign", "malignant"));
  auto sparse = InferInputSchema(table, "d", nn::LossKind::kSparseCategoricalCrossentropy);
  ASSERT_TRUE(sparse.ok());
  EXPECT_EQ(sparse->target.encoding, TargetEncoding::kClassIndex);
  EXPECT_EQ(OutputWidth(sparse->target), 2u);
}

TEST(InputSchemaTest, NumericTargetWithManyValuesIsRegression) {
  data::Table table = Csv("x,y\n1,151\n2,75\n3,141\n");
  auto schema = InferInputSchema(table, "y");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->target.encoding, TargetEncoding::kValue);
  EXPECT_TRUE(schema->target.labels.empty());
  EXPECT_EQ(DefaultLoss(schema->target), nn::LossKind::kMeanSquaredError);
  // A 0/1 target under a regression loss stays a number.
  data::Table binary = Csv("x,y\n1,0\n2,1\n");
  auto regression = InferInputSchema(binary, "y", nn::LossKind::kMeanSquaredError);
  ASSERT_TRUE(regression.ok());
  EXPECT_EQ(regression->target.encoding, TargetEncoding::kValue);
}

TEST(InputSchemaTest, ErrorsNameTheColumn) {
  data::Table table = Csv("a,color,y\n1,red,0\n2,blue,1\n");
  auto categorical = InferInputSchema(table, "y");
  ASSERT_FALSE(categorical.ok());
  EXPECT_THAT(categorical.status().message(), HasSubstr("'color' is categorical"));

  auto unknown = InferInputSchema(table, "nope");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("'nope'"));

  data::Table missing = Csv("a,b,y\n1,,0\n2,NA,1\n3,4,1\n");
  auto imputation = InferInputSchema(missing, "y");
  ASSERT_FALSE(imputation.ok());
  EXPECT_THAT(imputation.status().message(), HasSubstr("'b' has 2 missing"));

  auto bce_three =
      InferInputSchema(Csv("x,k\n1,a\n2,b\n3,c\n"), "k", nn::LossKind::kBinaryCrossentropy);
  EXPECT_FALSE(bce_three.ok());
  auto single = InferInputSchema(Csv("x,k\n1,a\n2,a\n"), "k");
  EXPECT_FALSE(single.ok());
  auto regression_text = InferInputSchema(Csv("x,k\n1,a\n2,b\n"), "k", nn::LossKind::kHuber);
  EXPECT_FALSE(regression_text.ok());
}

TEST(InputSchemaTest, PredictionDataIsCheckedAgainstTheSchema) {
  data::Table training = Csv("a,b,y\n1,2,0\n3,4,1\n");
  auto schema = InferInputSchema(training, "y");
  ASSERT_TRUE(schema.ok());

  // Column order and extra columns do not matter; the target may be absent.
  data::Table reordered = Csv("extra,b,a\nfoo,20,10\n");
  auto features = MakeFeatureMatrix(reordered, *schema);
  ASSERT_TRUE(features.ok()) << features.status().ToString();
  EXPECT_EQ(*features, nn::Matrix(1, 2, {10, 20}));
  EXPECT_EQ(MakeTargetMatrix(reordered, *schema).status().code(), core::StatusCode::kNotFound);

  auto lacking = MakeFeatureMatrix(Csv("a\n1\n"), *schema);
  ASSERT_FALSE(lacking.ok());
  EXPECT_EQ(lacking.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(lacking.status().message(), HasSubstr("'b'"));

  auto text = MakeFeatureMatrix(Csv("a,b\n1,x\n"), *schema);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr("'b' is categorical"));

  auto unknown_class = MakeTargetMatrix(Csv("a,b,y\n1,2,7\n"), *schema);
  ASSERT_FALSE(unknown_class.ok());
  EXPECT_THAT(unknown_class.status().message(), HasSubstr("row 1: '7'"));
}

// Regression: "nan" is a number, not a missing value, and 1e300 overflows
// float32 to infinity; both reached training and failed there as "the loss or
// a gradient is not finite". They are refused naming the column and the row.
TEST(InputSchemaTest, ValuesTheNetworkCannotTakeAreRefusedNamingColumnAndRow) {
  struct Case {
    const char* csv;
    const char* expected;
  };
  const Case cases[] = {
      {"a,b,y\n1,2,0\n3,nan,1\n", "feature 'b', row 2: NaN is not a number"},
      {"a,b,y\n1,2,0\n3,1e300,1\n", "feature 'b', row 2: 1e+300 does not fit a float32"},
      {"a,b,y\n1,-inf,0\n3,4,1\n", "feature 'b', row 1: -inf is not finite"},
      {"a,y\n1,0.5\n2,1.5\n3,nan\n", "target 'y', row 3: NaN is not a number"},
      {"a,y\n1,0\n2,1\n3,nan\n", "target 'y', row 3: NaN is not a number"},
  };
  for (const Case& c : cases) {
    auto schema = InferInputSchema(Csv(c.csv), "y");
    ASSERT_FALSE(schema.ok()) << c.csv;
    EXPECT_EQ(schema.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(schema.status().message(), HasSubstr(c.expected)) << c.csv;
  }
  // Data checked against a schema (training under a fixed schema, prediction).
  data::Table training = Csv("a,b,y\n1,2,0.5\n3,4,1.5\n5,6,2.5\n");
  auto schema = InferInputSchema(training, "y");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  data::Table bad = Csv("a,b,y\n1,2,1e300\n3,nan,1\n");
  auto features = MakeFeatureMatrix(bad, *schema);
  ASSERT_FALSE(features.ok());
  EXPECT_THAT(features.status().message(), HasSubstr("feature 'b', row 2: NaN is not a number"));
  auto targets = MakeTargetMatrix(bad, *schema);
  ASSERT_FALSE(targets.ok());
  EXPECT_THAT(targets.status().message(), HasSubstr("target 'y', row 1: 1e+300 does not fit"));
}

TEST(InputSchemaTest, EncodingNamesRoundTrip) {
  for (TargetEncoding encoding : {TargetEncoding::kValue, TargetEncoding::kBinary,
                                  TargetEncoding::kClassIndex, TargetEncoding::kOneHot}) {
    auto parsed = ParseTargetEncoding(ToString(encoding));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, encoding);
  }
  EXPECT_FALSE(ParseTargetEncoding("onehot").ok());
}

}  // namespace
}  // namespace modelhost::model
