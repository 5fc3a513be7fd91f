// Runs the real `modelhost train`, `evaluate` and `predict` on the test
// datasets and checks the model directory, determinism, the output formats
// and the error messages from outside.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server_process.h"

namespace modelhost::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

const std::string kPima = std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes.csv";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

class TrainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(::testing::TempDir()) /
        ("train_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  CommandResult TrainPima(const std::string& out, std::vector<std::string> extra = {},
                          const std::string& seed = "7") {
    std::vector<std::string> args = {"train",    "--data",   kPima, "--target",
                                     "diabetes", "--epochs", "3"};
    args.insert(args.end(), {"--seed", seed, "--out", (root_ / out).string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return RunModelhost(args);
  }

  fs::path root_;
};

TEST_F(TrainTest, WritesTheModelDirectoryWithOneLinePerEpoch) {
  CommandResult result =
      TrainPima("model", {"--validation-split", "0.2", "--metrics", "accuracy,auc"});
  ASSERT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_TRUE(fs::exists(root_ / "model" / "network.json"));
  EXPECT_TRUE(fs::exists(root_ / "model" / "weights.safetensors"));
  EXPECT_TRUE(fs::exists(root_ / "model" / "model.json"));
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1);

  // Not a terminal: exactly one plain line per epoch, then where the model went.
  std::vector<std::string> lines = Lines(result.stdout_text);
  ASSERT_EQ(lines.size(), 4u) << result.stdout_text;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    EXPECT_THAT(lines[epoch - 1],
                MatchesRegex("epoch " + std::to_string(epoch) +
                             "/3 loss=[0-9.]+ accuracy=[0-9.]+ auc=[0-9.]+ val_loss=[0-9.]+ "
                             "val_accuracy=[0-9.]+ val_auc=[0-9.]+"));
  }
  EXPECT_EQ(result.stdout_text.find('\r'), std::string::npos);

  auto model = nlohmann::json::parse(ReadWholeFile(root_ / "model" / "model.json"));
  EXPECT_EQ(model["format_version"], 2);
  EXPECT_EQ(model["pipeline"], false);
  EXPECT_EQ(model["target"]["name"], "diabetes");
  EXPECT_EQ(model["target"]["labels"], nlohmann::json::array({"0", "1"}));
  EXPECT_EQ(model["loss"], "binary_crossentropy");
  EXPECT_EQ(model["input_schema"]["features"].size(), 8u);
  EXPECT_EQ(model["training"]["history"].size(), 3u);
  EXPECT_EQ(model["training"]["seed"], 7);
  EXPECT_EQ(model["training"]["data_sha256"].get<std::string>().size(), 64u);
}

TEST_F(TrainTest, SameSeedGivesByteIdenticalWeights) {
  ASSERT_EQ(TrainPima("a").exit_code, 0);
  ASSERT_EQ(TrainPima("b").exit_code, 0);
  std::string a = ReadWholeFile(root_ / "a" / "weights.safetensors");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, ReadWholeFile(root_ / "b" / "weights.safetensors"));
  ASSERT_EQ(TrainPima("c", {}, "8").exit_code, 0);
  EXPECT_NE(a, ReadWholeFile(root_ / "c" / "weights.safetensors"));
}

TEST_F(TrainTest, EvaluateAndPredictUseTheModel) {
  ASSERT_EQ(TrainPima("model").exit_code, 0);
  const std::string model = (root_ / "model").string();

  CommandResult table = RunModelhost({"evaluate", "--model", model, "--data", kPima});
  ASSERT_EQ(table.exit_code, 0) << table.stderr_text;
  EXPECT_THAT(table.stdout_text, MatchesRegex("metric +value\nloss +[0-9.]+\naccuracy +[0-9.]+\n"));
  CommandResult json = RunModelhost({"evaluate", "--model", model, "--data", kPima, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.stderr_text;
  auto values = nlohmann::json::parse(json.stdout_text);
  EXPECT_TRUE(values["loss"].is_number());
  EXPECT_GE(values["accuracy"].get<double>(), 0.0);

  CommandResult first = RunModelhost({"predict", "--model", model, "--data", kPima});
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  std::vector<std::string> rows = Lines(first.stdout_text);
  ASSERT_EQ(rows.size(), 769u);
  EXPECT_EQ(rows[0], "probability,label");
  EXPECT_THAT(rows[1], MatchesRegex("[0-9.e-]+,[01]"));

  const std::string out = (root_ / "predictions.csv").string();
  CommandResult second = RunModelhost({"predict", "--model", model, "--data", kPima, "--out", out});
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(ReadWholeFile(out), first.stdout_text);  // the same text, so the same floats
}

TEST_F(TrainTest, CategoricalFeatureOrUnknownTargetIsAnError) {
  const fs::path data = root_ / "colors.csv";
  std::ofstream(data) << "size,color,label\n1,red,0\n2,blue,1\n3,red,1\n";
  CommandResult categorical = RunModelhost(
      {"train", "--data", data.string(), "--target", "label", "--out", (root_ / "m").string()});
  EXPECT_EQ(categorical.exit_code, 1);
  EXPECT_THAT(categorical.stderr_text, HasSubstr("'color' is categorical"));
  EXPECT_FALSE(fs::exists(root_ / "m"));

  CommandResult unknown = RunModelhost(
      {"train", "--data", kPima, "--target", "outcome", "--out", (root_ / "m").string()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.stderr_text, HasSubstr("'outcome'"));
  EXPECT_FALSE(fs::exists(root_ / "m"));

  CommandResult missing = RunModelhost(
      {"train", "--data", std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes_na.csv",
       "--target", "diabetes", "--out", (root_ / "m").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.stderr_text, HasSubstr("missing value"));

  CommandResult bad_loss = TrainPima("m", {"--loss", "hinge_of_doom"});
  EXPECT_EQ(bad_loss.exit_code, 2);
}

// The Adult slice has categorical features and missing values ("?"): the
// pipeline imputes, one-hot encodes and standardizes them, travels in the
// model, and runs again on whatever evaluate and predict are given.
TEST_F(TrainTest, APipelinePreparesCategoricalAndMissingFeatures) {
  const std::string cases = std::string(MODELHOST_TEST_DATA) + "/../cases/adult_onehot_standardize";
  const std::string model = (root_ / "adult").string();
  CommandResult trained =
      RunModelhost({"train", "--data", cases + "/input.csv", "--target", "income", "--pipeline",
                    cases + "/pipeline.json", "--epochs", "5", "--seed", "3", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.stderr_text;
  EXPECT_TRUE(fs::exists(fs::path(model) / "pipeline.json"));
  auto description = nlohmann::json::parse(ReadWholeFile(fs::path(model) / "model.json"));
  EXPECT_EQ(description["pipeline"], true);
  EXPECT_GT(description["input_schema"]["features"].size(), 14u);  // one-hot widened it
  EXPECT_EQ(description["target"]["labels"], nlohmann::json::array({"<=50K", ">50K"}));

  CommandResult evaluated =
      RunModelhost({"evaluate", "--model", model, "--data", cases + "/input.csv", "--json"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.stderr_text;
  EXPECT_TRUE(nlohmann::json::parse(evaluated.stdout_text).contains("accuracy"));

  // Two raw rows, one with a category training never saw ("ignore": all zeros).
  const fs::path rows = root_ / "rows.csv";
  std::ofstream(rows) << Lines(ReadWholeFile(cases + "/input.csv"))[0] << "\n"
                      << "39,Martian,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,"
                         "White,Male,2174,0,40,United-States,<=50K\n"
                      << Lines(ReadWholeFile(cases + "/input.csv"))[1] << "\n";
  CommandResult predicted = RunModelhost({"predict", "--model", model, "--data", rows.string()});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.stderr_text;
  auto lines = Lines(predicted.stdout_text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "probability,label");

  const fs::path typo = root_ / "typo.json";
  std::ofstream(typo) << R"({"steps": [{"op": "standardise", "columns": "numeric"}]})";
  CommandResult bad =
      RunModelhost({"train", "--data", cases + "/input.csv", "--target", "income", "--pipeline",
                    typo.string(), "--out", (root_ / "bad").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.stderr_text, HasSubstr("typo.json: pipeline step 1"));
  EXPECT_THAT(bad.stderr_text, HasSubstr("standardise"));
  EXPECT_FALSE(fs::exists(root_ / "bad"));
}

TEST_F(TrainTest, JsonLinesAndRegressionAndMultiClass) {
  const fs::path data = root_ / "animals.jsonl";
  {
    std::ofstream out(data);
    for (int row = 0; row < 30; ++row) {
      const char* kind = row % 3 == 0 ? "cat" : (row % 3 == 1 ? "dog" : "emu");
      out << "{\"weight\": " << row % 3 << ".5, \"legs\": " << (row % 3 == 2 ? 2 : 4)
          << ", \"kind\": \"" << kind << "\"}\n";
    }
  }
  const std::string model = (root_ / "animals").string();
  CommandResult trained = RunModelhost(
      {"train", "--data", data.string(), "--target", "kind", "--epochs", "2", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.stderr_text;
  CommandResult predicted = RunModelhost({"predict", "--model", model, "--data", data.string()});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.stderr_text;
  EXPECT_EQ(Lines(predicted.stdout_text)[0],
            "probability_cat,probability_dog,probability_emu,label");

  const std::string regression = (root_ / "progression").string();
  CommandResult numeric = RunModelhost(
      {"train", "--data", std::string(MODELHOST_TEST_DATA) + "/diabetes_progression.csv",
       "--target", "progression", "--epochs", "2", "--out", regression});
  ASSERT_EQ(numeric.exit_code, 0) << numeric.stderr_text;
  EXPECT_THAT(numeric.stdout_text, HasSubstr("mae="));
  auto model_json = nlohmann::json::parse(ReadWholeFile(fs::path(regression) / "model.json"));
  EXPECT_EQ(model_json["loss"], "mean_squared_error");
}

TEST_F(TrainTest, SigintCancelsWithoutWritingTheModel) {
  const fs::path out = root_ / "model";
  const fs::path stderr_path = root_ / "stderr.txt";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, STDERR_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::string epochs = "1000000", out_text = out.string();
    const char* argv[] = {MODELHOST_BINARY, "train",          "--data",   kPima.c_str(),
                          "--target",       "diabetes",       "--epochs", epochs.c_str(),
                          "--out",          out_text.c_str(), nullptr};
    ::execv(MODELHOST_BINARY, const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  bool signalled = false;
  char buffer[4096];
  pollfd readable{pipe_fds[0], POLLIN, 0};
  while (::poll(&readable, 1, 30'000) > 0) {
    ssize_t got = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;
    output.append(buffer, static_cast<size_t>(got));
    if (!signalled && output.find("epoch 2/") != std::string::npos) {
      ::kill(pid, SIGINT);
      signalled = true;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(signalled) << output;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(ReadWholeFile(stderr_path), HasSubstr("cancelled"));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1)
      << "only stderr.txt: no temporary directory is left";
}

}  // namespace
}  // namespace modelhost::testing
