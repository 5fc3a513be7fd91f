// The remote commands of the `modelhost` binary against the real server
// (issue 6, CLI): login/logout with a private config file, datasets, training
// jobs followed over the event stream, the model registry, batched predict
// compared with the HTTP answer, API keys; --json output, the exit codes
// 0 / 1 (the server's refusal, an unreachable URL) / 2 (usage), and the
// MODELHOST_URL / MODELHOST_API_KEY overrides.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kPima = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv";

constexpr char kJobSpec[] = R"({
  "dataset": "pima", "target": "diabetes", "register_as": "pima",
  "pipeline": {"steps": [{"op": "standardize", "columns": "numeric"}]},
  "model": {"layers": [{"dense": 8, "activation": "relu"}, {"dense": 1, "activation": "sigmoid"}]},
  "compile": {"optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["accuracy"]},
  "fit": {"epochs": 3, "batch_size": 32, "seed": 3, "validation_split": 0.2}})";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

class CliRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("cli_remote_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "home");
    server_ = std::make_unique<ServerProcess>((root_ / "data").string());
    ASSERT_NE(server_->port(), 0);
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  // A clean environment: HOME and XDG_CONFIG_HOME in the test's folder, the
  // overrides empty (unset for the CLI), then `extra`.
  std::map<std::string, std::string> Environment(
      const std::map<std::string, std::string>& extra = {}) const {
    std::map<std::string, std::string> environment = {
        {"HOME", (root_ / "home").string()},
        {"XDG_CONFIG_HOME", (root_ / "home" / "xdg").string()},
        {"MODELHOST_URL", ""},
        {"MODELHOST_API_KEY", ""}};
    for (const auto& [name, value] : extra) environment[name] = value;
    return environment;
  }

  CommandResult Cli(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& extra = {}) const {
    return RunModelhost(args, Environment(extra));
  }

  fs::path ConfigFile() const { return root_ / "home" / "xdg" / "modelhost" / "credentials.json"; }

  void Login() {
    CommandResult login =
        Cli({"login", "--url", url_, "--key-file", (root_ / "data" / "admin.key").string()});
    ASSERT_EQ(login.exit_code, 0) << login.stderr_text;
  }

  HttpReply Call(const std::string& method, const std::string& target,
                 const std::string& body = "") {
    return HttpRequest(server_->port(), method, target, body, server_->AdminAuth());
  }

  fs::path root_;
  std::unique_ptr<ServerProcess> server_;
  std::string url_;
};

TEST_F(CliRemoteTest, LoginStoresAPrivateFileAndLogoutRemovesIt) {
  CommandResult bad_key = Cli({"login", "--url", url_, "--key-file", "/dev/null"});
  EXPECT_EQ(bad_key.exit_code, 1);
  std::ofstream(root_ / "wrong.key") << "mh_0000000000000000_wrong\n";
  CommandResult wrong = Cli({"login", "--url", url_, "--key-file", (root_ / "wrong.key").string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.stderr_text, HasSubstr("unauthenticated"));
  EXPECT_FALSE(fs::exists(ConfigFile()));

  Login();
  struct stat info {};
  ASSERT_EQ(::stat(ConfigFile().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(ConfigFile().parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  Json stored = Json::parse(ReadWholeFile(ConfigFile()));
  EXPECT_EQ(stored["url"], url_);
  EXPECT_EQ(stored["api_key"], server_->AdminKey());

  // Without XDG_CONFIG_HOME the file is under HOME/.config.
  CommandResult home_login =
      RunModelhost({"login", "--url", url_, "--key-file", (root_ / "data" / "admin.key").string()},
                   {{"HOME", (root_ / "home").string()}, {"XDG_CONFIG_HOME", ""}});
  EXPECT_EQ(home_login.exit_code, 0) << home_login.stderr_text;
  EXPECT_TRUE(fs::exists(root_ / "home" / ".config" / "modelhost" / "credentials.json"));

  CommandResult listed = Cli({"models", "ls"});
  EXPECT_EQ(listed.exit_code, 0) << listed.stderr_text;
  EXPECT_THAT(listed.stdout_text, HasSubstr("NAME"));

  EXPECT_EQ(Cli({"logout"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(ConfigFile()));
  CommandResult after = Cli({"models", "ls"});
  EXPECT_EQ(after.exit_code, 2);  // no server named: a usage error
  EXPECT_THAT(after.stderr_text, HasSubstr("modelhost login"));
}

TEST_F(CliRemoteTest, UploadTrainWatchPromoteAndPredict) {
  Login();
  CommandResult uploaded = Cli({"datasets", "upload", kPima, "--name", "pima", "--json"});
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.stderr_text;
  EXPECT_EQ(uploaded.stderr_text, "");  // no progress bar off a terminal
  Json dataset = Json::parse(uploaded.stdout_text);
  EXPECT_EQ(dataset["rows"], 768);
  const std::string dataset_id = dataset["id"];

  Json datasets = Json::parse(Cli({"datasets", "ls", "--json"}).stdout_text);
  ASSERT_EQ(datasets["datasets"].size(), 1u);
  CommandResult shown = Cli({"datasets", "show", dataset_id});
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_THAT(shown.stdout_text, HasSubstr("glucose"));
  EXPECT_THAT(shown.stdout_text, HasSubstr("768"));

  std::ofstream(root_ / "job.json") << kJobSpec;
  CommandResult created =
      Cli({"jobs", "create", "--spec", (root_ / "job.json").string(), "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.stderr_text;
  const std::string job_id = Json::parse(created.stdout_text)["id"];

  CommandResult watched = Cli({"jobs", "watch", job_id});
  ASSERT_EQ(watched.exit_code, 0) << watched.stderr_text;
  EXPECT_THAT(watched.stdout_text, HasSubstr("epoch 3/3 loss="));
  EXPECT_THAT(watched.stdout_text,
              HasSubstr("job " + job_id + " succeeded: registered pima version 1"));
  EXPECT_THAT(watched.stdout_text, Not(HasSubstr("\033[K")));  // no bars off a terminal

  CommandResult jobs = Cli({"jobs", "ls"});
  EXPECT_THAT(jobs.stdout_text, HasSubstr(job_id));
  EXPECT_THAT(jobs.stdout_text, HasSubstr("succeeded"));
  CommandResult job = Cli({"jobs", "show", job_id});
  EXPECT_THAT(job.stdout_text, HasSubstr("val_accuracy"));

  CommandResult models = Cli({"models", "ls"});
  EXPECT_THAT(models.stdout_text, HasSubstr("pima"));
  CommandResult promoted = Cli({"models", "promote", "pima", "1"});
  EXPECT_EQ(promoted.exit_code, 0) << promoted.stderr_text;
  EXPECT_THAT(promoted.stdout_text, HasSubstr("production -> version 1"));
  Json model = Json::parse(Cli({"models", "show", "pima", "--json"}).stdout_text);
  EXPECT_EQ(model["aliases"]["production"], 1);
  EXPECT_THAT(Cli({"models", "show", "pima", "1"}).stdout_text, HasSubstr("diabetes"));

  // Predictions in batches of 100 (8 requests), in order, as HTTP gives them.
  CommandResult predicted = Cli({"predict", "pima", "--data", kPima, "--batch-size", "100"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.stderr_text;
  std::vector<std::string> csv = Lines(predicted.stdout_text);
  ASSERT_EQ(csv.size(), 769u);
  EXPECT_EQ(csv[0], "probability,label");
  std::vector<std::string> rows = Lines(ReadWholeFile(kPima));
  std::vector<std::string> names;
  std::stringstream header(rows[0]);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  Json instances = Json::array();
  for (size_t row = 1; row < rows.size(); ++row) {
    std::stringstream fields(rows[row]);
    Json instance;
    size_t column = 0;
    for (std::string field; std::getline(fields, field, ',');)
      instance[names[column++]] = std::stod(field);
    instances.push_back(instance);
  }
  HttpReply http = Call("POST", "/v1/models/pima:predict", Json{{"instances", instances}}.dump());
  ASSERT_EQ(http.status, 200) << http.body;
  Json expected = Json::parse(http.body)["predictions"];
  ASSERT_EQ(expected.size(), 768u);
  for (size_t row = 0; row < 768; ++row) {
    size_t comma = csv[row + 1].find(',');
    EXPECT_DOUBLE_EQ(std::stod(csv[row + 1].substr(0, comma)),
                     expected[row]["probability"].get<double>())
        << row;
    EXPECT_EQ(csv[row + 1].substr(comma + 1), expected[row]["label"].dump()) << row;
  }

  // JSON Lines in and out; one --json answer.
  std::ofstream(root_ / "rows.jsonl") << instances[0].dump() << "\n" << instances[1].dump() << "\n";
  CommandResult jsonl =
      Cli({"predict", "pima", "--data", (root_ / "rows.jsonl").string(), "--output", "jsonl"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.stderr_text;
  std::vector<std::string> lines = Lines(jsonl.stdout_text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines[1]), expected[1]);
  Json answer = Json::parse(
      Cli({"predict", "pima", "--data", (root_ / "rows.jsonl").string(), "--json"}).stdout_text);
  EXPECT_EQ(answer["model_version"], 1);
  EXPECT_EQ(answer["predictions"], Json::array({expected[0], expected[1]}));

  // The server refuses to delete an aliased version: exit 1 with its reason.
  CommandResult removed = Cli({"models", "rm", "pima", "1"});
  EXPECT_EQ(removed.exit_code, 1);
  EXPECT_THAT(removed.stderr_text, HasSubstr("modelhost models rm: failed_precondition: "));
  EXPECT_EQ(Cli({"datasets", "rm", dataset_id}).exit_code, 0);
  EXPECT_EQ(Json::parse(Cli({"datasets", "ls", "--json"}).stdout_text)["datasets"].size(), 0u);
}

TEST_F(CliRemoteTest, CreateFromFlagsThenCancelMakesWatchExitOne) {
  Login();
  ASSERT_EQ(Cli({"datasets", "upload", kPima}).exit_code, 0);
  CommandResult created =
      Cli({"jobs", "create", "--dataset", "pima_indians_diabetes", "--target", "diabetes",
           "--register-as", "long", "--epochs", "1000000", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.stderr_text;
  Json job = Json::parse(created.stdout_text);
  EXPECT_EQ(job["spec"]["fit"]["epochs"], 1000000);
  const std::string id = job["id"];
  CommandResult cancelled = Cli({"jobs", "cancel", id});
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.stderr_text;
  CommandResult watched = Cli({"jobs", "watch", id});
  EXPECT_EQ(watched.exit_code, 1);
  EXPECT_THAT(watched.stderr_text, HasSubstr("job " + id + " was cancelled"));
}

TEST_F(CliRemoteTest, RefusalsExitOneWithTheServersCodeAndMessage) {
  Login();
  CommandResult job =
      Cli({"jobs", "create", "--dataset", "nope", "--target", "x", "--register-as", "m"});
  EXPECT_EQ(job.exit_code, 1);
  EXPECT_THAT(job.stderr_text, HasSubstr("modelhost jobs create: not_found: "));
  EXPECT_THAT(job.stderr_text, HasSubstr("nope"));
  CommandResult dataset = Cli({"datasets", "show", "ds_0000000000000000", "--json"});
  EXPECT_EQ(dataset.exit_code, 1);
  EXPECT_THAT(dataset.stderr_text, HasSubstr("not_found"));
  CommandResult predict = Cli({"predict", "absent", "--data", kPima});
  EXPECT_EQ(predict.exit_code, 1);
  EXPECT_THAT(predict.stderr_text, HasSubstr("not_found"));
}

TEST_F(CliRemoteTest, KeysCreateListUseAndRemove) {
  Login();
  CommandResult created =
      Cli({"keys", "create", "--name", "ci", "--scopes", "read,predict", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.stderr_text;
  Json key = Json::parse(created.stdout_text);
  EXPECT_EQ(key["scopes"], Json::array({"read", "predict"}));
  const std::string id = key["id"];
  EXPECT_THAT(Cli({"keys", "ls"}).stdout_text, HasSubstr(id));

  // The new key through the environment override: it reads, it is no admin.
  std::map<std::string, std::string> as_ci = {{"MODELHOST_API_KEY", key["key"]}};
  EXPECT_EQ(Cli({"models", "ls"}, as_ci).exit_code, 0);
  CommandResult refused = Cli({"keys", "ls"}, as_ci);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.stderr_text, HasSubstr("permission_denied"));
  // An upload the server refuses from its head: the server's answer, not a
  // broken send. (This server drains the refused body, so a plain send works
  // here too; the client also copes with one that closes early.)
  const fs::path large = root_ / "large.csv";
  {
    std::ofstream out(large);
    out << "a,b\n";
    for (int row = 0; row < 400'000; ++row) out << row << "," << row * 2 << "\n";
  }
  CommandResult upload = Cli({"datasets", "upload", large.string(), "--name", "large"}, as_ci);
  EXPECT_EQ(upload.exit_code, 1);
  EXPECT_THAT(upload.stderr_text, HasSubstr("permission_denied"));
  EXPECT_THAT(upload.stderr_text, Not(HasSubstr("cannot reach")));

  EXPECT_EQ(Cli({"keys", "rm", id}).exit_code, 0);
  Json keys = Json::parse(Cli({"keys", "ls", "--json"}).stdout_text);
  for (const Json& left : keys["keys"]) EXPECT_NE(left["id"], id);
  EXPECT_EQ(Cli({"models", "ls"}, as_ci).exit_code, 1);
}

TEST_F(CliRemoteTest, EnvironmentOverridesAndUnreachableServer) {
  // No login: the environment alone names the server.
  std::map<std::string, std::string> by_environment = {{"MODELHOST_URL", url_},
                                                       {"MODELHOST_API_KEY", server_->AdminKey()}};
  EXPECT_EQ(Cli({"datasets", "ls"}, by_environment).exit_code, 0);

  Login();
  const std::string unreachable = "http://127.0.0.1:1";
  CommandResult cut = Cli({"models", "ls"}, {{"MODELHOST_URL", unreachable}});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_THAT(cut.stderr_text, HasSubstr("cannot reach " + unreachable));
  CommandResult bad_key = Cli({"models", "ls"}, {{"MODELHOST_API_KEY", "mh_0_bad"}});
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_THAT(bad_key.stderr_text, HasSubstr("unauthenticated"));

  CommandResult login = Cli({"login", "--url", unreachable});
  EXPECT_EQ(login.exit_code, 1);
  EXPECT_THAT(login.stderr_text, HasSubstr("cannot reach " + unreachable));
}

TEST(CliRemoteUsageTest, UsageErrorsExitTwoOnOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"datasets"},
      {"datasets", "upload"},
      {"jobs", "create", "--target", "diabetes"},
      {"keys", "create", "--name", "x", "--scopes", "root"},
      {"models", "promote", "pima", "one"},
      {"predict", "--data", kPima},
      {"predict", "pima", "--model", "/tmp/m", "--data", kPima},
      {"predict", "--model", "/tmp/m", "--data", kPima, "--batch-size", "3"},
      {"predict", "pima", "--data", kPima, "--version", "1", "--alias", "production"},
      // Local mistakes, found before the server is asked anything.
      {"predict", "pima", "--data", "/nonexistent/rows.csv"},
      {"jobs", "create", "--spec", "/nonexistent/job.json"},
      {"jobs", "create", "--spec", kPima},  // not JSON
  };
  for (const auto& args : cases) {
    CommandResult result = RunModelhost(args, {{"MODELHOST_URL", "http://127.0.0.1:1"}});
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << result.stderr_text;
    EXPECT_EQ(std::count(result.stderr_text.begin(), result.stderr_text.end(), '\n'), 1)
        << result.stderr_text;
  }
  // No login and no MODELHOST_URL: told how to name a server.
  const std::string home = ::testing::TempDir() + "/cli_usage_home";
  CommandResult unconfigured =
      RunModelhost({"models", "ls"},
                   {{"HOME", home}, {"XDG_CONFIG_HOME", home + "/xdg"}, {"MODELHOST_URL", ""}});
  EXPECT_EQ(unconfigured.exit_code, 2) << unconfigured.stderr_text;
  EXPECT_THAT(unconfigured.stderr_text, HasSubstr("modelhost login"));
}

}  // namespace
}  // namespace modelhost::testing
