#include "api/predict_instances.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace modelhost::api {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using Json = nlohmann::json;

const std::vector<std::string_view> kOrder = {"age", "glucose", "insulin"};

// The reference: a JSON tree read the way the predict routes read it before
// they parsed in one pass. ParsePredictInstances must agree on every body.
core::Result<data::FieldValue> ReferenceField(const Json& value, size_t index,
                                              const std::string& field) {
  if (value.is_null()) return data::FieldValue();
  if (value.is_boolean()) return data::FieldValue(value.get<bool>());
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    return data::FieldValue(value.get<int64_t>());
  }
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number <= static_cast<uint64_t>(INT64_MAX)) {
      return data::FieldValue(static_cast<int64_t>(number));
    }
    return data::FieldValue(static_cast<double>(number));
  }
  if (value.is_number()) return data::FieldValue(value.get<double>());
  if (value.is_string()) return data::FieldValue(value.get<std::string>());
  return core::InvalidArgument("instance " + std::to_string(index) + ": field '" + field +
                               "' must be a number, a string, a bool or null");
}

core::Result<std::vector<data::Record>> ReferenceParse(const std::string& body,
                                                       size_t max_instances) {
  Json request = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    return core::InvalidArgument("request body must be a JSON object {\"instances\": [...]}");
  }
  if (!request.contains("instances") || !request["instances"].is_array()) {
    return core::InvalidArgument("field 'instances' must be an array");
  }
  const Json& instances = request["instances"];
  if (instances.size() > max_instances) {
    return core::ResourceExhausted(std::to_string(instances.size()) +
                                   " instances in one request; the limit is " +
                                   std::to_string(max_instances));
  }
  std::vector<data::Record> records;
  for (size_t index = 0; index < instances.size(); ++index) {
    const Json& instance = instances[index];
    data::Record record;
    if (instance.is_object()) {
      for (const auto& [field, value] : instance.items()) {
        MODELHOST_ASSIGN_OR_RETURN(record[field], ReferenceField(value, index, field));
      }
    } else if (instance.is_array()) {
      if (instance.size() != kOrder.size()) {
        return core::InvalidArgument("instance " + std::to_string(index) + ": " +
                                     std::to_string(instance.size()) + " values, but the model " +
                                     "takes " + std::to_string(kOrder.size()) + " inputs");
      }
      for (size_t column = 0; column < kOrder.size(); ++column) {
        const std::string name(kOrder[column]);
        MODELHOST_ASSIGN_OR_RETURN(record[name], ReferenceField(instance[column], index, name));
      }
    } else {
      return core::InvalidArgument("instance " + std::to_string(index) +
                                   ": must be an object of fields or an array of values");
    }
    records.push_back(std::move(record));
  }
  return records;
}

// Both readers on `body` (at most 3 instances): the same records, or the same
// error. `accepted`, when given, is set to whether the body was accepted.
void ExpectSameAsTree(const std::string& body, bool* accepted = nullptr) {
  core::Result<std::vector<data::Record>> expected = ReferenceParse(body, 3);
  core::Result<std::vector<data::Record>> parsed = ParsePredictInstances(body, kOrder, 3);
  ASSERT_EQ(parsed.ok(), expected.ok())
      << body << "\n"
      << (parsed.ok() ? expected.status() : parsed.status()).ToString();
  if (expected.ok()) {
    ASSERT_EQ(*parsed, *expected) << body;
  } else {
    ASSERT_EQ(parsed.status(), expected.status()) << body;
  }
  if (accepted != nullptr) *accepted = expected.ok();
}

TEST(PredictInstancesTest, AgreesWithAJsonTreeOnEveryBody) {
  const std::vector<std::string> bodies = {
      // Accepted.
      R"({"instances": [{"age": 50, "glucose": 148.5, "insulin": null}]})",
      R"({"instances": [[50, 148, null], [-3, 1e2, "x"], [true, false, 18446744073709551615]]})",
      R"({"instances": []})",
      R"({"parameters": {"x": [1, {"instances": 5}]}, "instances": [{}], "extra": [[]]})",
      R"({"instances": [{"age": 1, "age": 2, "glucose": {"a": 1}, "glucose": 3}]})",
      R"({"instances": [{"a\"b\u00e9": "caf\u00e9", "age": 9223372036854775807}]})",
      R"({"instances": 5, "instances": [{"age": 1}]})",
      "  {\"instances\":[{\"age\":-9223372036854775808}]}\n",
      // Refused.
      "",
      "not json",
      "[]",
      "42",
      R"("instances")",
      R"({"instances": [{"age": 1}]} trailing)",
      R"({"instances": [{"age": 1})",
      R"({"rows": []})",
      R"({"instances": {"age": 1}})",
      R"({"instances": null})",
      R"({"instances": [{"age": 1}], "instances": 5})",
      R"({"instances": [{"age": 1}, 7]})",
      R"({"instances": [[1, 2]]})",
      R"({"instances": [[1, 2, 3, 4]]})",
      R"({"instances": [[1, [2], 3]]})",
      R"({"instances": [[1, [2], {"a": 3}, 4]]})",
      R"({"instances": [[1, 2, {"x": [1]}]]})",
      R"({"instances": [{"zeta": [1], "alpha": {"b": 2}}]})",
      R"({"instances": [{"age": 1}, {"glucose": "high", "insulin": [1]}, "x"]})",
      R"({"instances": [{}, {}, {}, {}]})",
      R"({"instances": [{}, 1, [1], {}]})",
      R"({"instances": [{"age": 1}], "instances": [[1], {}]})",
  };
  for (const std::string& body : bodies) ASSERT_NO_FATAL_FAILURE(ExpectSameAsTree(body));
}

// A random JSON text shaped like predict bodies, good and bad: objects whose
// keys repeat and include "instances", arrays of instances of 0-4 values,
// scalars of every kind, nesting, and now and then a cut or a stray byte.
class BodyGenerator {
 public:
  explicit BodyGenerator(uint64_t seed) : random_(seed) {}

  std::string Body() {
    std::string body = Pick(10) == 0 ? Value(0) : Object(0, /*top=*/true);
    switch (Pick(20)) {
      case 0: body.resize(Pick(static_cast<int>(body.size()) + 1)); break;  // cut short
      case 1: body.insert(Pick(static_cast<int>(body.size()) + 1), 1, "{}[],:\"x"[Pick(8)]); break;
      default: break;
    }
    return body;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  std::string Key() {
    static const char* const kKeys[] = {"instances", "age", "glucose", "insulin", "x", "a\"b"};
    return Json(kKeys[Pick(6)]).dump();
  }
  std::string Scalar() {
    switch (Pick(8)) {
      case 0: return "null";
      case 1: return Pick(2) ? "true" : "false";
      case 2: return std::to_string(Pick(200) - 100);
      case 3: return "18446744073709551615";
      case 4: return "-9223372036854775808";
      case 5: return "1.5e3";
      case 6: return "\"high\"";
      default: return "0.25";
    }
  }
  std::string Value(int depth) {
    const int kind = depth > 3 ? 0 : Pick(6);
    if (kind == 4) return Object(depth + 1, false);
    if (kind == 5) return Array(depth + 1);
    return Scalar();
  }
  std::string Array(int depth) {
    std::string text = "[";
    const int count = Pick(5);
    for (int i = 0; i < count; ++i) text += (i ? "," : "") + Value(depth);
    return text + "]";
  }
  std::string Object(int depth, bool top) {
    std::string text = "{";
    const int count = Pick(4);
    for (int i = 0; i < count; ++i) {
      text += (i ? "," : "") + Key() + ":";
      text += top && Pick(2) == 0 ? Instances(depth + 1) : Value(depth);
    }
    return text + "}";
  }
  std::string Instances(int depth) {
    std::string text = "[";
    const int count = Pick(6);
    for (int i = 0; i < count; ++i) {
      text += i ? "," : "";
      switch (Pick(4)) {
        case 0: text += Array(depth + 1); break;
        case 1: text += Value(depth + 1); break;
        default: text += Object(depth + 1, false); break;
      }
    }
    return text + "]";
  }

  std::mt19937_64 random_;
};

TEST(PredictInstancesTest, AgreesWithAJsonTreeOnRandomBodies) {
  BodyGenerator generator(20261130);
  int accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    bool was_accepted = false;
    ASSERT_NO_FATAL_FAILURE(ExpectSameAsTree(generator.Body(), &was_accepted));
    accepted += was_accepted;
  }
  EXPECT_GT(accepted, 300);  // the generator reaches the accepting paths too (537 of 20 000)
}

TEST(PredictInstancesTest, ReadsFieldsByNameOrPosition) {
  auto records = ParsePredictInstances(
      R"({"instances": [{"glucose": 148, "age": 50.5}, [1, "high", null]]})", kOrder, 10);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_THAT((*records)[0], ElementsAre(Pair("age", data::FieldValue(50.5)),
                                         Pair("glucose", data::FieldValue(int64_t{148}))));
  EXPECT_THAT((*records)[1], ElementsAre(Pair("age", data::FieldValue(int64_t{1})),
                                         Pair("glucose", data::FieldValue("high")),
                                         Pair("insulin", data::FieldValue())));
}

TEST(PredictInstancesTest, ErrorsNameTheInstanceAndField) {
  EXPECT_EQ(
      ParsePredictInstances(R"({"instances": [{}, {"age": [1]}]})", kOrder, 10).status().message(),
      "instance 1: field 'age' must be a number, a string, a bool or null");
  EXPECT_EQ(ParsePredictInstances(R"({"instances": [[1, 2]]})", kOrder, 10).status().message(),
            "instance 0: 2 values, but the model takes 3 inputs");
  core::Result<std::vector<data::Record>> many =
      ParsePredictInstances(R"({"instances": [{}, {}, [1], 4]})", kOrder, 2);
  EXPECT_EQ(many.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_EQ(many.status().message(), "4 instances in one request; the limit is 2");
}

}  // namespace
}  // namespace modelhost::api
