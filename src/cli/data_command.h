// `modelhost data …`: the data-processing engine from the command line.
//
//   data profile FILE [--json]
//       per-column statistics (data/profile.h) as a table, or one JSON object
//   data import FILE.csv --out DATASET.mhd [--memory-budget-mib N] [--threads N]
//       converts a CSV file (of any size) into a stored dataset with bounded
//       memory (data/dataset_import.h), read back by every command that takes
//       a FILE when its name ends in .mhd
//   data transform FILE --pipeline P.json [--target COL [--task classification|regression]]
//                  --out OUT.csv [--save-fitted FITTED.json]
//       fits the pipeline on FILE and writes its feature matrix (and encoded
//       target) as CSV; --save-fitted writes the fitted pipeline beside it
//
// FILE is CSV, JSON Lines (.jsonl/.ndjson) or a stored dataset (.mhd)
// (table_file.h).
// Exit codes as cli_app.h: 1 with one line on stderr when the data, the
// pipeline or a file fails.
//
// Thread-safety: constructed and run once, from main.

#ifndef MODELHOST_CLI_DATA_COMMAND_H_
#define MODELHOST_CLI_DATA_COMMAND_H_

#include <cstddef>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace modelhost::cli {

class DataCommand {
 public:
  // Adds `data` and its subcommands to `app`, which must outlive this object.
  explicit DataCommand(CLI::App* app);

  // Whether argv named `data` (after CLI::App::parse).
  bool parsed() const;
  // Runs the subcommand argv named; returns the exit code.
  int Run() const;

 private:
  struct ProfileOptions {
    std::string file;
    bool json = false;
  };
  struct ImportOptions {
    std::string file;
    std::string out_file;
    size_t memory_budget_mib = 256;
    size_t threads = 0;
  };
  struct TransformOptions {
    std::string file;
    std::string pipeline_file;
    std::string target;
    std::string task = "classification";
    std::string out_file;
    std::string fitted_file;
  };

  CLI::App* data_ = nullptr;
  CLI::App* profile_ = nullptr;
  CLI::App* transform_ = nullptr;
  CLI::App* import_ = nullptr;
  ProfileOptions profile_options_;
  ImportOptions import_options_;
  TransformOptions transform_options_;
};

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_DATA_COMMAND_H_
