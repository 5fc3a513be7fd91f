#include "api/predict_instances.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace modelhost::api {
namespace {

using Json = nlohmann::json;

// Receives nlohmann's SAX events for a predict body. Depth 1 is the body's
// object, 2 the instances array, 3 an instance. Values nobody reads (other
// top-level fields, and what nests inside an instance's values) are skipped
// by counting their brackets. Errors are noted, not raised, so that parsing
// goes on and a body that is not JSON at all is reported as such first.
class InstancesReader {
 public:
  InstancesReader(const std::vector<std::string_view>& order, size_t max_instances)
      : order_(order), max_instances_(max_instances) {}

  core::Result<std::vector<data::Record>> Finish(bool parsed) && {
    if (!parsed || !root_is_object_) {
      return core::InvalidArgument("request body must be a JSON object {\"instances\": [...]}");
    }
    if (!instances_are_array_) return core::InvalidArgument("field 'instances' must be an array");
    if (count_ > max_instances_) {
      return core::ResourceExhausted(std::to_string(count_) +
                                     " instances in one request; the limit is " +
                                     std::to_string(max_instances_));
    }
    if (!instance_error_.empty()) return core::InvalidArgument(instance_error_);
    return std::move(records_);
  }

  // The SAX interface (nlohmann::json_sax).
  bool null() { return Value(data::FieldValue()); }
  bool boolean(bool value) { return Value(data::FieldValue(value)); }
  bool number_integer(int64_t value) { return Value(data::FieldValue(value)); }
  bool number_unsigned(uint64_t value) {
    if (value <= static_cast<uint64_t>(INT64_MAX)) {
      return Value(data::FieldValue(static_cast<int64_t>(value)));
    }
    return Value(data::FieldValue(static_cast<double>(value)));
  }
  bool number_float(double value, const std::string& /*text*/) {
    return Value(data::FieldValue(value));
  }
  bool string(std::string& value) { return Value(data::FieldValue(std::move(value))); }
  bool binary(Json::binary_t& /*value*/) { return true; }  // not in JSON text
  bool start_object(size_t /*elements*/) { return Open(/*array=*/false); }
  bool start_array(size_t /*elements*/) { return Open(/*array=*/true); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& name) {
    if (skip_ > 0) return true;
    if (depth_ == 1) {
      instances_key_ = name == "instances";
    } else if (depth_ == 3) {
      field_ = std::move(name);
    }
    return true;
  }
  bool parse_error(size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  bool Open(bool array) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    switch (depth_) {
      case 0:
        root_is_object_ = !array;
        if (array) skip_ = 1;
        depth_ = 1;
        return true;
      case 1:
        if (!instances_key_) {
          skip_ = 1;
          return true;
        }
        // A repeated "instances" replaces the earlier one, as in a JSON tree.
        records_.clear();
        count_ = 0;
        instance_error_.clear();
        instances_are_array_ = array;
        if (!array) {
          skip_ = 1;
          return true;
        }
        depth_ = 2;
        return true;
      case 2:
        depth_ = 3;
        instance_is_array_ = array;
        record_ = data::Record();
        values_.clear();
        bad_fields_.clear();
        first_bad_position_ = SIZE_MAX;
        return true;
      default:  // a value inside an instance that is itself an object or array
        MarkBad();
        skip_ = 1;
        return true;
    }
  }

  bool Close() {
    if (skip_ > 0) {
      if (--skip_ == 0 && depth_ == 1) instances_key_ = false;
      return true;
    }
    if (depth_ == 3) FinishInstance();
    --depth_;
    return true;
  }

  bool Value(data::FieldValue value) {
    if (skip_ > 0) return true;
    switch (depth_) {
      case 0: return true;  // a scalar body: root_is_object_ stays false
      case 1:
        if (instances_key_) {
          records_.clear();
          count_ = 0;
          instance_error_.clear();
          instances_are_array_ = false;
        }
        return true;
      case 2:
        NoteInstanceError("must be an object of fields or an array of values");
        ++count_;
        return true;
      default:
        if (instance_is_array_) {
          values_.push_back(std::move(value));
        } else {
          if (!bad_fields_.empty()) bad_fields_.erase(field_);
          record_[field_] = std::move(value);
        }
        return true;
    }
  }

  // The instance being read holds an object or array where a value belongs.
  void MarkBad() {
    if (instance_is_array_) {
      if (first_bad_position_ == SIZE_MAX) first_bad_position_ = values_.size();
      values_.emplace_back();  // keeps the positions of the values after it
    } else {
      bad_fields_.insert(field_);
      record_.erase(field_);
    }
  }

  void FinishInstance() {
    const size_t index = count_++;
    if (!instance_error_.empty() || count_ > max_instances_) return;  // no longer kept
    auto bad_field = [](const std::string& name) {
      return "field '" + name + "' must be a number, a string, a bool or null";
    };
    if (!instance_is_array_) {
      // The first bad field in name order, as a JSON tree (a sorted map) lists them.
      if (!bad_fields_.empty()) return NoteInstanceError(bad_field(*bad_fields_.begin()), index);
      records_.push_back(std::move(record_));
      return;
    }
    if (values_.size() != order_.size()) {
      return NoteInstanceError(std::to_string(values_.size()) + " values, but the model takes " +
                                   std::to_string(order_.size()) + " inputs",
                               index);
    }
    if (first_bad_position_ != SIZE_MAX) {
      return NoteInstanceError(bad_field(std::string(order_[first_bad_position_])), index);
    }
    data::Record record;
    for (size_t column = 0; column < order_.size(); ++column) {
      record.insert_or_assign(std::string(order_[column]), std::move(values_[column]));
    }
    records_.push_back(std::move(record));
  }

  void NoteInstanceError(const std::string& message, size_t index) {
    if (instance_error_.empty()) {
      instance_error_ = "instance " + std::to_string(index) + ": " + message;
    }
  }
  void NoteInstanceError(const std::string& message) { NoteInstanceError(message, count_); }

  const std::vector<std::string_view>& order_;
  const size_t max_instances_;

  int depth_ = 0;
  size_t skip_ = 0;  // > 0: inside a value being skipped, this many brackets deep
  bool root_is_object_ = false;
  bool instances_key_ = false;  // the depth-1 value now read belongs to "instances"
  bool instances_are_array_ = false;
  size_t count_ = 0;  // instances seen, kept or not
  std::vector<data::Record> records_;
  std::string instance_error_;  // the first, with its "instance I: "

  // The instance being read.
  bool instance_is_array_ = false;
  data::Record record_;                   // an object's fields
  std::string field_;                     // ... the one whose value comes next
  std::set<std::string> bad_fields_;      // ... holding objects or arrays
  std::vector<data::FieldValue> values_;  // an array's values
  size_t first_bad_position_ = SIZE_MAX;  // ... the first object or array among them
};

}  // namespace

core::Result<std::vector<data::Record>> ParsePredictInstances(
    std::string_view body, const std::vector<std::string_view>& order, size_t max_instances) {
  InstancesReader reader(order, max_instances);
  const bool parsed = Json::sax_parse(body.begin(), body.end(), &reader);
  return std::move(reader).Finish(parsed);
}

}  // namespace modelhost::api
