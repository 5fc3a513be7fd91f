#include "data/profile_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/profile_text.h"

namespace modelhost::data {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

TableProfile SmallProfile() {
  auto read = ReadCsvBuffer("x,b,c,e\n1.5,true,b,\n,false,a,\n-2,,b,\n", "t.csv");
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  return ProfileTable(read.value().table);
}

TEST(ProfileJsonTest, WritesEveryFieldByType) {
  Json json = Json::parse(ProfileToJson(SmallProfile()));
  EXPECT_EQ(json["num_rows"], 3);
  ASSERT_EQ(json["columns"].size(), 4u);

  const Json& x = json["columns"][0];
  EXPECT_EQ(x["name"], "x");
  EXPECT_EQ(x["type"], "float64");
  EXPECT_EQ(x["count"], 2);
  EXPECT_EQ(x["missing_count"], 1);
  EXPECT_EQ(x["distinct_count"], 2);
  EXPECT_EQ(x["distinct_approximate"], false);
  EXPECT_EQ(x["min"], -2.0);
  EXPECT_EQ(x["max"], 1.5);
  EXPECT_EQ(x["mean"], -0.25);
  EXPECT_EQ(x["std_population"], 1.75);
  EXPECT_DOUBLE_EQ(x["std_sample"].get<double>(), 1.75 * std::sqrt(2.0));
  EXPECT_EQ(x["quantiles"]["p50"], -0.25);
  EXPECT_EQ(x["quantiles"].size(), 5u);
  EXPECT_EQ(x["quantiles_approximate"], false);
  EXPECT_FALSE(x.contains("top_categories"));

  const Json& b = json["columns"][1];
  EXPECT_EQ(b["type"], "bool");
  EXPECT_EQ(b["true_count"], 1);
  EXPECT_FALSE(b.contains("mean"));

  const Json& c = json["columns"][2];
  EXPECT_EQ(c["type"], "categorical");
  EXPECT_EQ(c["top_categories"],
            Json::parse(R"([{"value":"b","count":2},{"value":"a","count":1}])"));

  // An all-missing column: NaN statistics are null.
  const Json& e = json["columns"][3];
  EXPECT_EQ(e["count"], 0);
  EXPECT_TRUE(e["mean"].is_null());
  EXPECT_TRUE(e["quantiles"]["p01"].is_null());
}

TEST(ProfileJsonTest, NumbersReadBackExactly) {
  auto read = ReadCsvBuffer("x\n0.1\n0.7\n1e-300\n", "t.csv");
  ASSERT_TRUE(read.ok());
  TableProfile profile = ProfileTable(read.value().table);
  Json json = Json::parse(ProfileToJson(profile));
  const auto& stats = std::get<NumericStats>(profile.columns[0].stats);
  EXPECT_EQ(json["columns"][0]["mean"].get<double>(), stats.mean);
  EXPECT_EQ(json["columns"][0]["std_sample"].get<double>(), stats.sample_std);
  EXPECT_EQ(json["columns"][0]["min"].get<double>(), 1e-300);
}

TEST(ProfileTextTest, OneAlignedLinePerColumnAndALegend) {
  std::string text = RenderProfileText(SmallProfile());
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 6u);  // header, 4 columns, legend
  EXPECT_EQ(lines[0].rfind("column  type", 0), 0u) << lines[0];
  // The "count" header ends where each count ends (right-aligned).
  const size_t count_end = lines[0].find("count") + 5;
  EXPECT_EQ(lines[1].substr(count_end - 1, 1), "2");
  EXPECT_THAT(lines[1], HasSubstr("-0.25"));
  EXPECT_THAT(lines[2], HasSubstr("true 1"));
  EXPECT_THAT(lines[3], HasSubstr("b 2, a 1"));
  EXPECT_THAT(lines[5], HasSubstr("3 rows. std: sample (ddof 1)"));
}

TEST(ProfileTextTest, MarksApproximateValues) {
  std::string csv = "x\n";
  for (int row = 0; row < 500; ++row) csv += std::to_string(row) + "\n";
  auto read = ReadCsvBuffer(csv, "t.csv");
  ASSERT_TRUE(read.ok());
  std::string text = RenderProfileText(
      ProfileTable(read.value().table, {.exact_distinct_limit = 10, .exact_quantile_limit = 10}));
  const size_t start = text.find('\n') + 1;
  const std::string line = text.substr(start, text.find('\n', start) - start);
  // The distinct count and the five quantiles.
  EXPECT_EQ(std::count(line.begin(), line.end(), '~'), 6) << line;
}

}  // namespace
}  // namespace modelhost::data
