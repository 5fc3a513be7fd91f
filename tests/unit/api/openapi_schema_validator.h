// A validator for the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it)
// that src/api/openapi.json uses, so that the tests can check the document's
// examples against its schemas without a schema library (Debian packages
// none for C++).
//
// Keywords checked: $ref (to a JSON pointer inside the document), type (a
// name or a list), enum, properties, required, additionalProperties (bool or
// schema), items, oneOf (exactly one), minimum, maximum, pattern
// (ECMAScript). Annotations ignored: description, title, default, format.
// Any other keyword is reported as unsupported, so that the document cannot
// come to rely on a check that this validator silently skips.
//
// Thread-safety: const methods only.

#ifndef MODELHOST_TESTS_UNIT_API_OPENAPI_SCHEMA_VALIDATOR_H_
#define MODELHOST_TESTS_UNIT_API_OPENAPI_SCHEMA_VALIDATOR_H_

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace modelhost::api::testing {

class OpenApiSchemaValidator {
 public:
  using Json = nlohmann::json;

  // `document` (the whole OpenAPI document) must outlive the validator.
  explicit OpenApiSchemaValidator(const Json& document) : document_(document) {}

  // The problems of `value` against `schema`, each starting with the JSON
  // pointer of the offending part of `value` ("" for the root); empty when
  // it is valid.
  std::vector<std::string> Validate(const Json& schema, const Json& value) const {
    std::vector<std::string> problems;
    Check(schema, value, "", &problems);
    return problems;
  }

  // The value `reference` ("#/components/…") points at, or null when it
  // points nowhere.
  const Json* Resolve(const std::string& reference) const {
    if (reference.rfind("#/", 0) != 0) return nullptr;
    const Json::json_pointer pointer(reference.substr(1));
    return document_.contains(pointer) ? &document_.at(pointer) : nullptr;
  }

 private:
  static bool HasType(const Json& value, const std::string& type) {
    if (type == "null") return value.is_null();
    if (type == "boolean") return value.is_boolean();
    if (type == "string") return value.is_string();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    if (type == "number") return value.is_number();
    if (type == "integer") {
      return value.is_number_integer() ||
             (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
    }
    return false;
  }

  void Check(const Json& schema, const Json& value, const std::string& at,
             std::vector<std::string>* problems) const {
    static const std::set<std::string> kAnnotations = {"description", "title", "default", "format"};
    static const std::set<std::string> kChecked = {
        "$ref",  "type",  "enum",    "properties", "required", "additionalProperties",
        "items", "oneOf", "minimum", "maximum",    "pattern"};
    auto fail = [&](const std::string& what) { problems->push_back(at + ": " + what); };
    if (!schema.is_object()) return fail("schema is not an object: " + schema.dump());
    for (const auto& [keyword, unused] : schema.items()) {
      if (!kChecked.contains(keyword) && !kAnnotations.contains(keyword)) {
        fail("unsupported schema keyword '" + keyword + "'");
      }
    }
    if (schema.contains("$ref")) {
      const Json* target = Resolve(schema["$ref"].get<std::string>());
      if (target == nullptr) return fail("unresolved $ref " + schema["$ref"].dump());
      Check(*target, value, at, problems);
    }
    if (schema.contains("type")) {
      const Json& type = schema["type"];
      bool matched = false;
      for (const Json& name : type.is_array() ? type : Json::array({type})) {
        matched = matched || HasType(value, name.get<std::string>());
      }
      if (!matched) return fail("expected type " + type.dump() + ", got " + value.dump());
    }
    if (schema.contains("enum")) {
      const Json& choices = schema["enum"];
      if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
        fail(value.dump() + " is not one of " + choices.dump());
      }
    }
    if (schema.contains("minimum") && value.is_number() &&
        value.get<double>() < schema["minimum"].get<double>()) {
      fail(value.dump() + " is below the minimum " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && value.is_number() &&
        value.get<double>() > schema["maximum"].get<double>()) {
      fail(value.dump() + " is above the maximum " + schema["maximum"].dump());
    }
    if (schema.contains("pattern") && value.is_string() &&
        !std::regex_search(value.get<std::string>(),
                           std::regex(schema["pattern"].get<std::string>()))) {
      fail(value.dump() + " does not match " + schema["pattern"].dump());
    }
    if (value.is_object()) CheckObject(schema, value, at, problems);
    if (value.is_array() && schema.contains("items")) {
      for (size_t index = 0; index < value.size(); ++index) {
        Check(schema["items"], value[index], at + "/" + std::to_string(index), problems);
      }
    }
    if (schema.contains("oneOf")) {
      size_t matches = 0;
      for (const Json& choice : schema["oneOf"]) {
        matches += Validate(choice, value).empty() ? 1 : 0;
      }
      if (matches != 1) {
        fail("matches " + std::to_string(matches) + " of the oneOf schemas, not exactly one");
      }
    }
  }

  void CheckObject(const Json& schema, const Json& value, const std::string& at,
                   std::vector<std::string>* problems) const {
    for (const Json& name : schema.value("required", Json::array())) {
      if (!value.contains(name.get<std::string>())) {
        problems->push_back(at + ": missing required property " + name.dump());
      }
    }
    const Json properties = schema.value("properties", Json::object());
    for (const auto& [key, field] : value.items()) {
      const std::string where = at + "/" + key;
      if (properties.contains(key)) {
        Check(properties[key], field, where, problems);
        continue;
      }
      if (!schema.contains("additionalProperties")) continue;
      const Json& additional = schema["additionalProperties"];
      if (additional.is_boolean()) {
        if (!additional.get<bool>()) problems->push_back(where + ": property not allowed");
      } else {
        Check(additional, field, where, problems);
      }
    }
  }

  const Json& document_;
};

}  // namespace modelhost::api::testing

#endif  // MODELHOST_TESTS_UNIT_API_OPENAPI_SCHEMA_VALIDATOR_H_
