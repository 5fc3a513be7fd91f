#include "data/csv_reader.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "core/file_reader.h"
#include "data/column_builder.h"
#include "data/csv_tokenizer.h"
#include "data/field_parser.h"

namespace modelhost::data {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr size_t kDelimiterSampleLines = 20;

// What the values seen so far in a column could all be.
struct TypeEvidence {
  bool can_be_bool = true;
  bool can_be_int = true;
  bool can_be_float = true;
  bool has_value = false;

  void Observe(std::string_view value) {
    has_value = true;
    if (can_be_bool && !ParseBool(value)) can_be_bool = false;
    if (!can_be_int && !can_be_float) return;  // already text: nothing left to learn
    if (can_be_int) {
      if (ParseInt64(value)) return;  // an int64 is a float64 too
      can_be_int = false;
    }
    if (can_be_float && !ParseFloat64(value)) can_be_float = false;
  }

  ColumnType Type() const {
    if (!has_value) return ColumnType::kFloat64;
    if (can_be_bool) return ColumnType::kBool;
    if (can_be_int) return ColumnType::kInt64;
    if (can_be_float) return ColumnType::kFloat64;
    return ColumnType::kCategorical;
  }
};

// One call of ReadCsvBuffer.
class CsvReader {
 public:
  CsvReader(std::string_view content, std::string_view source, const ReadCsvOptions& options)
      : content_(content),
        source_(source),
        options_(options),
        bad_rows_(options.bad_rows, options.max_reported_bad_rows) {
    for (const std::string& token : options.missing_values) {
      max_missing_size_ = std::max(max_missing_size_, token.size());
    }
  }

  core::Result<ReadResult> Read();

 private:
  core::Status ReadHeader(CsvTokenizer& tokenizer);
  core::Status InferTypes(CsvTokenizer& tokenizer);
  core::Status Convert(CsvTokenizer& tokenizer, std::vector<ColumnBuilder>& builders);
  // OK, or why the record cannot be a row.
  core::Status CheckRecord(const std::vector<CsvField>& fields, size_t line);
  core::Status TokenError(CsvTokenStatus status, const CsvTokenizer& tokenizer) const;
  core::Status AppendValue(std::string_view value, ColumnBuilder& builder, size_t line,
                           size_t column);

  bool IsMissing(std::string_view value) const {
    if (value.size() > max_missing_size_) return false;
    for (const std::string& token : options_.missing_values) {
      if (value == token) return true;
    }
    return false;
  }
  // "<source>: line L, column C 'name'" (C is 1-based; the name when known).
  std::string Place(size_t line, size_t column) const;

  std::string_view content_;
  std::string_view source_;
  const ReadCsvOptions& options_;
  char delimiter_ = ',';
  BadRowLog bad_rows_;
  size_t max_missing_size_ = 0;

  std::vector<std::string> names_;
  std::vector<ColumnType> types_;
  std::vector<bool> overridden_;
  // Ordinals (among the tokenizer's kRecord results after the header) of the
  // records found bad in pass 1, ascending, so pass 2 leaves them out too.
  std::vector<size_t> bad_records_;
  size_t good_rows_ = 0;
  std::vector<CsvField> fields_;
  std::string scratch_;
};

std::string CsvReader::Place(size_t line, size_t column) const {
  std::string place = std::string(source_) + ": line " + std::to_string(line) + ", column " +
                      std::to_string(column + 1);
  if (column < names_.size()) place += " '" + names_[column] + "'";
  return place;
}

core::Status CsvReader::TokenError(CsvTokenStatus status, const CsvTokenizer& tokenizer) const {
  std::string place = Place(tokenizer.record_line(), tokenizer.error_field());
  if (status == CsvTokenStatus::kUnterminatedQuote) {
    return core::InvalidArgument(place +
                                 ": quoted field is never closed (its quote opens in the row "
                                 "starting on this line and runs to the end of the input)");
  }
  return core::InvalidArgument(place +
                               ": text after the closing quote of a quoted field (a quote inside "
                               "a quoted field must be doubled)");
}

core::Status CsvReader::ReadHeader(CsvTokenizer& tokenizer) {
  CsvTokenStatus status = tokenizer.Next(fields_);
  if (status == CsvTokenStatus::kEnd) {
    if (options_.has_header)
      return core::InvalidArgument(std::string(source_) + ": no header line (the input is empty)");
    return core::OkStatus();
  }
  if (status != CsvTokenStatus::kRecord) return TokenError(status, tokenizer);
  const size_t line = tokenizer.record_line();
  for (size_t column = 0; column < fields_.size(); ++column) {
    std::string name;
    if (options_.has_header) {
      std::string_view value = fields_[column].Value(scratch_);
      if (auto bad = FindInvalidUtf8(value)) {
        return core::InvalidArgument(Place(line, column) +
                                     ": invalid UTF-8 in the header at byte " +
                                     std::to_string(*bad + 1) + " of the name");
      }
      name = value;
    }
    if (name.empty()) name = "column_" + std::to_string(column + 1);
    for (size_t earlier = 0; earlier < names_.size(); ++earlier) {
      if (names_[earlier] == name) {
        return core::InvalidArgument(Place(line, column) + ": the header repeats the name '" +
                                     name + "' of column " + std::to_string(earlier + 1));
      }
    }
    names_.push_back(std::move(name));
  }
  types_.assign(names_.size(), ColumnType::kFloat64);
  overridden_.assign(names_.size(), false);
  for (const auto& [name, type] : options_.column_types) {
    auto found = std::find(names_.begin(), names_.end(), name);
    if (found == names_.end()) {
      return core::InvalidArgument(std::string(source_) + ": a type override names column '" +
                                   name + "', which the " +
                                   (options_.has_header ? "header" : "file") + " lacks");
    }
    types_[found - names_.begin()] = type;
    overridden_[found - names_.begin()] = true;
  }
  // Without a header the first record is data: read it again in pass 1.
  if (!options_.has_header) tokenizer = CsvTokenizer(content_, delimiter_);
  return core::OkStatus();
}

core::Status CsvReader::CheckRecord(const std::vector<CsvField>& fields, size_t line) {
  if (fields.size() != names_.size()) {
    const std::string what = options_.has_header ? "the header has " : "the first row has ";
    // Name the first column that is absent, or the first one too many.
    return core::InvalidArgument(Place(line, std::min(fields.size(), names_.size())) +
                                 ": row has " + std::to_string(fields.size()) + " fields, " + what +
                                 std::to_string(names_.size()));
  }
  for (size_t column = 0; column < fields.size(); ++column) {
    std::string_view value = fields[column].Value(scratch_);
    if (auto bad = FindInvalidUtf8(value)) {
      return core::InvalidArgument(Place(line, column) + ": invalid UTF-8 at byte " +
                                   std::to_string(*bad + 1) + " of the field");
    }
    if (!overridden_[column] || IsMissing(value)) continue;
    bool fits = true;
    switch (types_[column]) {
      case ColumnType::kFloat64: fits = ParseFloat64(value).has_value(); break;
      case ColumnType::kInt64: fits = ParseInt64(value).has_value(); break;
      case ColumnType::kBool: fits = ParseBool(value).has_value(); break;
      case ColumnType::kCategorical: break;
    }
    if (!fits) {
      return core::InvalidArgument(Place(line, column) + ": " + QuoteForMessage(value) +
                                   " is not a valid " + std::string(ToString(types_[column])) +
                                   " (the column's type is set by an override)");
    }
  }
  return core::OkStatus();
}

core::Status CsvReader::InferTypes(CsvTokenizer& tokenizer) {
  std::vector<TypeEvidence> evidence(names_.size());
  for (size_t record = 0;;) {
    CsvTokenStatus status = tokenizer.Next(fields_);
    if (status == CsvTokenStatus::kEnd) break;
    if (status != CsvTokenStatus::kRecord) {
      MODELHOST_RETURN_IF_ERROR(bad_rows_.Record(TokenError(status, tokenizer)));
      tokenizer.SkipLine();
      continue;
    }
    if (core::Status error = CheckRecord(fields_, tokenizer.record_line()); !error.ok()) {
      MODELHOST_RETURN_IF_ERROR(bad_rows_.Record(std::move(error)));
      bad_records_.push_back(record++);
      continue;
    }
    ++record;
    ++good_rows_;
    for (size_t column = 0; column < fields_.size(); ++column) {
      if (overridden_[column]) continue;
      std::string_view value = fields_[column].Value(scratch_);
      if (!IsMissing(value)) evidence[column].Observe(value);
    }
  }
  for (size_t column = 0; column < names_.size(); ++column) {
    if (!overridden_[column]) types_[column] = evidence[column].Type();
  }
  return core::OkStatus();
}

core::Status CsvReader::AppendValue(std::string_view value, ColumnBuilder& builder, size_t line,
                                    size_t column) {
  if (IsMissing(value)) {
    builder.AppendMissing();
    return core::OkStatus();
  }
  switch (builder.type()) {
    case ColumnType::kFloat64:
      if (auto number = ParseFloat64(value)) {
        builder.AppendFloat64(*number);
        return core::OkStatus();
      }
      break;
    case ColumnType::kInt64:
      if (auto number = ParseInt64(value)) {
        builder.AppendInt64(*number);
        return core::OkStatus();
      }
      break;
    case ColumnType::kBool:
      if (auto flag = ParseBool(value)) {
        builder.AppendBool(*flag);
        return core::OkStatus();
      }
      break;
    case ColumnType::kCategorical: return builder.AppendCategorical(value);
  }
  // Pass 1 checked or inferred from this very value: only a bug gets here.
  return core::Internal(Place(line, column) + ": " + QuoteForMessage(value) +
                        " no longer parses as the column's type " +
                        std::string(ToString(builder.type())));
}

core::Status CsvReader::Convert(CsvTokenizer& tokenizer, std::vector<ColumnBuilder>& builders) {
  auto next_bad = bad_records_.begin();
  for (size_t record = 0;;) {
    CsvTokenStatus status = tokenizer.Next(fields_);
    if (status == CsvTokenStatus::kEnd) break;
    if (status != CsvTokenStatus::kRecord) {
      tokenizer.SkipLine();  // as pass 1 did: already counted there
      continue;
    }
    if (next_bad != bad_records_.end() && *next_bad == record) {
      ++next_bad;
      ++record;
      continue;
    }
    ++record;
    if (fields_.size() != builders.size()) {  // pass 1 let a ragged record through: a bug
      return core::Internal(Place(tokenizer.record_line(), 0) + ": pass 2 met a ragged record");
    }
    for (size_t column = 0; column < fields_.size(); ++column) {
      MODELHOST_RETURN_IF_ERROR(AppendValue(fields_[column].Value(scratch_), builders[column],
                                            tokenizer.record_line(), column));
    }
  }
  return core::OkStatus();
}

core::Result<ReadResult> CsvReader::Read() {
  if (options_.delimiter == '"' || options_.delimiter == '\n' || options_.delimiter == '\r') {
    return core::InvalidArgument(std::string(source_) +
                                 ": the delimiter cannot be a quote or a line end");
  }
  if (content_.starts_with(kUtf8Bom)) content_.remove_prefix(kUtf8Bom.size());
  delimiter_ = options_.delimiter != '\0' ? options_.delimiter : DetectCsvDelimiter(content_);

  CsvTokenizer tokenizer(content_, delimiter_);
  MODELHOST_RETURN_IF_ERROR(ReadHeader(tokenizer));
  const size_t body_start = tokenizer.position();
  const size_t body_line = tokenizer.line();
  MODELHOST_RETURN_IF_ERROR(InferTypes(tokenizer));

  std::vector<ColumnBuilder> builders;
  builders.reserve(names_.size());
  for (size_t column = 0; column < names_.size(); ++column) {
    builders.emplace_back(names_[column], types_[column]);
    builders.back().Reserve(good_rows_);
  }
  CsvTokenizer second_pass(content_.substr(body_start), delimiter_, true, body_line);
  MODELHOST_RETURN_IF_ERROR(Convert(second_pass, builders));

  std::vector<Column> columns;
  columns.reserve(builders.size());
  for (ColumnBuilder& builder : builders) columns.push_back(std::move(builder).Finish());
  MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(std::move(columns)));
  ReadResult result;
  result.table = std::move(table);
  bad_rows_.MoveInto(result);
  return result;
}

}  // namespace

core::Result<ReadResult> ReadCsvBuffer(std::string_view content, std::string_view source_name,
                                       const ReadCsvOptions& options) {
  return CsvReader(content, source_name, options).Read();
}

core::Result<ReadResult> ReadCsvFile(const std::string& path, const ReadCsvOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(std::string content, core::ReadFileToString(path));
  return ReadCsvBuffer(content, path, options);
}

char DetectCsvDelimiter(std::string_view content) {
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  std::vector<std::array<size_t, 4>> counts;  // per sampled line
  std::array<size_t, 4> line_counts{};
  bool in_quotes = false;
  bool line_has_text = false;
  for (size_t at = 0; at < content.size() && counts.size() < kDelimiterSampleLines; ++at) {
    const char byte = content[at];
    if (byte == '"') {
      in_quotes = !in_quotes;  // a doubled quote toggles twice
    } else if (!in_quotes && (byte == '\n' || byte == '\r')) {
      if (line_has_text) counts.push_back(line_counts);
      line_counts = {};
      line_has_text = false;
      continue;
    } else if (!in_quotes) {
      for (size_t candidate = 0; candidate < kCandidates.size(); ++candidate) {
        if (byte == kCandidates[candidate]) ++line_counts[candidate];
      }
    }
    line_has_text = true;
  }
  if (line_has_text && counts.size() < kDelimiterSampleLines) counts.push_back(line_counts);
  if (counts.empty()) return ',';

  std::optional<size_t> best;
  for (size_t candidate = 0; candidate < kCandidates.size(); ++candidate) {
    const size_t first = counts[0][candidate];
    bool consistent = first > 0;
    for (const auto& line : counts) consistent = consistent && line[candidate] == first;
    if (consistent && (!best || first > counts[0][*best])) best = candidate;
  }
  if (best) return kCandidates[*best];
  size_t most = 0;
  for (size_t candidate = 1; candidate < kCandidates.size(); ++candidate) {
    if (counts[0][candidate] > counts[0][most]) most = candidate;
  }
  return kCandidates[most];
}

}  // namespace modelhost::data
