#include "cli/data_command.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/cli_app.h"
#include "cli/table_file.h"
#include "core/atomic_file.h"
#include "core/file_reader.h"
#include "data/dataset_import.h"
#include "data/pipeline.h"
#include "data/profile.h"
#include "data/profile_json.h"
#include "data/profile_text.h"

namespace modelhost::cli {
namespace {

int Fail(const core::Status& status) {
  std::cerr << "modelhost: " << status.message() << "\n";
  return kExitRuntimeError;
}

// A CSV field for a feature or target name: quoted when it holds a comma, a
// quote or a line break (RFC 4180).
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Each float in its shortest form that reads back to the same float.
void AppendFloat(float value, std::string* out) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, end);
}

std::string FeatureMatrixCsv(const data::FeatureMatrix& matrix, const std::string& target) {
  std::string csv;
  for (size_t col = 0; col < matrix.cols; ++col) {
    if (col > 0) csv += ',';
    csv += CsvField(matrix.names[col]);
  }
  const bool with_target = !matrix.target.empty();
  if (with_target) csv += (matrix.cols > 0 ? "," : "") + CsvField(target);
  csv += '\n';
  for (size_t row = 0; row < matrix.rows; ++row) {
    for (size_t col = 0; col < matrix.cols; ++col) {
      if (col > 0) csv += ',';
      AppendFloat(matrix.values[row * matrix.cols + col], &csv);
    }
    if (with_target) {
      if (matrix.cols > 0) csv += ',';
      AppendFloat(matrix.target[row], &csv);
    }
    csv += '\n';
  }
  return csv;
}

}  // namespace

DataCommand::DataCommand(CLI::App* app) {
  data_ = app->add_subcommand("data", "Profile and transform tabular data");
  data_->require_subcommand(1);

  profile_ = data_->add_subcommand("profile", "Print per-column statistics of a file");
  profile_->add_option("file", profile_options_.file, "CSV or JSON Lines (.jsonl/.ndjson) file")
      ->required();
  profile_->add_flag("--json", profile_options_.json, "Print one JSON object instead of a table");

  import_ = data_->add_subcommand(
      "import",
      "Convert a CSV or JSON Lines file into a stored dataset (.mhd) with bounded memory");
  import_->add_option("file", import_options_.file, "CSV or JSON Lines (.jsonl/.ndjson) file")
      ->required();
  import_->add_option("--out", import_options_.out_file, "Dataset file to write (.mhd)")
      ->required();
  import_
      ->add_option("--memory-budget-mib", import_options_.memory_budget_mib,
                   "Memory the import may use, in MiB (at least 1)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  import_->add_option("--threads", import_options_.threads,
                      "CSV parsing threads [default: one per core]");

  transform_ = data_->add_subcommand(
      "transform", "Fit a pipeline on a file and write its features (and target) as CSV");
  transform_->add_option("file", transform_options_.file, "CSV or JSON Lines file")->required();
  transform_->add_option("--pipeline", transform_options_.pipeline_file, "Pipeline spec JSON")
      ->required();
  transform_->add_option("--target", transform_options_.target,
                         "Column to encode as the target (never a feature)");
  transform_
      ->add_option("--task", transform_options_.task,
                   "How the target is encoded: classification (class indices) or regression")
      ->capture_default_str();
  transform_->add_option("--out", transform_options_.out_file, "CSV file to write")->required();
  transform_->add_option("--save-fitted", transform_options_.fitted_file,
                         "Also write the fitted pipeline JSON here");
}

bool DataCommand::parsed() const { return data_->parsed(); }

int DataCommand::Run() const {
  if (profile_->parsed()) {
    core::Result<data::Table> table = ReadTableFile(profile_options_.file);
    if (!table.ok()) return Fail(table.status());
    const data::TableProfile profile = data::ProfileTable(*table);
    std::cout << (profile_options_.json ? data::ProfileToJson(profile) + "\n"
                                        : data::RenderProfileText(profile));
    return kExitOk;
  }
  if (import_->parsed()) {
    const ImportOptions& options = import_options_;
    data::ImportOptions import;
    import.memory_budget_bytes = options.memory_budget_mib << 20;
    import.threads = options.threads;
    const std::string extension = std::filesystem::path(options.file).extension().string();
    const bool json_lines = extension == ".jsonl" || extension == ".ndjson";
    core::Result<data::ImportResult> imported =
        json_lines ? data::ImportJsonLinesFile(options.file, options.out_file, {}, import)
                   : data::ImportCsvFile(options.file, options.out_file, {}, import);
    if (!imported.ok()) return Fail(imported.status());
    std::cout << imported->rows << " rows × " << imported->schema.size() << " columns in "
              << imported->chunks << " chunk(s) written to " << options.out_file << "\n";
    return kExitOk;
  }
  if (transform_->parsed()) {
    const TransformOptions& options = transform_options_;
    core::Result<data::TargetKind> kind = data::ParseTargetKind(options.task);
    if (!kind.ok()) {
      std::cerr << "modelhost: --task: " << kind.status().message()
                << " (see 'modelhost data transform --help')\n";
      return kExitUsage;
    }
    core::Result<std::string> spec = core::ReadFileToString(options.pipeline_file);
    if (!spec.ok()) return Fail(spec.status());
    core::Result<data::Pipeline> pipeline = data::Pipeline::FromJson(*spec);
    if (!pipeline.ok())
      return Fail(
          core::InvalidArgument(options.pipeline_file + ": " + pipeline.status().message()));
    core::Result<data::Table> table = ReadTableFile(options.file);
    if (!table.ok()) return Fail(table.status());
    std::optional<data::TargetSpec> target;
    if (!options.target.empty()) target = data::TargetSpec{options.target, *kind};
    core::Result<data::Pipeline::FitResult> fitted = pipeline->FitTransform(*table, target);
    if (!fitted.ok()) return Fail(fitted.status());
    core::Status written = core::WriteFileAtomically(
        options.out_file, FeatureMatrixCsv(fitted->features, options.target));
    if (!written.ok()) return Fail(written);
    if (!options.fitted_file.empty()) {
      core::Result<std::string> json = fitted->fitted.ToJson();
      if (!json.ok()) return Fail(json.status());
      written = core::WriteFileAtomically(options.fitted_file, *json + "\n");
      if (!written.ok()) return Fail(written);
    }
    std::cerr << "modelhost: " << fitted->features.rows << " rows × " << fitted->features.cols
              << " features written to " << options.out_file << "\n";
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace modelhost::cli
