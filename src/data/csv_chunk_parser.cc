#include "data/csv_chunk_parser.h"

#include <algorithm>
#include <utility>

#include "data/column_builder.h"
#include "data/csv_plain_record.h"
#include "data/csv_speculative_column.h"
#include "data/csv_tokenizer.h"
#include "data/field_parser.h"

namespace modelhost::data {

void TypeEvidence::Observe(std::string_view value) {
  has_value = true;
  // Most numeric columns hold plain decimals, which need no parsing here.
  switch (ClassifyPlainNumber(value)) {
    case PlainNumber::kInt: can_be_bool = false; return;  // an int64 is a float64 too
    case PlainNumber::kDecimal:
      can_be_bool = false;
      can_be_int = false;
      return;
    case PlainNumber::kOther: break;
  }
  if (can_be_bool && !ParseBool(value)) can_be_bool = false;
  if (!can_be_int && !can_be_float) return;  // already text: nothing left to learn
  if (can_be_int) {
    if (ParseInt64(value)) return;  // an int64 is a float64 too
    can_be_int = false;
  }
  if (can_be_float && !ParseFloat64(value)) can_be_float = false;
}

void TypeEvidence::Merge(const TypeEvidence& other) {
  can_be_bool = can_be_bool && other.can_be_bool;
  can_be_int = can_be_int && other.can_be_int;
  can_be_float = can_be_float && other.can_be_float;
  has_value = has_value || other.has_value;
}

ColumnType TypeEvidence::Type() const {
  if (!has_value) return ColumnType::kFloat64;
  if (can_be_bool) return ColumnType::kBool;
  if (can_be_int) return ColumnType::kInt64;
  if (can_be_float) return ColumnType::kFloat64;
  return ColumnType::kCategorical;
}

std::string CsvLayout::Place(size_t line, size_t column) const {
  std::string place =
      source + ": line " + std::to_string(line) + ", column " + std::to_string(column + 1);
  if (column < names.size()) place += " '" + names[column] + "'";
  return place;
}

namespace {

CsvChunkError TokenError(CsvTokenStatus status, const CsvTokenizer& tokenizer) {
  CsvChunkError error{tokenizer.record_line(), tokenizer.error_field(),
                      core::StatusCode::kInvalidArgument, ""};
  if (status == CsvTokenStatus::kUnterminatedQuote) {
    error.detail =
        "quoted field is never closed (its quote opens in the row starting on this line and runs "
        "to the end of the input)";
  } else {
    error.detail =
        "text after the closing quote of a quoted field (a quote inside a quoted field must be "
        "doubled)";
  }
  return error;
}

// Whether the line holding `at` ends inside `block` with a line break that
// cannot be the first half of a CR LF split by the block's end.
bool LineEndsInBlock(std::string_view block, size_t at) {
  const size_t line_end = block.find_first_of("\r\n", at);
  return line_end != std::string_view::npos &&
         !(block[line_end] == '\r' && line_end + 1 == block.size());
}

// One chunk's parse; see ParseCsvChunk.
class ChunkParser {
 public:
  ChunkParser(const CsvLayout& layout, CsvPass pass, CsvChunkResult& result)
      : layout_(layout), pass_(pass), result_(result) {}

  void Run(std::string_view block, size_t begin, size_t stop, uint64_t block_offset,
           bool ends_input, std::span<const uint64_t> bad_records,
           std::span<const uint8_t> only_columns, std::span<const CsvColumnPlace> places);

 private:
  // Records a bad row; false when the chunk must stop (kFail).
  bool Bad(CsvChunkError error);
  // The error that makes the record bad, if any.
  // `bytes` is the record as written; when it is ASCII its fields need no
  // UTF-8 check.
  std::optional<CsvChunkError> CheckRecord(size_t line, std::string_view bytes);
  void Observe();
  // kCheckAndConvert's per-record work; false when the chunk must stop.
  bool ObserveAndConvert(size_t line);
  // Whether the record in plain_fields_ (ScanCsvPlainRecord's) passes
  // CheckRecord; one that does not is left to the tokenizer, whose path
  // reports it.
  bool PlainRecordChecks() const;
  // Observe, ObserveAndConvert and Convert for the record in plain_fields_:
  // the same work, with the numbers the scan already converted.
  void ObservePlain();
  bool ObserveAndConvertPlain(size_t line);
  bool ConvertPlain(size_t line);
  // Whether a plain field's text may be a missing-value token.
  bool MayBeMissing(const CsvPlainField& field) const {
    return field.number.kind == PlainNumber::kOther || numeric_missing_token_;
  }
  // Appends `value` to a builder of the column's final type.
  bool ConvertValue(size_t line, size_t column, std::string_view value, ColumnBuilder& builder);
  bool Convert(size_t line);

  const CsvLayout& layout_;
  CsvPass pass_;
  CsvChunkResult& result_;
  std::vector<CsvField> fields_;
  // The fast path's record (csv_plain_record.h), used when no column is
  // overridden.
  std::vector<CsvPlainField> plain_fields_;
  // Whether a missing-value token is a plain number ("-999"), so a numeric
  // field may be missing too.
  bool numeric_missing_token_ = false;
  std::vector<ColumnBuilder> builders_;
  // kCheckAndConvert: each column as the piece's values suggest.
  std::vector<SpeculativeColumn> speculative_;
  std::span<const uint8_t> only_columns_;
  bool any_override_ = false;
  std::string scratch_;
};

bool ChunkParser::Bad(CsvChunkError error) {
  // Only InvalidArgument is a bad row; anything else (a bug, a dictionary
  // outgrowing int32) ends the read whatever the policy.
  const bool row_error = error.code == core::StatusCode::kInvalidArgument;
  const bool go_on = row_error && layout_.bad_rows == BadRowPolicy::kSkip;
  if (row_error) ++result_.error_count;
  const size_t keep = go_on ? layout_.max_reported_bad_rows : result_.errors.size() + 1;
  if (result_.errors.size() < keep) result_.errors.push_back(std::move(error));
  return go_on;
}

std::optional<CsvChunkError> ChunkParser::CheckRecord(size_t line, std::string_view bytes) {
  const size_t columns = layout_.names.size();
  if (fields_.size() != columns) {
    const std::string what = layout_.has_header ? "the header has " : "the first row has ";
    // Name the first column that is absent, or the first one too many.
    return CsvChunkError{
        line, std::min(fields_.size(), columns), core::StatusCode::kInvalidArgument,
        "row has " + std::to_string(fields_.size()) + " fields, " + what + std::to_string(columns)};
  }
  const bool ascii = IsAscii(bytes);
  if (ascii && !any_override_) return std::nullopt;  // nothing left to check per field
  for (size_t column = 0; column < columns; ++column) {
    std::string_view value = fields_[column].Value(scratch_);
    if (auto bad = ascii ? std::nullopt : FindInvalidUtf8(value)) {
      return CsvChunkError{line, column, core::StatusCode::kInvalidArgument,
                           "invalid UTF-8 at byte " + std::to_string(*bad + 1) + " of the field"};
    }
    if (!layout_.overridden[column] || layout_.IsMissing(value)) continue;
    bool fits = true;
    switch (layout_.types[column]) {
      case ColumnType::kFloat64: fits = ParseFloat64(value).has_value(); break;
      case ColumnType::kInt64: fits = ParseInt64(value).has_value(); break;
      case ColumnType::kBool: fits = ParseBool(value).has_value(); break;
      case ColumnType::kCategorical: break;
    }
    if (!fits) {
      return CsvChunkError{line, column, core::StatusCode::kInvalidArgument,
                           QuoteForMessage(value) + " is not a valid " +
                               std::string(ToString(layout_.types[column])) +
                               " (the column's type is set by an override)"};
    }
  }
  return std::nullopt;
}

void ChunkParser::Observe() {
  ++result_.good_rows;
  for (size_t column = 0; column < fields_.size(); ++column) {
    if (layout_.overridden[column]) continue;
    std::string_view value = fields_[column].Value(scratch_);
    if (!layout_.IsMissing(value)) result_.evidence[column].Observe(value);
  }
}

bool ChunkParser::ConvertValue(size_t line, size_t column, std::string_view value,
                               ColumnBuilder& builder) {
  if (layout_.IsMissing(value)) {
    builder.AppendMissing();
    return true;
  }
  switch (builder.type()) {
    case ColumnType::kFloat64: {
      // A plain number is converted in the same scan that recognizes it.
      const PlainNumberValue plain = ParsePlainNumber(value);
      if (plain.kind != PlainNumber::kOther) {
        builder.AppendFloat64(plain.real);
        return true;
      }
      if (auto number = ParseFloat64(value)) {
        builder.AppendFloat64(*number);
        return true;
      }
      break;
    }
    case ColumnType::kInt64: {
      const PlainNumberValue plain = ParsePlainNumber(value);
      if (plain.kind == PlainNumber::kInt) {
        builder.AppendInt64(plain.integer);
        return true;
      }
      if (auto number = ParseInt64(value)) {
        builder.AppendInt64(*number);
        return true;
      }
      break;
    }
    case ColumnType::kBool:
      if (auto flag = ParseBool(value)) {
        builder.AppendBool(*flag);
        return true;
      }
      break;
    case ColumnType::kCategorical:
      if (core::Status status = builder.AppendCategorical(value); !status.ok()) {
        return Bad({line, column, status.code(), status.message()});
      }
      return true;
  }
  // Pass 1 checked or inferred from this very value: only a bug gets here.
  return Bad({line, column, core::StatusCode::kInternal,
              QuoteForMessage(value) + " no longer parses as the column's type " +
                  std::string(ToString(builder.type()))});
}

bool ChunkParser::Convert(size_t line) {
  if (fields_.size() != builders_.size()) {  // pass 1 let a ragged record through: a bug
    return Bad({line, 0, core::StatusCode::kInternal, "pass 2 met a ragged record"});
  }
  for (size_t column = 0; column < fields_.size(); ++column) {
    if (!only_columns_.empty() && !only_columns_[column]) continue;
    if (!ConvertValue(line, column, fields_[column].Value(scratch_), builders_[column])) {
      return false;
    }
  }
  return true;
}

bool ChunkParser::ObserveAndConvert(size_t line) {
  ++result_.good_rows;
  for (size_t column = 0; column < fields_.size(); ++column) {
    const std::string_view value = fields_[column].Value(scratch_);
    if (any_override_ && layout_.overridden[column]) {
      if (!ConvertValue(line, column, value, builders_[column])) return false;
      continue;
    }
    if (layout_.IsMissing(value)) {
      speculative_[column].AppendMissing();
      continue;
    }
    if (core::Status status =
            speculative_[column].Append(value, result_.evidence[column], layout_.names[column]);
        !status.ok()) {
      return Bad({line, column, status.code(), status.message()});
    }
  }
  return true;
}

bool ChunkParser::PlainRecordChecks() const {
  for (const CsvPlainField& field : plain_fields_) {
    if (field.number.kind == PlainNumber::kOther && !IsAscii(field.text) &&
        FindInvalidUtf8(field.text)) {
      return false;
    }
  }
  return true;
}

void ChunkParser::ObservePlain() {
  ++result_.good_rows;
  for (size_t column = 0; column < plain_fields_.size(); ++column) {
    const CsvPlainField& field = plain_fields_[column];
    if (MayBeMissing(field) && layout_.IsMissing(field.text)) continue;
    TypeEvidence& evidence = result_.evidence[column];
    switch (field.number.kind) {
      case PlainNumber::kInt:  // as TypeEvidence::Observe, without classifying again
        evidence.has_value = true;
        evidence.can_be_bool = false;
        break;
      case PlainNumber::kDecimal:
        evidence.has_value = true;
        evidence.can_be_bool = false;
        evidence.can_be_int = false;
        break;
      case PlainNumber::kOther: evidence.Observe(field.text); break;
    }
  }
}

bool ChunkParser::ConvertPlain(size_t line) {
  for (size_t column = 0; column < plain_fields_.size(); ++column) {
    if (!only_columns_.empty() && !only_columns_[column]) continue;
    const CsvPlainField& field = plain_fields_[column];
    ColumnBuilder& builder = builders_[column];
    if (!MayBeMissing(field)) {  // as ConvertValue, without parsing again
      if (builder.type() == ColumnType::kFloat64) {
        builder.AppendFloat64(field.number.real);
        continue;
      }
      if (builder.type() == ColumnType::kInt64 && field.number.kind == PlainNumber::kInt) {
        builder.AppendInt64(field.number.integer);
        continue;
      }
    }
    if (!ConvertValue(line, column, field.text, builder)) return false;
  }
  return true;
}

bool ChunkParser::ObserveAndConvertPlain(size_t line) {
  ++result_.good_rows;
  for (size_t column = 0; column < plain_fields_.size(); ++column) {
    const CsvPlainField& field = plain_fields_[column];
    if (!MayBeMissing(field) && speculative_[column].TryAppendNumber(field.number)) continue;
    if (MayBeMissing(field) && layout_.IsMissing(field.text)) {
      speculative_[column].AppendMissing();
      continue;
    }
    if (core::Status status = speculative_[column].Append(
            field.text, field.number, result_.evidence[column], layout_.names[column]);
        !status.ok()) {
      return Bad({line, column, status.code(), status.message()});
    }
  }
  return true;
}

void ChunkParser::Run(std::string_view block, size_t begin, size_t stop, uint64_t block_offset,
                      bool ends_input, std::span<const uint64_t> bad_records,
                      std::span<const uint8_t> only_columns,
                      std::span<const CsvColumnPlace> places) {
  result_.begin = begin;
  result_.end = begin;
  only_columns_ = only_columns;
  any_override_ = std::find(layout_.overridden.begin(), layout_.overridden.end(), true) !=
                  layout_.overridden.end();
  const size_t columns = layout_.names.size();
  if (pass_ != CsvPass::kConvert) result_.evidence.assign(columns, TypeEvidence());
  if (pass_ != CsvPass::kCheck) {
    for (size_t column = 0; column < columns; ++column) {
      builders_.emplace_back(layout_.names[column], layout_.types[column]);
    }
  }
  if (pass_ == CsvPass::kCheckAndConvert) {
    // Rows the piece probably holds, from its first line (at most one per
    // `columns` bytes: a record has that many delimiters and line ends).
    const size_t end = std::min(stop, block.size());
    const size_t bytes = end > begin ? end - begin : 0;
    const size_t first_line = block.substr(begin, block.find('\n', begin) - begin).size() + 1;
    const size_t expected =
        std::min(bytes / first_line * 5 / 4, bytes / std::max<size_t>(1, columns)) + 16;
    speculative_.reserve(columns);
    for (size_t column = 0; column < columns; ++column) {
      speculative_.emplace_back(expected, places.empty() ? CsvColumnPlace() : places[column]);
    }
    result_.speculation.assign(columns, CsvSpeculation::kNoValue);
    result_.negative_zero.assign(columns, 0);
    result_.placed_validity.resize(columns);
  }
  auto next_bad = std::lower_bound(bad_records.begin(), bad_records.end(), block_offset + begin);
  const std::string_view piece = block.substr(begin);
  CsvTokenizer tokenizer(piece, layout_.delimiter, ends_input, 1);
  // Pass 2 takes the types as they are; the checking passes leave records
  // with overridden columns to CheckRecord.
  const bool plain_path = columns > 0 && (pass_ == CsvPass::kConvert || !any_override_);
  if (plain_path) {
    plain_fields_.resize(columns);
    for (const std::string& token : layout_.missing_values) {
      if (ClassifyPlainNumber(token) != PlainNumber::kOther) numeric_missing_token_ = true;
    }
  }
  size_t line_at_end = 1;
  bool keep_going = true;
  while (keep_going) {
    if (plain_path) {
      const size_t at = tokenizer.position();
      CsvPlainRecordEnd end;
      // Pass 2 skips the bad records pass 1 found, by offset, so need not check.
      if (begin + at < stop &&
          ScanCsvPlainRecord(piece, at, layout_.delimiter, ends_input, plain_fields_, end) &&
          (pass_ == CsvPass::kConvert || PlainRecordChecks())) {
        const size_t line = tokenizer.line();
        switch (pass_) {
          case CsvPass::kCheck: ObservePlain(); break;
          case CsvPass::kCheckAndConvert: keep_going = ObserveAndConvertPlain(line); break;
          case CsvPass::kConvert:
            if (next_bad != bad_records.end() && *next_bad == block_offset + begin + at) {
              ++next_bad;
            } else {
              keep_going = ConvertPlain(line);
            }
            break;
        }
        tokenizer.Resume(end.position, line + (end.line_break ? 1 : 0));
        result_.end = begin + end.position;
        line_at_end = tokenizer.line();
        continue;
      }
    }
    const CsvTokenStatus status = tokenizer.Next(fields_);
    if (status == CsvTokenStatus::kEnd) break;
    const size_t record_start = begin + tokenizer.record_start();
    if (record_start >= stop) break;  // the next chunk's first record
    if (status == CsvTokenStatus::kIncomplete) {
      result_.incomplete = true;
      break;
    }
    if (status != CsvTokenStatus::kRecord) {
      if (!ends_input && !LineEndsInBlock(block, record_start)) {
        // Skipping the bad line needs bytes the next block holds: leave the
        // record to it, as an unfinished one.
        result_.incomplete = true;
        break;
      }
      // Pass 2 skips the same line pass 1 reported.
      if (pass_ != CsvPass::kConvert) keep_going = Bad(TokenError(status, tokenizer));
      tokenizer.SkipLine();
    } else if (pass_ != CsvPass::kConvert) {
      const std::string_view bytes =
          block.substr(record_start, begin + tokenizer.position() - record_start);
      if (std::optional<CsvChunkError> error = CheckRecord(tokenizer.record_line(), bytes)) {
        result_.bad_records.push_back(block_offset + record_start);
        keep_going = Bad(std::move(*error));
      } else if (pass_ == CsvPass::kCheck) {
        Observe();
      } else {
        keep_going = ObserveAndConvert(tokenizer.record_line());
      }
    } else if (next_bad != bad_records.end() && *next_bad == block_offset + record_start) {
      ++next_bad;
    } else {
      keep_going = Convert(tokenizer.record_line());
    }
    result_.end = begin + tokenizer.position();
    line_at_end = tokenizer.line();
  }
  result_.line_breaks = line_at_end - 1;
  if (pass_ == CsvPass::kConvert) {
    for (ColumnBuilder& builder : builders_) result_.columns.push_back(std::move(builder).Finish());
  } else if (pass_ == CsvPass::kCheckAndConvert) {
    for (size_t column = 0; column < columns; ++column) {
      if (layout_.overridden[column]) {
        result_.speculation[column] = CsvSpeculation::kConverted;
        result_.columns.push_back(std::move(builders_[column]).Finish());
      } else if (speculative_[column].lost()) {
        result_.speculation[column] = CsvSpeculation::kLost;
        result_.columns.push_back(
            ColumnBuilder(layout_.names[column], ColumnType::kFloat64).Finish());
      } else if (speculative_[column].empty()) {
        result_.columns.push_back(
            ColumnBuilder(layout_.names[column], ColumnType::kFloat64).Finish());
      } else if (speculative_[column].placed()) {
        result_.speculation[column] = CsvSpeculation::kPlaced;
        result_.negative_zero[column] = speculative_[column].negative_zero();
        result_.placed_validity[column] = std::move(speculative_[column]).TakeValidity();
        result_.columns.push_back(
            ColumnBuilder(layout_.names[column], ColumnType::kFloat64).Finish());
      } else {
        result_.speculation[column] = CsvSpeculation::kConverted;
        result_.negative_zero[column] = speculative_[column].negative_zero();
        result_.columns.push_back(std::move(speculative_[column]).Finish(layout_.names[column]));
      }
    }
  }
}

}  // namespace

core::Result<CsvLayout> ReadCsvLayout(std::string_view content, bool content_is_whole,
                                      std::string_view source, const ReadCsvOptions& options,
                                      size_t& body_start, size_t& body_line) {
  CsvLayout layout;
  layout.source = std::string(source);
  layout.has_header = options.has_header;
  layout.missing_values = options.missing_values;
  for (const std::string& token : options.missing_values) {
    layout.max_missing_size = std::max(layout.max_missing_size, token.size());
  }
  layout.bad_rows = options.bad_rows;
  layout.max_reported_bad_rows = options.max_reported_bad_rows;
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return core::InvalidArgument(layout.source + ": the delimiter cannot be a quote or a line end");
  }
  layout.delimiter = options.delimiter != '\0' ? options.delimiter : DetectCsvDelimiter(content);

  CsvTokenizer tokenizer(content, layout.delimiter, content_is_whole);
  std::vector<CsvField> fields;
  std::string scratch;
  const CsvTokenStatus status = tokenizer.Next(fields);
  body_start = 0;
  body_line = 1;
  if (status == CsvTokenStatus::kEnd) {
    if (options.has_header) {
      return core::InvalidArgument(layout.source + ": no header line (the input is empty)");
    }
    return layout;
  }
  if (status == CsvTokenStatus::kIncomplete) {
    return core::InvalidArgument(layout.source +
                                 ": the first record is longer than the memory budget's block");
  }
  if (status != CsvTokenStatus::kRecord) {
    const CsvChunkError error = TokenError(status, tokenizer);
    return core::InvalidArgument(layout.Place(error.line, error.column) + ": " + error.detail);
  }
  const size_t line = tokenizer.record_line();
  for (size_t column = 0; column < fields.size(); ++column) {
    std::string name;
    if (options.has_header) {
      std::string_view value = fields[column].Value(scratch);
      if (auto bad = FindInvalidUtf8(value)) {
        return core::InvalidArgument(layout.Place(line, column) +
                                     ": invalid UTF-8 in the header at byte " +
                                     std::to_string(*bad + 1) + " of the name");
      }
      name = value;
    }
    if (name.empty()) name = "column_" + std::to_string(column + 1);
    for (size_t earlier = 0; earlier < layout.names.size(); ++earlier) {
      if (layout.names[earlier] == name) {
        return core::InvalidArgument(layout.Place(line, column) +
                                     ": the header repeats the name '" + name + "' of column " +
                                     std::to_string(earlier + 1));
      }
    }
    layout.names.push_back(std::move(name));
  }
  layout.types.assign(layout.names.size(), ColumnType::kFloat64);
  layout.overridden.assign(layout.names.size(), false);
  for (const auto& [name, type] : options.column_types) {
    auto found = std::find(layout.names.begin(), layout.names.end(), name);
    if (found == layout.names.end()) {
      return core::InvalidArgument(layout.source + ": a type override names column '" + name +
                                   "', which the " + (options.has_header ? "header" : "file") +
                                   " lacks");
    }
    layout.types[found - layout.names.begin()] = type;
    layout.overridden[found - layout.names.begin()] = true;
  }
  // Without a header the first record is data: pass 1 reads it again.
  if (options.has_header) {
    body_start = tokenizer.position();
    body_line = tokenizer.line();
  }
  return layout;
}

CsvChunkResult ParseCsvChunk(const CsvLayout& layout, CsvPass pass, std::string_view block,
                             size_t begin, size_t stop, uint64_t block_offset, bool ends_input,
                             std::span<const uint64_t> bad_records,
                             std::span<const uint8_t> only_columns,
                             std::span<const CsvColumnPlace> places) {
  CsvChunkResult result;
  ChunkParser(layout, pass, result)
      .Run(block, begin, stop, block_offset, ends_input, bad_records, only_columns, places);
  return result;
}

}  // namespace modelhost::data
