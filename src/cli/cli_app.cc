#include "cli/cli_app.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/version.h"

namespace modelhost::cli {

int RunCli(int argc, char** argv) {
  CLI::App app{"modelhost: train, version and serve neural networks on tabular data"};
  app.require_subcommand(1);
  CLI::App* version = app.add_subcommand("version", "Print the modelhost version");
  version->callback([] { std::cout << "modelhost " << core::ModelhostVersion() << "\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  return kExitOk;
}

}  // namespace modelhost::cli
