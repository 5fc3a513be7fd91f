#include "core/settings.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/file_reader.h"

extern char** environ;

namespace modelhost::core {
namespace {

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

Result<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
    return InvalidArgument("not an integer");
  }
  if (error == std::errc::result_out_of_range) return InvalidArgument("integer out of range");
  return value;
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

// Levenshtein distance, for "did you mean" on unknown keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string UnknownKeyMessage(const SettingsSchema& schema, std::string_view key) {
  std::string message = "unknown key " + Quoted(key);
  const SettingsSchema::Setting* closest = nullptr;
  size_t best = 3;  // suggest only near misses
  std::string known;
  for (const auto& setting : schema.settings()) {
    size_t distance = EditDistance(key, setting.key);
    if (distance < best) {
      best = distance;
      closest = &setting;
    }
    known += (known.empty() ? "" : ", ") + setting.key;
  }
  if (closest != nullptr) return message + " (did you mean " + Quoted(closest->key) + "?)";
  return message + " (known keys: " + known + ")";
}

Status ApplyConfigFile(const SettingsSchema& schema, const std::string& path) {
  Result<std::string> contents = ReadFileToString(path);
  if (!contents.ok()) return contents.status().WithContext("config file");
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(*contents);
  } catch (const nlohmann::json::exception& error) {  // out_of_range too (1e999)
    return InvalidArgument("config file " + path + ": not valid JSON: " + error.what());
  }
  if (!document.is_object()) {
    return InvalidArgument("config file " + path + ": must be a JSON object of settings");
  }
  for (const auto& [key, value] : document.items()) {
    const SettingsSchema::Setting* setting = schema.Find(key);
    if (setting == nullptr) {
      return InvalidArgument("config file " + path + ": " + UnknownKeyMessage(schema, key));
    }
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      text = value.dump();
    } else {
      return InvalidArgument("config file " + path + ": key " + Quoted(key) +
                             " must be a string, number or boolean");
    }
    MODELHOST_RETURN_IF_ERROR(setting->set(text).WithContext("config file " + path + ": key " +
                                                             Quoted(key) + " = " + Quoted(text)));
  }
  return OkStatus();
}

}  // namespace

void SettingsSchema::Add(std::string key, std::string help, std::string default_text, Setter set) {
  assert(!key.empty() && Find(key) == nullptr && "setting keys are unique");
  settings_.push_back(
      Setting{std::move(key), std::move(help), std::move(default_text), std::move(set)});
}

void SettingsSchema::AddString(std::string key, std::string* target, std::string help) {
  Add(std::move(key), std::move(help), *target, [target](std::string_view text) -> Status {
    if (text.empty()) return InvalidArgument("must not be empty");
    *target = std::string(text);
    return OkStatus();
  });
}

void SettingsSchema::AddInt(std::string key, int* target, int min, int max, std::string help) {
  Add(std::move(key), std::move(help), std::to_string(*target),
      [target, min, max](std::string_view text) -> Status {
        MODELHOST_ASSIGN_OR_RETURN(int64_t value, ParseInteger(text));
        if (value < min) return InvalidArgument("must be at least " + std::to_string(min));
        if (value > max) return InvalidArgument("must be at most " + std::to_string(max));
        *target = static_cast<int>(value);
        return OkStatus();
      });
}

void SettingsSchema::AddBytes(std::string key, uint64_t* target, std::string help) {
  Add(std::move(key), std::move(help), std::to_string(*target),
      [target](std::string_view text) -> Status {
        size_t digits = 0;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
          ++digits;
        }
        if (digits == 0) return InvalidArgument("not a byte size (e.g. 1048576, 64KiB, 64MiB)");
        MODELHOST_ASSIGN_OR_RETURN(int64_t count, ParseInteger(text.substr(0, digits)));
        static const std::map<std::string, uint64_t, std::less<>> kUnits = {{"", 1},
                                                                            {"b", 1},
                                                                            {"kb", 1000},
                                                                            {"kib", 1ull << 10},
                                                                            {"mb", 1000000},
                                                                            {"mib", 1ull << 20},
                                                                            {"gb", 1000000000},
                                                                            {"gib", 1ull << 30}};
        auto unit = kUnits.find(ToLower(text.substr(digits)));
        if (unit == kUnits.end()) {
          return InvalidArgument("unknown size unit " + Quoted(text.substr(digits)) +
                                 " (use B, KB, KiB, MB, MiB, GB or GiB)");
        }
        uint64_t bytes = static_cast<uint64_t>(count) * unit->second;
        if (unit->second != 0 && bytes / unit->second != static_cast<uint64_t>(count)) {
          return InvalidArgument("byte size out of range");
        }
        *target = bytes;
        return OkStatus();
      });
}

void SettingsSchema::AddBool(std::string key, bool* target, std::string help) {
  Add(std::move(key), std::move(help), *target ? "true" : "false",
      [target](std::string_view text) -> Status {
        std::string lower = ToLower(text);
        if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
          *target = true;
        } else if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
          *target = false;
        } else {
          return InvalidArgument("not a boolean (true/false)");
        }
        return OkStatus();
      });
}

const SettingsSchema::Setting* SettingsSchema::Find(std::string_view key) const {
  for (const auto& setting : settings_) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::string SettingsSchema::FlagName(std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string SettingsSchema::EnvironmentName(std::string_view key) {
  std::string name = "MODELHOST_" + std::string(key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

std::map<std::string, std::string, std::less<>> ProcessEnvironment() {
  std::map<std::string, std::string, std::less<>> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

Status ApplySettings(const SettingsSchema& schema, const SettingsSources& sources) {
  if (sources.config_file.has_value()) {
    MODELHOST_RETURN_IF_ERROR(ApplyConfigFile(schema, *sources.config_file));
  }
  for (const auto& setting : schema.settings()) {
    std::string name = SettingsSchema::EnvironmentName(setting.key);
    auto variable = sources.environment.find(name);
    if (variable == sources.environment.end()) continue;
    MODELHOST_RETURN_IF_ERROR(
        setting.set(variable->second).WithContext(name + "=" + Quoted(variable->second)));
  }
  for (const auto& [key, text] : sources.flags) {
    const SettingsSchema::Setting* setting = schema.Find(key);
    if (setting == nullptr) {
      return InvalidArgument(SettingsSchema::FlagName(key) + ": unknown option");
    }
    MODELHOST_RETURN_IF_ERROR(
        setting->set(text).WithContext(SettingsSchema::FlagName(key) + " " + Quoted(text)));
  }
  return OkStatus();
}

}  // namespace modelhost::core
