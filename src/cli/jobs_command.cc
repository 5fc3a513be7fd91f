#include "cli/jobs_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/event_stream_parser.h"
#include "cli/job_watch.h"
#include "cli/remote_session.h"
#include "cli/text_table.h"
#include "core/file_reader.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

std::string JobTarget(const std::string& id) {
  return "/v1/training-jobs/" + HttpClient::Escape(id);
}

core::Result<Json> ReadJsonFile(const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(std::string text, core::ReadFileToString(path));
  try {
    return Json::parse(text);
  } catch (const Json::exception& exception) {
    return core::InvalidArgument(path + ": " + exception.what());
  }
}

// "pima v3" once registered, "pima" before.
std::string ModelText(const Json& job) {
  const Json& model = job.value("model", Json());
  if (model.is_object()) return Cell(model, "name") + " v" + Cell(model, "version");
  const Json& spec = job.value("spec", Json());
  return Cell(spec, "register_as");
}

std::string EpochsText(const Json& job) {
  const Json& history = job.value("history", Json());
  std::string done = history.is_array() ? std::to_string(history.size()) : "0";
  const Json& spec = job.value("spec", Json());
  return done + "/" + (spec.is_object() ? Cell(spec.value("fit", Json()), "epochs") : "-");
}

// One row per epoch, one column per value the epochs hold.
std::string HistoryTable(const Json& history) {
  std::vector<std::string> names;
  for (const Json& epoch : history) {
    for (const auto& [name, value] : Member(epoch, "values").items()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  std::vector<TableColumn> columns = {{"EPOCH", Align::kRight}};
  for (const std::string& name : names) columns.push_back({name, Align::kRight});
  TextTable table(columns);
  for (const Json& epoch : history) {
    std::vector<std::string> row = {std::to_string(epoch.value("epoch", 0) + 1)};
    for (const std::string& name : names) {
      row.push_back(Cell(Member(epoch, "values"), name, /*metric=*/true));
    }
    table.AddRow(std::move(row));
  }
  return table.Render();
}

}  // namespace

JobsCommand::JobsCommand(CLI::App* app) {
  jobs_ = app->add_subcommand("jobs", "Create, follow, list and cancel the server's training jobs");
  jobs_->require_subcommand(1);

  CreateFlags& flags = create_flags_;
  create_ = jobs_->add_subcommand("create", "Start a training job");
  create_
      ->add_option("--spec", flags.spec_file,
                   "Job request JSON (dataset, target, register_as, pipeline, model, compile, "
                   "fit); flags given replace its fields")
      ->check(CLI::ExistingFile);
  create_->add_option("--dataset", flags.dataset, "Dataset id, or name (its newest dataset)");
  create_->add_option("--target", flags.target, "Column to predict");
  create_->add_option("--register-as", flags.register_as,
                      "Model the result registers a version of");
  create_->add_option("--pipeline", flags.pipeline_file, "Data pipeline spec JSON file")
      ->check(CLI::ExistingFile);
  create_->add_option("--model", flags.model_file, "Network spec JSON file (Keras Sequential)")
      ->check(CLI::ExistingFile);
  create_->add_option("--loss", flags.loss, "Keras loss name");
  create_->add_option("--optimizer", flags.optimizer, "Keras optimizer name");
  create_->add_option("--metrics", flags.metrics, "Comma-separated Keras metrics")->delimiter(',');
  create_->add_option("--epochs", flags.epochs, "Passes over the data");
  create_->add_option("--batch-size", flags.batch_size, "Rows per step");
  create_->add_option("--validation-split", flags.validation_split,
                      "Fraction held out for validation");
  create_->add_option("--test-split", flags.test_split,
                      "Fraction held out for the test evaluation");
  create_->add_option("--seed", flags.seed, "Seed of the weights and the shuffling");
  create_->add_flag("--watch", flags.watch, "Follow the job until it ends, as `jobs watch`");
  AddJsonFlag(create_, &json_);

  watch_ = jobs_->add_subcommand(
      "watch", "Follow a job's epochs live until it ends (exit 1 if it failed or was cancelled)");
  watch_->add_option("id", id_, "Job id")->required();
  AddJsonFlag(watch_, &json_);

  list_ = jobs_->add_subcommand("ls", "List the training jobs, oldest first");
  AddJsonFlag(list_, &json_);

  show_ = jobs_->add_subcommand("show", "Show a job: state, spec, per-epoch history, evaluation");
  show_->add_option("id", id_, "Job id")->required();
  AddJsonFlag(show_, &json_);

  cancel_ = jobs_->add_subcommand("cancel", "Cancel a queued or running job");
  cancel_->add_option("id", id_, "Job id")->required();
  AddJsonFlag(cancel_, &json_);
}

bool JobsCommand::parsed() const { return jobs_->parsed(); }

int JobsCommand::Run() const {
  const CLI::App* chosen = jobs_->get_subcommands().front();
  std::string command = "jobs " + chosen->get_name();
  if (chosen == create_ && create_flags_.spec_file.empty() &&
      (create_->count("--dataset") == 0 || create_->count("--target") == 0 ||
       create_->count("--register-as") == 0)) {
    return ReportUsageError(command,
                            "give --spec JOB.json, or --dataset, --target and --register-as");
  }
  std::string request;
  if (chosen == create_) {
    // A spec file that cannot be read or is no JSON object is a usage error
    // (exit 2), found before the server is asked anything.
    core::Result<std::string> built = CreateRequest();
    if (!built.ok()) return ReportUsageError(command, built.status().message());
    request = std::move(*built);
  }
  return RunRemote(command, [&](RemoteSession& remote) {
    if (chosen == create_) return Create(remote, request);
    if (chosen == watch_) return Watch(remote, id_);
    if (chosen == list_) return List(remote);
    if (chosen == show_) return Show(remote);
    return Cancel(remote);
  });
}

core::Result<std::string> JobsCommand::CreateRequest() const {
  const CreateFlags& flags = create_flags_;
  Json spec = Json::object();
  if (!flags.spec_file.empty()) {
    MODELHOST_ASSIGN_OR_RETURN(spec, ReadJsonFile(flags.spec_file));
    if (!spec.is_object()) return core::InvalidArgument(flags.spec_file + ": not a JSON object");
  }
  auto given = [&](const char* flag) { return create_->count(flag) > 0; };
  if (given("--dataset")) spec["dataset"] = flags.dataset;
  if (given("--target")) spec["target"] = flags.target;
  if (given("--register-as")) spec["register_as"] = flags.register_as;
  if (given("--pipeline")) {
    MODELHOST_ASSIGN_OR_RETURN(spec["pipeline"], ReadJsonFile(flags.pipeline_file));
  }
  if (given("--model")) {
    MODELHOST_ASSIGN_OR_RETURN(spec["model"], ReadJsonFile(flags.model_file));
  }
  if (given("--loss")) spec["compile"]["loss"] = flags.loss;
  if (given("--optimizer")) spec["compile"]["optimizer"] = flags.optimizer;
  if (given("--metrics")) spec["compile"]["metrics"] = flags.metrics;
  if (given("--epochs")) spec["fit"]["epochs"] = flags.epochs;
  if (given("--batch-size")) spec["fit"]["batch_size"] = flags.batch_size;
  if (given("--validation-split")) spec["fit"]["validation_split"] = flags.validation_split;
  if (given("--test-split")) spec["fit"]["test_split"] = flags.test_split;
  if (given("--seed")) spec["fit"]["seed"] = flags.seed;
  return spec.dump();
}

core::Status JobsCommand::Create(RemoteSession& session, const std::string& request) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("POST", "/v1/training-jobs", request));
  MODELHOST_ASSIGN_OR_RETURN(Json job, ParseJson(body, "the created job"));
  if (json_) {
    MODELHOST_RETURN_IF_ERROR(PrintJson(body));
  } else {
    const Json& spec = job.value("spec", Json());
    std::cout << "job " << Cell(job, "id") << " " << Cell(job, "state") << ": dataset "
              << Cell(job, "dataset_id") << ", target " << Cell(spec, "target") << " -> model "
              << Cell(spec, "register_as") << "\n";
  }
  std::cout << std::flush;
  if (!create_flags_.watch) return core::OkStatus();
  return Watch(session, job.at("id").get<std::string>());
}

core::Status JobsCommand::Watch(RemoteSession& session, const std::string& id) const {
  JobWatch watch(stdout, IsTerminal(stdout), json_);
  EventStreamParser parser;
  core::Status event_error;
  auto on_event = [&](const ServerSentEvent& event) {
    core::Result<bool> more = watch.OnEvent(event);
    if (!more.ok()) event_error = more.status();
    return more.ok() && *more;
  };
  MODELHOST_ASSIGN_OR_RETURN(
      HttpAnswer answer,
      session.client().GetStream(JobTarget(id) + "/events", [&](std::string_view bytes) {
        return parser.Feed(bytes, on_event);
      }));
  if (answer.status < 200 || answer.status >= 300) return ServerError(answer);
  MODELHOST_RETURN_IF_ERROR(event_error);
  return watch.Outcome();
}

core::Status JobsCommand::List(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", "/v1/training-jobs"));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json answer, ParseJson(body, "the job list"));
  TextTable table({{"ID"},
                   {"STATE"},
                   {"DATASET"},
                   {"MODEL"},
                   {"EPOCHS", Align::kRight},
                   {"CREATED"},
                   {"FINISHED"}});
  for (const Json& job : answer.value("training_jobs", Json::array())) {
    table.AddRow({Cell(job, "id"), Cell(job, "state"), Cell(job, "dataset_id"), ModelText(job),
                  EpochsText(job), Cell(job, "created_at"), Cell(job, "finished_at")});
  }
  std::cout << table.Render();
  return core::OkStatus();
}

core::Status JobsCommand::Show(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", JobTarget(id_)));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json job, ParseJson(body, "the job"));
  const Json& spec = job.value("spec", Json());
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", Cell(job, "id")},
      {"state", Cell(job, "state")},
      {"dataset", Cell(job, "dataset_id")},
      {"target", Cell(spec, "target")},
      {"model", ModelText(job)},
      {"epochs", EpochsText(job)},
      {"created", Cell(job, "created_at")},
      {"started", Cell(job, "started_at")},
      {"finished", Cell(job, "finished_at")}};
  if (job.contains("error") && !job["error"].is_null())
    fields.push_back({"error", Cell(job, "error")});
  if (job.contains("validation")) fields.push_back({"validation", MetricsText(job["validation"])});
  if (job.contains("test")) fields.push_back({"test", MetricsText(job["test"])});
  std::cout << FormatFields(fields);
  const Json& history = job.value("history", Json());
  if (history.is_array() && !history.empty()) std::cout << "\n" << HistoryTable(history);
  return core::OkStatus();
}

core::Status JobsCommand::Cancel(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("POST", JobTarget(id_) + ":cancel"));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json job, ParseJson(body, "the cancelled job"));
  std::string state = Cell(job, "state");
  std::cout << "job " << Cell(job, "id") << " "
            << (state == "cancelled" ? "cancelled" : "stopping at its next batch") << "\n";
  return core::OkStatus();
}

}  // namespace modelhost::cli
