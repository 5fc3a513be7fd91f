#include "cli/keys_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/remote_session.h"
#include "cli/text_table.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

}  // namespace

KeysCommand::KeysCommand(CLI::App* app) {
  keys_ = app->add_subcommand("keys", "Create, list and delete API keys (admin scope)");
  keys_->require_subcommand(1);

  create_ = keys_->add_subcommand("create", "Create an API key and print it (shown once)");
  create_->add_option("--name", name_, "What the key is for")->required();
  create_->add_option("--scopes", scopes_, "Comma-separated: read, predict, write, admin")
      ->required()
      ->delimiter(',')
      ->check(CLI::IsMember({"read", "predict", "write", "admin"}));
  AddJsonFlag(create_, &json_);

  list_ = keys_->add_subcommand("ls", "List the API keys (without their text)");
  AddJsonFlag(list_, &json_);

  remove_ = keys_->add_subcommand("rm", "Delete an API key");
  remove_->add_option("id", id_, "Key id")->required();
  AddJsonFlag(remove_, &json_);  // accepted for uniformity; a deletion answers no JSON
}

bool KeysCommand::parsed() const { return keys_->parsed(); }

int KeysCommand::Run() const {
  const CLI::App* chosen = keys_->get_subcommands().front();
  return RunRemote("keys " + chosen->get_name(), [&](RemoteSession& remote) {
    if (chosen == create_) return Create(remote);
    if (chosen == list_) return List(remote);
    return Remove(remote);
  });
}

core::Status KeysCommand::Create(RemoteSession& session) const {
  std::string request = Json{{"name", name_}, {"scopes", scopes_}}.dump();
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("POST", "/v1/keys", request));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json key, ParseJson(body, "the created key"));
  std::cout << FormatFields({{"id", Cell(key, "id")},
                             {"name", Cell(key, "name")},
                             {"scopes", Cell(key, "scopes")},
                             {"key", Cell(key, "key")}})
            << "The key is shown this once; the server keeps only its hash.\n";
  return core::OkStatus();
}

core::Status KeysCommand::List(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", "/v1/keys"));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json answer, ParseJson(body, "the key list"));
  TextTable table({{"ID"}, {"NAME"}, {"SCOPES"}, {"CREATED"}});
  for (const Json& key : Member(answer, "keys")) {
    table.AddRow(
        {Cell(key, "id"), Cell(key, "name"), Cell(key, "scopes"), Cell(key, "created_at")});
  }
  std::cout << table.Render();
  return core::OkStatus();
}

core::Status KeysCommand::Remove(RemoteSession& session) const {
  MODELHOST_RETURN_IF_ERROR(session.Call("DELETE", "/v1/keys/" + HttpClient::Escape(id_)).status());
  if (!json_) std::cout << "deleted key " << id_ << "\n";
  return core::OkStatus();
}

}  // namespace modelhost::cli
