#include "cli/datasets_command.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/remote_session.h"
#include "cli/text_table.h"
#include "cli/transfer_progress.h"

namespace modelhost::cli {
namespace {

using Json = nlohmann::json;

bool IsJsonLines(std::string_view format_or_extension) {
  return format_or_extension == "jsonl" || format_or_extension == "ndjson" ||
         format_or_extension == "jsonlines" || format_or_extension == ".jsonl" ||
         format_or_extension == ".ndjson";
}

std::string DatasetTarget(const std::string& id) {
  return "/v1/datasets/" + HttpClient::Escape(id);
}

// "upload (csv, 0 bad rows)", "transform of ds_…", "split of ds_… (train)".
std::string LineageText(const Json& lineage) {
  if (!lineage.is_object()) return "-";
  std::string source = lineage.value("source", "");
  if (source == "upload") {
    return "upload (" + lineage.value("format", "?") + ", " +
           std::to_string(lineage.value("bad_rows", 0)) + " bad rows)";
  }
  std::string text = source + " of " + lineage.value("parent", "?");
  if (lineage.contains("part")) text += " (" + Cell(lineage, "part") + ")";
  return text;
}

std::string Size(const Json& dataset) { return FormatBytes(dataset.value("bytes", uint64_t{0})); }

size_t ColumnCount(const Json& dataset) {
  const Json& schema = dataset.value("schema", Json());
  return schema.is_array() ? schema.size() : 0;
}

// A profile statistic: whole numbers as integers, others with 4 decimals,
// empty when the column has none.
std::string StatisticText(const Json& value) {
  if (!value.is_number()) return "";
  double number = value.get<double>();
  char text[32];
  std::snprintf(text, sizeof(text), number == std::trunc(number) ? "%.0f" : "%.4f", number);
  return text;
}

// The per-column table of a dataset's profile (its schema when it has none).
std::string ColumnsTable(const Json& dataset) {
  TextTable table({{"COLUMN"},
                   {"TYPE"},
                   {"MISSING", Align::kRight},
                   {"DISTINCT", Align::kRight},
                   {"MIN", Align::kRight},
                   {"MEAN", Align::kRight},
                   {"MAX", Align::kRight},
                   {"TOP"}});
  const Json& profile = dataset.value("profile", Json());
  if (!profile.is_object()) {
    for (const Json& column : dataset.value("schema", Json::array())) {
      table.AddRow({Cell(column, "name"), Cell(column, "type"), "", "", "", "", "", ""});
    }
    return table.Render();
  }
  for (const Json& column : profile.value("columns", Json::array())) {
    std::string top;
    for (const Json& category : column.value("top_categories", Json::array())) {
      if (!top.empty()) top += " ";
      top += Cell(category, "value") + "(" + Cell(category, "count") + ")";
    }
    if (column.contains("true_count")) top = "true(" + Cell(column, "true_count") + ")";
    auto stat = [&](const char* key) { return StatisticText(Member(column, key)); };
    table.AddRow({Cell(column, "name"), Cell(column, "type"), Cell(column, "missing_count"),
                  Cell(column, "distinct_count"), stat("min"), stat("mean"), stat("max"), top});
  }
  return table.Render();
}

}  // namespace

DatasetsCommand::DatasetsCommand(CLI::App* app) {
  datasets_ =
      app->add_subcommand("datasets", "Upload, list, show and delete the server's datasets");
  datasets_->require_subcommand(1);

  upload_ = datasets_->add_subcommand("upload", "Upload a CSV or JSON Lines file (streamed)");
  upload_->add_option("file", file_, "The file")->required()->check(CLI::ExistingFile);
  upload_->add_option("--name", name_, "Dataset name [default: the file name without extension]");
  upload_->add_option("--format", format_, "File format [default: by extension, else csv]")
      ->check(CLI::IsMember({"csv", "jsonl", "ndjson"}));
  upload_->add_option("--on-error", on_error_, "A bad row fails the upload, or is skipped")
      ->check(CLI::IsMember({"fail", "skip"}));
  AddJsonFlag(upload_, &json_);

  list_ = datasets_->add_subcommand("ls", "List the datasets");
  AddJsonFlag(list_, &json_);

  show_ = datasets_->add_subcommand("show", "Show a dataset's schema, profile and lineage");
  show_->add_option("id", id_, "Dataset id")->required();
  AddJsonFlag(show_, &json_);

  remove_ = datasets_->add_subcommand("rm", "Delete a dataset");
  remove_->add_option("id", id_, "Dataset id")->required();
  AddJsonFlag(remove_, &json_);  // accepted for uniformity; a deletion answers no JSON
}

bool DatasetsCommand::parsed() const { return datasets_->parsed(); }

int DatasetsCommand::Run() const {
  const CLI::App* chosen = datasets_->get_subcommands().front();
  return RunRemote("datasets " + chosen->get_name(), [&](RemoteSession& remote) {
    if (chosen == upload_) return Upload(remote);
    if (chosen == list_) return List(remote);
    if (chosen == show_) return Show(remote);
    return Remove(remote);
  });
}

core::Status DatasetsCommand::Upload(RemoteSession& session) const {
  std::filesystem::path path(file_);
  std::string name = name_.empty() ? path.stem().string() : name_;
  std::string format = format_.empty() ? path.extension().string() : format_;
  std::string target = "/v1/datasets?name=" + HttpClient::Escape(name);
  if (!format_.empty()) target += "&format=" + format_;
  if (!on_error_.empty()) target += "&on_error=" + on_error_;
  std::string content_type = IsJsonLines(format) ? "application/x-ndjson" : "text/csv";

  TransferProgress progress(stderr, IsTerminal(stderr), path.filename().string());
  MODELHOST_ASSIGN_OR_RETURN(
      HttpAnswer answer,
      session.client().PostFile(target, file_, content_type, [&](uint64_t sent, uint64_t total) {
        progress.Update(sent, total);
      }));
  progress.Finish();
  if (answer.status < 200 || answer.status >= 300) return ServerError(answer);
  if (json_) return PrintJson(answer.body);
  MODELHOST_ASSIGN_OR_RETURN(Json dataset, ParseJson(answer.body, "the upload's answer"));
  std::cout << "uploaded " << dataset.value("name", name) << " as " << dataset.value("id", "?")
            << ": " << dataset.value("rows", 0) << " rows, " << ColumnCount(dataset) << " columns, "
            << Size(dataset) << "\n";
  return core::OkStatus();
}

core::Status DatasetsCommand::List(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", "/v1/datasets"));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json answer, ParseJson(body, "the dataset list"));
  TextTable table({{"ID"},
                   {"NAME"},
                   {"ROWS", Align::kRight},
                   {"COLUMNS", Align::kRight},
                   {"SIZE", Align::kRight},
                   {"CREATED"},
                   {"SOURCE"}});
  for (const Json& dataset : answer.value("datasets", Json::array())) {
    table.AddRow({Cell(dataset, "id"), Cell(dataset, "name"), Cell(dataset, "rows"),
                  std::to_string(ColumnCount(dataset)), Size(dataset), Cell(dataset, "created_at"),
                  LineageText(dataset.value("lineage", Json()))});
  }
  std::cout << table.Render();
  return core::OkStatus();
}

core::Status DatasetsCommand::Show(RemoteSession& session) const {
  MODELHOST_ASSIGN_OR_RETURN(std::string body, session.Call("GET", DatasetTarget(id_)));
  if (json_) return PrintJson(body);
  MODELHOST_ASSIGN_OR_RETURN(Json dataset, ParseJson(body, "the dataset"));
  std::cout << FormatFields({{"id", Cell(dataset, "id")},
                             {"name", Cell(dataset, "name")},
                             {"rows", Cell(dataset, "rows")},
                             {"size", Size(dataset)},
                             {"created", Cell(dataset, "created_at")},
                             {"sha256", Cell(dataset, "sha256")},
                             {"lineage", LineageText(dataset.value("lineage", Json()))}})
            << "\n"
            << ColumnsTable(dataset);
  return core::OkStatus();
}

core::Status DatasetsCommand::Remove(RemoteSession& session) const {
  MODELHOST_RETURN_IF_ERROR(session.Call("DELETE", DatasetTarget(id_)).status());
  if (!json_) std::cout << "deleted dataset " << id_ << "\n";
  return core::OkStatus();
}

}  // namespace modelhost::cli
