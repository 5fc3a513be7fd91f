#include "core/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace modelhost::core {
namespace {

using ::testing::HasSubstr;

enum class Color { kRed, kBlue };
Result<Color> ParseColor(std::string_view text) {
  if (text == "red") return Color::kRed;
  if (text == "blue") return Color::kBlue;
  return InvalidArgument("must be red or blue");
}
std::string_view FormatColor(Color color) { return color == Color::kRed ? "red" : "blue"; }

struct TestOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  uint64_t max_body_bytes = 1024;
  bool verbose = false;
  Color color = Color::kRed;
};

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_.AddString("host", &options_.host, "address to bind");
    schema_.AddInt("port", &options_.port, 0, 65535, "TCP port");
    schema_.AddBytes("max_body_bytes", &options_.max_body_bytes, "body limit");
    schema_.AddBool("verbose", &options_.verbose, "chatty");
    schema_.AddParsed("color", &options_.color, &ParseColor, &FormatColor, "a color");
  }

  std::string WriteConfig(const std::string& contents) {
    auto path =
        std::filesystem::path(::testing::TempDir()) /
        (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".json");
    std::ofstream(path) << contents;
    return path.string();
  }

  TestOptions options_;
  SettingsSchema schema_;
};

TEST_F(SettingsTest, DefaultsStayWhenNoSourceSetsAnything) {
  ASSERT_TRUE(ApplySettings(schema_, SettingsSources{}).ok());
  EXPECT_EQ(options_.host, "127.0.0.1");
  EXPECT_EQ(options_.port, 8080);
  EXPECT_EQ(schema_.Find("port")->default_text, "8080");
  EXPECT_EQ(schema_.Find("color")->default_text, "red");
}

TEST_F(SettingsTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  SettingsSources sources;
  sources.config_file = WriteConfig(R"({"host": "0.0.0.0", "port": 9000, "verbose": true})");
  sources.environment = {{"MODELHOST_PORT", "9100"}, {"MODELHOST_HOST", "10.0.0.1"}};
  sources.flags = {{"port", "9200"}};
  ASSERT_TRUE(ApplySettings(schema_, sources).ok());
  EXPECT_EQ(options_.port, 9200);             // flag
  EXPECT_EQ(options_.host, "10.0.0.1");       // environment over file
  EXPECT_TRUE(options_.verbose);              // file over default
  EXPECT_EQ(options_.max_body_bytes, 1024u);  // default
}

TEST_F(SettingsTest, UnrelatedEnvironmentVariablesAreIgnored) {
  SettingsSources sources;
  sources.environment = {{"MODELHOST_API_KEY", "secret"}, {"PATH", "/bin"}};
  EXPECT_TRUE(ApplySettings(schema_, sources).ok());
}

TEST_F(SettingsTest, UnknownConfigKeyIsNamedWithSuggestion) {
  SettingsSources sources;
  sources.config_file = WriteConfig(R"({"prot": 9000})");
  Status status = ApplySettings(schema_, sources);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unknown key 'prot'"));
  EXPECT_THAT(status.message(), HasSubstr("did you mean 'port'?"));
  EXPECT_THAT(status.message(), HasSubstr(*sources.config_file));
}

TEST_F(SettingsTest, FarOffUnknownKeyListsKnownKeys) {
  SettingsSources sources;
  sources.config_file = WriteConfig(R"({"completely_different": 1})");
  EXPECT_THAT(ApplySettings(schema_, sources).message(), HasSubstr("known keys: host, port"));
}

TEST_F(SettingsTest, BadValuesNameTheirSource) {
  SettingsSources from_env;
  from_env.environment = {{"MODELHOST_PORT", "abc"}};
  EXPECT_EQ(ApplySettings(schema_, from_env).message(), "MODELHOST_PORT='abc': not an integer");

  SettingsSources from_flag;
  from_flag.flags = {{"port", "70000"}};
  EXPECT_EQ(ApplySettings(schema_, from_flag).message(), "--port '70000': must be at most 65535");

  SettingsSources from_file;
  from_file.config_file = WriteConfig(R"({"color": "green"})");
  EXPECT_THAT(ApplySettings(schema_, from_file).message(),
              HasSubstr("key 'color' = 'green': must be red or blue"));
}

TEST_F(SettingsTest, TrailingGarbageInIntegerIsRejected) {
  SettingsSources sources;
  sources.flags = {{"port", "80x"}};
  EXPECT_EQ(ApplySettings(schema_, sources).code(), StatusCode::kInvalidArgument);
  sources.flags = {{"port", "-1"}};
  EXPECT_THAT(ApplySettings(schema_, sources).message(), HasSubstr("must be at least 0"));
}

TEST_F(SettingsTest, ByteSizesAcceptUnits) {
  SettingsSources sources;
  sources.flags = {{"max_body_bytes", "64MiB"}};
  ASSERT_TRUE(ApplySettings(schema_, sources).ok());
  EXPECT_EQ(options_.max_body_bytes, 64ull << 20);
  sources.flags = {{"max_body_bytes", "10kb"}};
  ASSERT_TRUE(ApplySettings(schema_, sources).ok());
  EXPECT_EQ(options_.max_body_bytes, 10000u);
  sources.flags = {{"max_body_bytes", "10 parsecs"}};
  EXPECT_THAT(ApplySettings(schema_, sources).message(), HasSubstr("unknown size unit"));
  sources.flags = {{"max_body_bytes", "99999999999GiB"}};
  EXPECT_THAT(ApplySettings(schema_, sources).message(), HasSubstr("out of range"));
}

TEST_F(SettingsTest, BooleansAcceptCommonSpellings) {
  SettingsSources sources;
  sources.environment = {{"MODELHOST_VERBOSE", "yes"}};
  ASSERT_TRUE(ApplySettings(schema_, sources).ok());
  EXPECT_TRUE(options_.verbose);
  sources.environment = {{"MODELHOST_VERBOSE", "maybe"}};
  EXPECT_THAT(ApplySettings(schema_, sources).message(), HasSubstr("not a boolean"));
}

TEST_F(SettingsTest, ConfigFileProblemsAreClear) {
  SettingsSources missing;
  missing.config_file = "/nonexistent/modelhost.json";
  EXPECT_EQ(ApplySettings(schema_, missing).code(), StatusCode::kNotFound);

  SettingsSources malformed;
  malformed.config_file = WriteConfig("{\"port\": 80,\n \"host\": }");
  Status status = ApplySettings(schema_, malformed);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(status.message(), HasSubstr("line 2"));

  SettingsSources overflowing;  // a number beyond double: out_of_range, not parse_error
  overflowing.config_file = WriteConfig("{\"port\": 1e999}");
  EXPECT_THAT(ApplySettings(schema_, overflowing).message(), HasSubstr("not valid JSON"));

  SettingsSources nested;
  nested.config_file = WriteConfig(R"({"host": {"name": "x"}})");
  EXPECT_THAT(ApplySettings(schema_, nested).message(),
              HasSubstr("must be a string, number or boolean"));

  SettingsSources array;
  array.config_file = WriteConfig("[1, 2]");
  EXPECT_THAT(ApplySettings(schema_, array).message(), HasSubstr("must be a JSON object"));
}

TEST_F(SettingsTest, UnknownFlagKeyIsRejected) {
  SettingsSources sources;
  sources.flags = {{"no_such", "1"}};
  EXPECT_EQ(ApplySettings(schema_, sources).message(), "--no-such: unknown option");
}

TEST(SettingsNamesTest, FlagAndEnvironmentNamesDeriveFromKey) {
  EXPECT_EQ(SettingsSchema::FlagName("data_dir"), "--data-dir");
  EXPECT_EQ(SettingsSchema::EnvironmentName("data_dir"), "MODELHOST_DATA_DIR");
}

TEST(SettingsNamesTest, ProcessEnvironmentSeesSetVariables) {
  ::setenv("MODELHOST_SETTINGS_TEST_VALUE", "a=b", 1);
  auto environment = ProcessEnvironment();
  EXPECT_EQ(environment["MODELHOST_SETTINGS_TEST_VALUE"], "a=b");
}

}  // namespace
}  // namespace modelhost::core
