// Settings: named configuration values bound to the fields of an Options
// struct, filled from four layers with the precedence
//
//     command-line flags  >  environment (MODELHOST_<KEY>)  >  config file  >  defaults
//
// A setting has one key in snake_case ("data_dir"); it appears as the flag
// `--data-dir`, the environment variable `MODELHOST_DATA_DIR` and the config
// file key "data_dir". Defaults are whatever the bound fields hold before
// ApplySettings runs, so an Options struct documents them in one place.
//
// The config file is a JSON object of key → string | number | boolean. Every
// layer's text goes through the same per-setting parser, so "--port abc",
// MODELHOST_PORT=abc and {"port": "abc"} fail with the same reason, prefixed
// by where the value came from.
//
// Thread-safety: a SettingsSchema is built and applied on one thread (startup).

#ifndef MODELHOST_CORE_SETTINGS_H_
#define MODELHOST_CORE_SETTINGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace modelhost::core {

class SettingsSchema {
 public:
  // Parses `text` and stores the value in the bound field, or returns
  // InvalidArgument saying why the text is not acceptable (without the key).
  using Setter = std::function<Status(std::string_view text)>;

  struct Setting {
    std::string key;
    std::string help;
    std::string default_text;  // the bound field's value when the setting was added
    Setter set;
  };

  // Each Add* binds `key` to `*target`, which must outlive the schema.
  // REQUIRES: `key` is new, non-empty snake_case.
  void AddString(std::string key, std::string* target, std::string help);
  // Accepts decimal integers in [min, max].
  void AddInt(std::string key, int* target, int min, int max, std::string help);
  // Accepts a byte count with an optional unit: "1048576", "64KiB", "64MiB", "2GiB", "10MB".
  void AddBytes(std::string key, uint64_t* target, std::string help);
  // Accepts "true/false/1/0/yes/no/on/off".
  void AddBool(std::string key, bool* target, std::string help);
  // Accepts what `parse` accepts; `format` renders the default for help text.
  template <typename T>
  void AddParsed(std::string key, T* target, Result<T> (*parse)(std::string_view),
                 std::string_view (*format)(T), std::string help) {
    Add(std::move(key), std::move(help), std::string(format(*target)),
        [target, parse](std::string_view text) -> Status {
          Result<T> parsed = parse(text);
          if (!parsed.ok()) return parsed.status();
          *target = *parsed;
          return OkStatus();
        });
  }

  const std::vector<Setting>& settings() const { return settings_; }
  // nullptr when `key` is not a setting.
  const Setting* Find(std::string_view key) const;

  // "data_dir" → "--data-dir".
  static std::string FlagName(std::string_view key);
  // "data_dir" → "MODELHOST_DATA_DIR".
  static std::string EnvironmentName(std::string_view key);

 private:
  void Add(std::string key, std::string help, std::string default_text, Setter set);

  std::vector<Setting> settings_;
};

struct SettingsSources {
  // Values given as flags, by setting key ("data_dir"), as typed by the user.
  std::map<std::string, std::string, std::less<>> flags;
  // The process environment by variable name; only MODELHOST_<KEY> names of
  // known settings are read, so unrelated variables are ignored.
  std::map<std::string, std::string, std::less<>> environment;
  // A JSON config file to read, when one was named.
  std::optional<std::string> config_file;
};

// The current process environment as a map (for SettingsSources::environment).
std::map<std::string, std::string, std::less<>> ProcessEnvironment();

// Applies the layers of `sources` to the fields bound in `schema`: the config
// file first, then the environment, then flags, so each later layer wins.
// Errors name the source and the key. Bad values and unknown keys are
// InvalidArgument: "config file /etc/m.json: unknown key 'prot'",
// "MODELHOST_PORT='abc': not an integer", "--port '70000': must be at most 65535".
// A config file that cannot be read keeps ReadFileToString's code (NotFound,
// PermissionDenied, …): "config file: open '/etc/m.json': No such file or directory".
// On error some fields may already hold values from earlier layers.
Status ApplySettings(const SettingsSchema& schema, const SettingsSources& sources);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_SETTINGS_H_
