// libFuzzer target: any bytes given to the JSON Lines reader come back as a
// table or a Status — never a crash (nlohmann/json exceptions included).
// The first byte picks fail or skip and whether a type override applies.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/jsonl_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  modelhost::data::ReadJsonLinesOptions options;
  options.bad_rows =
      (selector & 1) ? modelhost::data::BadRowPolicy::kSkip : modelhost::data::BadRowPolicy::kFail;
  if (selector & 2) options.column_types = {{"a", modelhost::data::ColumnType::kFloat64}};
  if (selector & 4) options.column_types = {{"a", modelhost::data::ColumnType::kCategorical}};
  (void)modelhost::data::ReadJsonLinesBuffer(text, "fuzz.jsonl", options);
  return 0;
}
