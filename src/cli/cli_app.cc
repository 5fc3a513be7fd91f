#include "cli/cli_app.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <optional>

#include "cli/serve_command.h"
#include "core/settings.h"
#include "core/version.h"

namespace modelhost::cli {
namespace {

// Flags of one command bound to the keys of a SettingsSchema. CLI11 only
// collects the raw text; core::ApplySettings parses every layer the same way.
class SettingsFlags {
 public:
  SettingsFlags(CLI::App* command, const core::SettingsSchema& schema) {
    for (const auto& setting : schema.settings()) {
      std::string help = setting.help + " [env " +
                         core::SettingsSchema::EnvironmentName(setting.key) + ", default " +
                         setting.default_text + "]";
      options_[setting.key] = command->add_option(core::SettingsSchema::FlagName(setting.key),
                                                  values_[setting.key], help);
    }
    command->add_option("--config", config_file_,
                        "JSON file of settings (keys as in the flags, with '_' for '-') "
                        "[env MODELHOST_CONFIG]");
  }

  core::SettingsSources Sources() const {
    core::SettingsSources sources;
    sources.environment = core::ProcessEnvironment();
    for (const auto& [key, option] : options_) {
      if (option->count() > 0) sources.flags.emplace(key, values_.at(key));
    }
    if (!config_file_.empty()) {
      sources.config_file = config_file_;
    } else if (auto variable = sources.environment.find("MODELHOST_CONFIG");
               variable != sources.environment.end() && !variable->second.empty()) {
      sources.config_file = variable->second;
    }
    return sources;
  }

 private:
  std::map<std::string, std::string> values_;  // node-based: CLI11 keeps references
  std::map<std::string, CLI::Option*> options_;
  std::string config_file_;
};

void PrintUsageError(const std::string& message, const std::string& command) {
  std::string help = command.empty() ? "modelhost --help" : "modelhost " + command + " --help";
  std::cerr << "modelhost: " << message << " (see '" << help << "')\n";
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"modelhost: train, version and serve neural networks on tabular data"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");

  app.add_subcommand("version", "Print the modelhost version");

  ServeOptions serve_options;
  core::SettingsSchema serve_schema = ServeSettings(&serve_options);
  CLI::App* serve = app.add_subcommand("serve", "Serve the HTTP API until SIGINT/SIGTERM");
  SettingsFlags serve_flags(serve, serve_schema);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::string command = app.get_subcommands().empty() ? "" : app.get_subcommands()[0]->get_name();
    std::string message = error.what();
    // CLI11 reports `modelhost frobnicate` as a missing subcommand; name the word instead.
    if (command.empty() && argc > 1 && argv[1][0] != '-') {
      message = "unknown command '" + std::string(argv[1]) + "'";
    }
    PrintUsageError(message, command);
    return kExitUsage;
  }

  if (app.got_subcommand("version")) {
    std::cout << core::kProductName << " " << core::ModelhostVersion() << "\n";
    return kExitOk;
  }
  if (serve->parsed()) {
    core::Status status = core::ApplySettings(serve_schema, serve_flags.Sources());
    if (!status.ok()) {
      PrintUsageError(status.message(), "serve");
      return kExitUsage;
    }
    return RunServe(serve_options);
  }
  return kExitUsage;
}

}  // namespace modelhost::cli
