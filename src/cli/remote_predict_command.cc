#include "cli/remote_predict_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/remote_session.h"
#include "cli/table_file.h"
#include "core/atomic_file.h"
#include "data/csv_reader.h"
#include "data/jsonl_reader.h"
#include "data/table_export.h"

namespace modelhost::cli {
namespace {

// Keeps the server's key order, so the class columns come in the order the
// server lists a prediction's probabilities.
using OrderedJson = nlohmann::ordered_json;

bool IsJsonLinesFormat(std::string_view format) { return format == "jsonl" || format == "ndjson"; }

core::Result<data::ReadResult> ReadStdin(const std::string& format) {
  std::string content(std::istreambuf_iterator<char>(std::cin), {});
  size_t first = content.find_first_not_of(" \t\r\n");
  bool json_lines = format.empty() ? first != std::string::npos && content[first] == '{'
                                   : IsJsonLinesFormat(format);
  return json_lines ? data::ReadJsonLinesBuffer(content, "stdin")
                    : data::ReadCsvBuffer(content, "stdin");
}

// The rows to predict: FILE as table_file.h reads it (or as --format says),
// or stdin for "-".
core::Result<data::Table> ReadInput(const std::string& path, const std::string& format) {
  if (path != "-" && format.empty()) return ReadTableFile(path);
  core::Result<data::ReadResult> read = path == "-"                 ? ReadStdin(format)
                                        : IsJsonLinesFormat(format) ? data::ReadJsonLinesFile(path)
                                                                    : data::ReadCsvFile(path);
  if (!read.ok()) return read.status();
  return std::move(read).value().table;
}

// Where the predictions go: stdout as they come, or a file replaced
// atomically once all are written.
class PredictionOutput {
 public:
  static core::Result<PredictionOutput> Open(const std::string& out_file) {
    PredictionOutput output;
    if (!out_file.empty()) {
      MODELHOST_ASSIGN_OR_RETURN(output.file_, core::AtomicFileWriter::Create(out_file));
    }
    return output;
  }
  core::Status Write(std::string_view text) {
    if (file_) return file_->Append(text);
    std::cout << text;
    return core::OkStatus();
  }
  core::Status Finish() {
    if (file_) return file_->Commit();
    std::cout << std::flush;
    return core::OkStatus();
  }

 private:
  std::unique_ptr<core::AtomicFileWriter> file_;
};

std::string LabelField(const OrderedJson& label) {
  if (!label.is_string()) return label.dump();
  std::string field;
  data::AppendCsvField(label.get<std::string>(), &field);
  return field;
}

// The CSV columns of predictions shaped as `first`, as model/predictions.h
// names them; `classes` gets the class names in the server's order.
std::string CsvHeader(const OrderedJson& first, std::vector<std::string>* classes) {
  if (first.contains("probability")) return "probability,label\n";
  if (!first.contains("probabilities")) return "prediction\n";
  std::string header;
  for (const auto& [name, probability] : first.at("probabilities").items()) {
    classes->push_back(name);
    data::AppendCsvField("probability_" + name, &header);
    header += ",";
  }
  return header + "label\n";
}

void AppendCsvLine(const OrderedJson& prediction, const std::vector<std::string>& classes,
                   std::string* out) {
  if (prediction.contains("probability")) {
    *out += prediction.at("probability").dump() + "," + LabelField(prediction.at("label"));
  } else if (prediction.contains("probabilities")) {
    for (const std::string& name : classes) {
      *out += prediction.at("probabilities").at(name).dump() + ",";
    }
    *out += LabelField(prediction.at("label"));
  } else {
    *out += prediction.at("prediction").dump();
  }
  *out += "\n";
}

}  // namespace

RemotePredictCommand::RemotePredictCommand(CLI::App* predict, const std::string* data_file,
                                           const std::string* out_file)
    : data_file_(data_file), out_file_(out_file) {
  predict->add_option("name", model_, "Model NAME on the server (remote; see above)");
  remote_options_ = {
      predict->add_option("--version", version_, "Remote: predict with this version")
          ->check(CLI::PositiveNumber),
      predict->add_option("--alias", alias_,
                          "Remote: predict with the version the alias points at"),
      predict->add_option("--batch-size", batch_size_, "Remote: rows per request")
          ->check(CLI::Range(1, 1 << 20))
          ->capture_default_str(),
      predict
          ->add_option("--format", format_,
                       "Remote: input format [default: by extension; for '-', jsonl when it "
                       "starts with '{', else csv]")
          ->check(CLI::IsMember({"csv", "jsonl", "ndjson"})),
      predict->add_option("--output", output_, "Remote: csv, or jsonl (a prediction per line)")
          ->check(CLI::IsMember({"csv", "jsonl"}))
          ->capture_default_str(),
      predict->add_flag("--json", json_,
                        "Remote: print one JSON answer {model, model_version, predictions}")};
  remote_options_.front()->excludes(remote_options_[1]);
}

std::vector<std::string> RemotePredictCommand::RemoteFlagsGiven() const {
  std::vector<std::string> given;
  for (const CLI::Option* option : remote_options_) {
    if (option->count() > 0) given.push_back(option->get_name());
  }
  return given;
}

int RemotePredictCommand::Run() const {
  // An input file that cannot be read is a usage error (exit 2), found
  // before the server is asked anything.
  core::Result<data::Table> table = ReadInput(*data_file_, format_);
  if (!table.ok()) return ReportUsageError("predict", table.status().message());
  return RunRemote("predict", [&](RemoteSession& session) { return Predict(session, *table); });
}

core::Status RemotePredictCommand::Predict(RemoteSession& session, const data::Table& table) const {
  MODELHOST_ASSIGN_OR_RETURN(PredictionOutput output, PredictionOutput::Open(*out_file_));
  const std::string model_target = "/v1/models/" + HttpClient::Escape(model_);
  std::string target = model_target;
  if (version_ > 0) target += "/versions/" + std::to_string(version_);
  if (!alias_.empty()) target += "/aliases/" + HttpClient::Escape(alias_);
  target += ":predict";

  OrderedJson merged = {
      {"model", model_}, {"model_version", nullptr}, {"predictions", OrderedJson::array()}};
  std::vector<std::string> classes;
  const size_t rows = table.num_rows();
  for (size_t begin = 0; begin < rows; begin += batch_size_) {
    size_t end = std::min(rows, begin + batch_size_);
    std::string where = "rows " + std::to_string(begin + 1) + "-" + std::to_string(end);
    std::string request = R"({"instances":[)";
    data::AppendJsonRows(table, begin, end, ",", &request);
    request += "]}";
    core::Result<std::string> body = session.Call("POST", target, request);
    if (!body.ok()) return body.status().WithContext(where);
    OrderedJson answer = OrderedJson::parse(*body);
    const OrderedJson& predictions = answer.at("predictions");
    if (predictions.size() != end - begin) {
      return core::Internal(where + ": the server answered " + std::to_string(predictions.size()) +
                            " predictions");
    }
    if (begin == 0) {
      // Pin the version that answered, so an alias moved meanwhile does not
      // mix two versions' predictions.
      merged["model_version"] = answer.at("model_version");
      target = model_target + "/versions/" + answer.at("model_version").dump() + ":predict";
    }
    std::string text;
    for (const OrderedJson& prediction : predictions) {
      if (json_) {
        merged["predictions"].push_back(prediction);
      } else if (output_ == "jsonl") {
        text += prediction.dump() + "\n";
      } else {
        if (begin == 0 && &prediction == &predictions.front())
          text += CsvHeader(prediction, &classes);
        AppendCsvLine(prediction, classes, &text);
      }
    }
    MODELHOST_RETURN_IF_ERROR(output.Write(text));
  }
  if (json_) {
    MODELHOST_RETURN_IF_ERROR(output.Write(merged.dump() + "\n"));
  }
  return output.Finish();
}

}  // namespace modelhost::cli
