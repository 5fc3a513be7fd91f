// libFuzzer target: any bytes given to the CSV reader come back as a table or
// a Status — never a crash — and reading them cut into pieces on two threads
// gives exactly what one thread gives (table, bad rows, messages).
//
// The first byte picks the options: delimiter (auto, ',', ';', '\t'),
// header or not, fail or skip, the size of the pieces (1..15 bytes, so even
// small inputs are cut many times) and whether they are parsed on two threads
// or one after the other on the calling thread (the same cutting and
// checking, many times faster to fuzz).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "data/csv_reader.h"

namespace {

using modelhost::data::Column;
using modelhost::data::ColumnType;
using modelhost::data::ReadCsvOptions;
using modelhost::data::ReadResult;

template <typename T>
bool SameBits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

bool SameColumn(const Column& a, const Column& b) {
  if (a.name() != b.name() || a.type() != b.type() || !(a.validity() == b.validity())) return false;
  switch (a.type()) {
    case ColumnType::kFloat64: return SameBits(a.float64_values(), b.float64_values());
    case ColumnType::kInt64: return SameBits(a.int64_values(), b.int64_values());
    case ColumnType::kBool: return SameBits(a.bool_values(), b.bool_values());
    case ColumnType::kCategorical:
      return SameBits(a.categorical_codes(), b.categorical_codes()) &&
             std::equal(a.categories().begin(), a.categories().end(), b.categories().begin(),
                        b.categories().end());
  }
  return false;
}

bool SameResult(const ReadResult& a, const ReadResult& b) {
  if (a.table.num_columns() != b.table.num_columns() || a.bad_row_count != b.bad_row_count ||
      a.bad_rows.size() != b.bad_rows.size()) {
    return false;
  }
  for (size_t column = 0; column < a.table.num_columns(); ++column) {
    if (!SameColumn(a.table.column(column), b.table.column(column))) return false;
  }
  for (size_t bad = 0; bad < a.bad_rows.size(); ++bad) {
    if (a.bad_rows[bad].ToString() != b.bad_rows[bad].ToString()) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ReadCsvOptions options;
  constexpr char kDelimiters[] = {'\0', ',', ';', '\t'};
  options.delimiter = kDelimiters[selector & 3];
  options.has_header = (selector & 4) == 0;
  options.bad_rows =
      (selector & 8) ? modelhost::data::BadRowPolicy::kSkip : modelhost::data::BadRowPolicy::kFail;
  options.max_reported_bad_rows = 1000;

  options.threads = 1;
  options.parallel_chunk_bytes = size_t{1} << 40;
  auto one = modelhost::data::ReadCsvBuffer(text, "fuzz.csv", options);
  options.threads = (selector & 0x80) ? 2 : 1;
  options.parallel_chunk_bytes = 1 + ((selector >> 4) & 7) * 2;
  auto many = modelhost::data::ReadCsvBuffer(text, "fuzz.csv", options);
  if (one.ok() != many.ok()) std::abort();
  if (!one.ok() && one.status().ToString() != many.status().ToString()) std::abort();
  if (one.ok() && !SameResult(*one, *many)) std::abort();
  return 0;
}
