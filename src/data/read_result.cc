#include "data/read_result.h"

#include <utility>

namespace modelhost::data {

std::string_view ToString(BadRowPolicy policy) {
  switch (policy) {
    case BadRowPolicy::kFail: return "fail";
    case BadRowPolicy::kSkip: return "skip";
  }
  return "unknown";
}

core::Status BadRowLog::Record(core::Status error) {
  if (policy_ == BadRowPolicy::kFail) return error;
  ++count_;
  if (reported_.size() < max_reported_) reported_.push_back(std::move(error));
  return core::OkStatus();
}

void BadRowLog::MoveInto(ReadResult& result) {
  result.bad_row_count = count_;
  result.bad_rows = std::move(reported_);
}

}  // namespace modelhost::data
