#include "data/profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>

#include "data/csv_reader.h"
#include "data/distinct_counter.h"
#include "data/profile_json.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TestDataPath(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / "../../data" / name).string();
}

Table ReadCsv(std::string_view text) {
  auto result = ReadCsvBuffer(text, "t.csv");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value().table : Table();
}

Table ReadTestFile(const std::string& name) {
  auto result = ReadCsvFile(TestDataPath(name));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value().table : Table();
}

const ColumnProfile& Find(const TableProfile& profile, std::string_view name) {
  for (const ColumnProfile& column : profile.columns) {
    if (column.name == name) return column;
  }
  ADD_FAILURE() << "no column " << name;
  return profile.columns.front();
}

const NumericStats& Numeric(const ColumnProfile& column) {
  return std::get<NumericStats>(column.stats);
}

constexpr std::string_view kSmall =
    "x,n,b,c\n"
    "1.5,3,true,b\n"
    ",1,false,a\n"
    "-2,,,\n"
    "4,3,true,b\n"
    "1.5,10,true,c\n";

TEST(ProfileTest, HandComputedSmallTable) {
  TableProfile profile = ProfileTable(ReadCsv(kSmall));
  EXPECT_EQ(profile.num_rows, 5u);
  ASSERT_EQ(profile.columns.size(), 4u);

  // x: -2, 1.5, 1.5, 4. Mean 5/4; squared deviations 10.5625 + 0.0625 + 0.0625
  // + 7.5625 = 18.25, so variance 18.25/4 (population) and 18.25/3 (sample).
  // Quantiles: h = 3q; p25 → -2 + 0.75·3.5 = 0.625, p50 → 1.5,
  // p75 → 1.5 + 0.25·2.5 = 2.125, p01 → -2 + 0.03·3.5, p99 → 1.5 + 0.97·2.5.
  const ColumnProfile& x = profile.columns[0];
  EXPECT_EQ(x.type, ColumnType::kFloat64);
  EXPECT_EQ(x.count, 4u);
  EXPECT_EQ(x.missing_count, 1u);
  EXPECT_EQ(x.distinct_count, 3u);
  EXPECT_FALSE(x.distinct_approximate);
  EXPECT_EQ(Numeric(x).min, -2.0);
  EXPECT_EQ(Numeric(x).max, 4.0);
  EXPECT_DOUBLE_EQ(Numeric(x).mean, 1.25);
  EXPECT_DOUBLE_EQ(Numeric(x).population_std, std::sqrt(18.25 / 4));
  EXPECT_DOUBLE_EQ(Numeric(x).sample_std, std::sqrt(18.25 / 3));
  EXPECT_DOUBLE_EQ(Numeric(x).quantiles[0], -2 + 0.03 * 3.5);
  EXPECT_DOUBLE_EQ(Numeric(x).quantiles[1], 0.625);
  EXPECT_DOUBLE_EQ(Numeric(x).quantiles[2], 1.5);
  EXPECT_DOUBLE_EQ(Numeric(x).quantiles[3], 2.125);
  EXPECT_DOUBLE_EQ(Numeric(x).quantiles[4], 1.5 + 0.97 * 2.5);
  EXPECT_FALSE(Numeric(x).quantiles_approximate);

  // n: 1, 3, 3, 10 (int64). Mean 17/4; p50 = 3.
  const ColumnProfile& n = profile.columns[1];
  EXPECT_EQ(n.type, ColumnType::kInt64);
  EXPECT_EQ(n.count, 4u);
  EXPECT_EQ(n.missing_count, 1u);
  EXPECT_EQ(n.distinct_count, 3u);
  EXPECT_DOUBLE_EQ(Numeric(n).mean, 4.25);
  EXPECT_EQ(Numeric(n).quantiles[2], 3.0);
  EXPECT_EQ(Numeric(n).min, 1.0);
  EXPECT_EQ(Numeric(n).max, 10.0);

  const ColumnProfile& b = profile.columns[2];
  EXPECT_EQ(b.type, ColumnType::kBool);
  EXPECT_EQ(b.count, 4u);
  EXPECT_EQ(b.missing_count, 1u);
  EXPECT_EQ(b.distinct_count, 2u);
  EXPECT_EQ(std::get<BoolStats>(b.stats).true_count, 3u);

  const ColumnProfile& c = profile.columns[3];
  EXPECT_EQ(c.type, ColumnType::kCategorical);
  EXPECT_EQ(c.count, 4u);
  EXPECT_EQ(c.missing_count, 1u);
  EXPECT_EQ(c.distinct_count, 3u);
  // Count descending, ties by byte order.
  EXPECT_THAT(std::get<CategoricalStats>(c.stats).top_categories,
              ElementsAre(CategoryCount{"b", 2}, CategoryCount{"a", 1}, CategoryCount{"c", 1}));
}

TEST(ProfileTest, AllMissingColumnHasNaNStatistics) {
  TableProfile profile = ProfileTable(ReadCsv("x,y\n,1\n,2\n"));
  const ColumnProfile& x = profile.columns[0];
  EXPECT_EQ(x.count, 0u);
  EXPECT_EQ(x.missing_count, 2u);
  EXPECT_EQ(x.distinct_count, 0u);
  EXPECT_TRUE(std::isnan(Numeric(x).mean));
  EXPECT_TRUE(std::isnan(Numeric(x).quantiles[2]));
}

// A CSV cell "nan" reads as a present NaN; the profile counts it as missing,
// as the pipeline does. pandas: pd.Series([1, np.nan, 3, 4]).describe() gives
// count 3, mean 2.666667, 25% 2.0, 50% 3.0, 75% 3.5.
TEST(ProfileTest, NaNValueCountsAsMissing) {
  TableProfile profile = ProfileTable(ReadCsv("a\n1\nnan\n3\n4\n"));
  const ColumnProfile& a = profile.columns[0];
  ASSERT_EQ(a.type, ColumnType::kFloat64);
  EXPECT_EQ(a.count, 3u);
  EXPECT_EQ(a.missing_count, 1u);
  EXPECT_EQ(a.distinct_count, 3u);
  EXPECT_EQ(Numeric(a).min, 1.0);
  EXPECT_EQ(Numeric(a).max, 4.0);
  EXPECT_DOUBLE_EQ(Numeric(a).mean, 8.0 / 3);
  EXPECT_DOUBLE_EQ(Numeric(a).quantiles[1], 2.0);
  EXPECT_DOUBLE_EQ(Numeric(a).quantiles[2], 3.0);
  EXPECT_DOUBLE_EQ(Numeric(a).quantiles[3], 3.5);
}

TEST(ProfileTest, TopCategoriesAreCutToTheOption) {
  TableProfile profile =
      ProfileTable(ReadCsv("c\na\nb\nb\nc\nc\nc\n"), ProfileOptions{.max_top_categories = 2});
  const ColumnProfile& c = profile.columns[0];
  EXPECT_EQ(c.distinct_count, 3u);
  EXPECT_THAT(std::get<CategoricalStats>(c.stats).top_categories,
              ElementsAre(CategoryCount{"c", 3}, CategoryCount{"b", 2}));
}

// Chunks with different dictionaries (codes mean different strings in each)
// and Merge of builders fed on two threads give the whole table's profile.
TEST(ProfileTest, ChunksAndMergedBuildersEqualTheWholeTable) {
  const Table whole = ReadCsv("x,c\n1,a\n2,b\n,a\n4,c\n5,c\n6,\n");
  const Table first = ReadCsv("x,c\n1,a\n2,b\n,a\n");
  const Table second = ReadCsv("x,c\n4,c\n5,c\n6,\n");
  ASSERT_EQ(first.column(0).type(), second.column(0).type());

  ProfileBuilder chunked;
  ASSERT_TRUE(chunked.Add(first).ok());
  ASSERT_TRUE(chunked.Add(second).ok());
  TableProfile from_chunks = std::move(chunked).Finish();

  ProfileBuilder left, right;
  std::thread worker([&] { ASSERT_TRUE(right.Add(second).ok()); });
  ASSERT_TRUE(left.Add(first).ok());
  worker.join();
  ASSERT_TRUE(left.Merge(std::move(right)).ok());
  TableProfile from_merge = std::move(left).Finish();

  TableProfile expected = ProfileTable(whole);
  for (const TableProfile* profile : {&from_chunks, &from_merge}) {
    EXPECT_EQ(profile->num_rows, 6u);
    const ColumnProfile& x = profile->columns[0];
    EXPECT_EQ(x.count, 5u);
    EXPECT_EQ(x.missing_count, 1u);
    EXPECT_DOUBLE_EQ(Numeric(x).mean, Numeric(expected.columns[0]).mean);
    EXPECT_DOUBLE_EQ(Numeric(x).sample_std, Numeric(expected.columns[0]).sample_std);
    EXPECT_EQ(Numeric(x).quantiles, Numeric(expected.columns[0]).quantiles);
    const ColumnProfile& c = profile->columns[1];
    EXPECT_EQ(c.missing_count, 1u);
    EXPECT_THAT(std::get<CategoricalStats>(c.stats).top_categories,
                ElementsAre(CategoryCount{"a", 2}, CategoryCount{"c", 2}, CategoryCount{"b", 1}));
  }
}

TEST(ProfileTest, ChunkWithAnotherSchemaIsRejected) {
  ProfileBuilder builder;
  ASSERT_TRUE(builder.Add(ReadCsv("x,c\n1,a\n")).ok());
  core::Status status = builder.Add(ReadCsv("x,d\n1,a\n"));
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("chunk column 2 is 'd' (categorical)"));
  status = builder.Add(ReadCsv("x,c\n1.5,a\n"));
  EXPECT_THAT(status.message(), HasSubstr("'x' (float64), the profile's schema has 'x' (int64)"));
  EXPECT_THAT(builder.Add(ReadCsv("x\n1\n")).message(), HasSubstr("chunk has 1 columns"));

  ProfileBuilder other;
  ASSERT_TRUE(other.Add(ReadCsv("y,c\n1,a\n")).ok());
  status = builder.Merge(std::move(other));
  EXPECT_THAT(status.message(), HasSubstr("column 1 is 'x' (int64) in one and 'y' (int64)"));
  // The rejected chunks left nothing behind.
  TableProfile profile = std::move(builder).Finish();
  EXPECT_EQ(profile.num_rows, 1u);
  EXPECT_EQ(profile.columns[0].count, 1u);
}

TEST(ProfileTest, ApproximateModesAreReportedPastTheLimits) {
  std::string csv = "x\n";
  for (int row = 0; row < 3000; ++row) csv += std::to_string(row) + "\n";
  TableProfile profile = ProfileTable(
      ReadCsv(csv), ProfileOptions{.exact_distinct_limit = 100, .exact_quantile_limit = 100});
  const ColumnProfile& x = profile.columns[0];
  EXPECT_TRUE(x.distinct_approximate);
  EXPECT_NEAR(static_cast<double>(x.distinct_count), 3000.0, 3000 * 0.03);
  EXPECT_TRUE(Numeric(x).quantiles_approximate);
  EXPECT_NEAR(Numeric(x).quantiles[2], 1499.5, 3000 * 0.02);
  EXPECT_DOUBLE_EQ(Numeric(x).mean, 1499.5);  // moments stay exact
}

// HyperLogLog can estimate more distinct values than there are values: the
// profile reports at most the count.
TEST(ProfileTest, ApproximateDistinctCountIsAtMostTheCount) {
  constexpr int64_t kRows = 128;
  std::string csv = "x\n";
  DistinctCounter estimate({.exact_limit = 100});
  for (int64_t row = 0; row < kRows; ++row) {
    csv += std::to_string(row) + "\n";
    estimate.Add(std::bit_cast<uint64_t>(row));
  }
  ASSERT_GT(estimate.Count(), uint64_t{kRows});  // the case this test is for
  TableProfile profile = ProfileTable(ReadCsv(csv), ProfileOptions{.exact_distinct_limit = 100});
  const ColumnProfile& x = profile.columns[0];
  ASSERT_EQ(x.type, ColumnType::kInt64);
  EXPECT_TRUE(x.distinct_approximate);
  EXPECT_EQ(x.distinct_count, uint64_t{kRows});
}

// Reference numbers: pandas 3.1.1 / numpy 2.4.6 in a venv, on the file as
// committed (sha256 in tests/data/README.md):
//   df = pd.read_csv(path); s = df[c].dropna().to_numpy(dtype=float)
//   s.mean(), s.std(), s.std(ddof=1), np.quantile(s, [.01, .25, .5, .75, .99]),
//   len(np.unique(s)), df.isna().sum()
struct Reference {
  const char* column;
  uint64_t count, missing, distinct;
  double min, max, mean, population_std, sample_std;
  std::array<double, 5> quantiles;
};

void ExpectMatches(const TableProfile& profile, const Reference& reference) {
  SCOPED_TRACE(reference.column);
  const ColumnProfile& column = Find(profile, reference.column);
  EXPECT_EQ(column.count, reference.count);
  EXPECT_EQ(column.missing_count, reference.missing);
  EXPECT_EQ(column.distinct_count, reference.distinct);
  const NumericStats& stats = Numeric(column);
  EXPECT_EQ(stats.min, reference.min);
  EXPECT_EQ(stats.max, reference.max);
  const double scale = std::abs(reference.mean) + reference.population_std;
  EXPECT_NEAR(stats.mean, reference.mean, 1e-13 * scale);
  EXPECT_NEAR(stats.population_std, reference.population_std, 1e-12 * scale);
  EXPECT_NEAR(stats.sample_std, reference.sample_std, 1e-12 * scale);
  for (size_t index = 0; index < 5; ++index) {
    EXPECT_NEAR(stats.quantiles[index], reference.quantiles[index], 1e-12 * scale)
        << kProfileQuantileNames[index];
  }
}

TEST(ProfileTest, PimaWithNAMatchesPandas) {
  TableProfile profile = ProfileTable(ReadTestFile("pima_indians_diabetes_na.csv"));
  EXPECT_EQ(profile.num_rows, 768u);
  ASSERT_EQ(profile.columns.size(), 9u);
  // Missing counts from tests/data/README.md, from the source README: 652 NA cells.
  uint64_t missing = 0;
  for (const ColumnProfile& column : profile.columns) missing += column.missing_count;
  EXPECT_EQ(missing, 652u);
  EXPECT_EQ(Find(profile, "pressure").missing_count, 35u);
  EXPECT_EQ(Find(profile, "triceps").missing_count, 227u);
  ExpectMatches(profile, {"glucose",
                          763,
                          5,
                          135,
                          44,
                          199,
                          121.6867627785059,
                          30.51562426234566,
                          30.535641072804033,
                          {67.62, 99.0, 117.0, 141.0, 196.0}});
  ExpectMatches(profile, {"insulin",
                          394,
                          374,
                          185,
                          14,
                          846,
                          155.5482233502538,
                          118.62502864362725,
                          118.77585518724518,
                          {18.0, 76.25, 125.0, 190.0, 580.4699999999998}});
  ExpectMatches(profile, {"mass",
                          757,
                          11,
                          247,
                          18.2,
                          67.1,
                          32.457463672391015,
                          6.920412852034457,
                          6.924988332105903,
                          {19.5, 27.5, 32.3, 36.6, 51.011999999999865}});
  ExpectMatches(profile, {"pedigree",
                          768,
                          0,
                          517,
                          0.078,
                          2.42,
                          0.47187630208333325,
                          0.3311128160286291,
                          0.3313285950127749,
                          {0.09468, 0.24375, 0.3725, 0.62625, 1.6983300000000001}});
  ExpectMatches(profile, {"age",
                          768,
                          0,
                          52,
                          21,
                          81,
                          33.240885416666664,
                          11.752572645994181,
                          11.760231540678685,
                          {21.0, 24.0, 29.0, 41.0, 67.0}});
  ExpectMatches(profile, {"diabetes",
                          768,
                          0,
                          2,
                          0,
                          1,
                          0.3489583333333333,
                          0.47664076087820645,
                          0.47695137724279896,
                          {0.0, 0.0, 0.0, 1.0, 1.0}});
}

TEST(ProfileTest, BreastCancerMatchesPandas) {
  TableProfile profile = ProfileTable(ReadTestFile("breast_cancer_wdbc.csv"));
  EXPECT_EQ(profile.num_rows, 569u);
  ASSERT_EQ(profile.columns.size(), 31u);
  for (const ColumnProfile& column : profile.columns) EXPECT_EQ(column.missing_count, 0u);
  ExpectMatches(profile, {"mean_radius",
                          569,
                          0,
                          456,
                          6.981,
                          28.11,
                          14.127291739894552,
                          3.520950760711062,
                          3.5240488262120775,
                          {8.458359999999999, 11.7, 13.37, 15.78, 24.37160000000002}});
  ExpectMatches(profile, {"worst_area",
                          569,
                          0,
                          544,
                          185.2,
                          4254.0,
                          880.5831282952548,
                          568.8564589532671,
                          569.356992669949,
                          {256.192, 515.3, 686.5, 1084.0, 2918.1600000000017}});
  ExpectMatches(profile, {"mean_smoothness",
                          569,
                          0,
                          474,
                          0.05263,
                          0.1634,
                          0.0963602811950791,
                          0.014051764066591203,
                          0.01406412813767362,
                          {0.06865399999999999, 0.08637, 0.09587, 0.1053, 0.13288800000000003}});
  const ColumnProfile& diagnosis = Find(profile, "diagnosis");
  EXPECT_EQ(diagnosis.type, ColumnType::kCategorical);
  EXPECT_THAT(std::get<CategoricalStats>(diagnosis.stats).top_categories,
              ElementsAre(CategoryCount{"benign", 357}, CategoryCount{"malignant", 212}));
}

// Columns profiled on several threads give the same profile, to the bit, as
// one thread — past the exact limits too, where the sketches' coin flips run.
TEST(ProfileTest, ThreadsChangeNothing) {
  const Table table = testing::MakeMixedTable(150000, 7, 40);
  ASSERT_GE(table.num_rows() * table.num_columns(), size_t{1} << 16);
  ProfileOptions options;
  options.exact_distinct_limit = 1000;
  options.exact_quantile_limit = 1000;
  options.threads = 1;
  const std::string one = ProfileToJson(ProfileTable(table, options));
  for (size_t threads : {0, 2, 3}) {
    options.threads = threads;
    EXPECT_EQ(ProfileToJson(ProfileTable(table, options)), one) << threads << " threads";
  }
  EXPECT_THAT(one, HasSubstr("\"quantiles_approximate\":true"));
}

}  // namespace
}  // namespace modelhost::data
