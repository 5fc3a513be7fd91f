#include "cli/models_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/remote_session.h"
#include "cli/text_table.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

std::string ModelTarget(const std::string& name) {
  return "/v1/models/" + HttpClient::Escape(name);
}

std::string VersionTarget(const std::string& name, int version) {
  return ModelTarget(name) + "/versions/" + std::to_string(version);
}

// "production=2,staging=3".
std::string AliasesText(const Json& aliases) {
  if (!aliases.is_object() || aliases.empty()) return "-";
  std::string text;
  for (const auto& [alias, version] : aliases.items()) {
    if (!text.empty()) text += ",";
    text += alias + "=" + CellText(version);
  }
  return text;
}

}  // namespace

ModelsCommand::ModelsCommand(CLI::App* app) {
  models_ = app->add_subcommand("models", "List, show, promote and delete registered models");
  models_->require_subcommand(1);

  list_ = models_->add_subcommand("ls", "List the models with their latest version and aliases");
  AddJsonFlag(list_, &json_);

  show_ = models_->add_subcommand("show", "Show a model's versions, or one version's summary");
  show_->add_option("name", name_, "Model name")->required();
  show_->add_option("version", version_, "Version [default: every version]")
      ->check(CLI::PositiveNumber);
  AddJsonFlag(show_, &json_);

  promote_ = models_->add_subcommand("promote", "Point an alias at a version");
  promote_->add_option("name", name_, "Model name")->required();
  promote_->add_option("version", version_, "Version")->required()->check(CLI::PositiveNumber);
  promote_->add_option("--alias", alias_, "Alias to move")->capture_default_str();
  AddJsonFlag(promote_, &json_);

  remove_ = models_->add_subcommand("rm", "Delete a model version");
  remove_->add_option("name", name_, "Model name")->required();
  remove_->add_option("version", version_, "Version")->required()->check(CLI::PositiveNumber);
  AddJsonFlag(remove_, &json_);  // accepted for uniformity; a deletion answers no JSON
}

bool ModelsCommand::parsed() const { return models_->parsed(); }

int ModelsCommand::Run() const {
  const CLI::App* chosen = models_->get_subcommands().front();
  return RunRemote("models " + chosen->get_name(), [&](RemoteSession& remote) {
    if (chosen == list_) return List(remote);
    if (chosen == show_) return Show(remote);
    if (chosen == promote_) return Promote(remote);
    return Remove(remote);
  });
}

core::Status ModelsCommand::List(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", "/v1/models"));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json answer, ParseJson(body, "the model list"));
  TextTable table({{"NAME"}, {"LATEST", Align::kRight}, {"ALIASES"}});
  for (const Json& model : answer.value("models", Json::array())) {
    table.AddRow({Cell(model, "name"), Cell(model, "latest_version"),
                  AliasesText(Member(model, "aliases"))});
  }
  std::cout << table.Render();
  return core::OkStatus();
}

core::Status ModelsCommand::Show(RemoteSession& session) const {
  std::string target = version_ > 0 ? VersionTarget(name_, version_) : ModelTarget(name_);
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", target));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json answer, ParseJson(body, "the model"));
  if (version_ > 0) {
    const Json& summary = Member(answer, "summary");
    const Json& evaluation = Member(summary, "evaluation");
    const Json& lineage = Member(summary, "lineage");
    std::cout << FormatFields({{"model", Cell(answer, "model")},
                               {"version", Cell(answer, "version")},
                               {"aliases", Cell(answer, "aliases")},
                               {"created", Cell(answer, "created_at")},
                               {"target", Cell(Member(summary, "target"), "name")},
                               {"features", Cell(summary, "features")},
                               {"loss", Cell(summary, "loss")},
                               {"metrics", MetricsText(Member(summary, "metrics"))},
                               {"validation", MetricsText(Member(evaluation, "validation"))},
                               {"test", MetricsText(Member(evaluation, "test"))},
                               {"dataset", Cell(lineage, "dataset_id")},
                               {"job", Cell(lineage, "job_id")},
                               {"bundle_sha256", Cell(answer, "bundle_sha256")}});
    return core::OkStatus();
  }
  std::cout << FormatFields({{"name", Cell(answer, "name")},
                             {"latest", Cell(answer, "latest_version")},
                             {"aliases", AliasesText(Member(answer, "aliases"))}})
            << "\n";
  TextTable table(
      {{"VERSION", Align::kRight}, {"CREATED"}, {"ALIASES"}, {"TARGET"}, {"VALIDATION"}, {"TEST"}});
  for (const Json& version : Member(answer, "versions")) {
    const Json& summary = Member(version, "summary");
    const Json& evaluation = Member(summary, "evaluation");
    const Json& aliases = Member(version, "aliases");
    table.AddRow(
        {Cell(version, "version"), Cell(version, "created_at"),
         aliases.empty() ? "-" : CellText(aliases), Cell(Member(summary, "target"), "name"),
         MetricsText(Member(evaluation, "validation")), MetricsText(Member(evaluation, "test"))});
  }
  std::cout << table.Render();
  return core::OkStatus();
}

core::Status ModelsCommand::Promote(RemoteSession& session) const {
  std::string target = ModelTarget(name_) + "/aliases/" + HttpClient::Escape(alias_);
  MODELHOST_ASSIGN_OR_RETURN(std::string body,
                             session.Call("PUT", target, Json{{"version", version_}}.dump()));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json alias, ParseJson(body, "the alias"));
  std::cout << Cell(alias, "model") << ": " << Cell(alias, "alias") << " -> version "
            << Cell(alias, "version") << "\n";
  return core::OkStatus();
}

core::Status ModelsCommand::Remove(RemoteSession& session) const {
  MODELHOST_RETURN_IF_ERROR(session.Call("DELETE", VersionTarget(name_, version_)).status());
  if (!json_) std::cout << "deleted " << name_ << " version " << version_ << "\n";
  return core::OkStatus();
}

}  // namespace modelhost::cli
