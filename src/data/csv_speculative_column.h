// SpeculativeColumn: one column of one CSV piece, converted during pass 1
// (CsvPass::kCheckAndConvert, csv_chunk_parser.h) with the type the piece's
// own values suggest so far, while the column's TypeEvidence is gathered
// from the same values.
//
// The first value fixes the kind: bool, int64, float64, or categorical for
// text. An int64 column widens to float64 in place when a fraction comes
// (the cast rounds as ParseFloat64 does; a "-0" seen before makes the column
// lost instead, as the cast would drop its sign). Any other change — a number
// after "true", text after numbers — makes the column lost: its values are
// dropped and the caller converts the piece's column again with the final
// type. Values are held in plain vectors (no per-value dispatch) and become
// a Column through ColumnBuilder::Assemble — or, given a place, float64 or
// int64 values are written into the table's column directly.
//
// Thread-safety: not thread-safe; one per piece and column.

#ifndef MODELHOST_DATA_CSV_SPECULATIVE_COLUMN_H_
#define MODELHOST_DATA_CSV_SPECULATIVE_COLUMN_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/column.h"
#include "data/column_builder.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_placed_values.h"
#include "data/field_parser.h"
#include "data/validity_bitmap.h"

namespace modelhost::data {

class SpeculativeColumn {
 public:
  // `expected_rows`: how many rows the piece probably holds (a reservation).
  // `place`: where float64 or int64 values go (csv_placed_values.h), if the
  // column turns out to be of that type.
  explicit SpeculativeColumn(size_t expected_rows = 0, const CsvColumnPlace& place = {})
      : expected_rows_(expected_rows) {
    if (place.reals != nullptr) reals_.Place(place.reals, place.capacity);
    if (place.ints != nullptr) ints_.Place(place.ints, place.capacity);
  }

  void AppendMissing() {
    switch (kind_) {
      case Kind::kNone: ++missing_before_; return;
      case Kind::kFloat64: reals_.PushBack(kMissingReal); break;
      case Kind::kInt64: ints_.PushBack(0); break;
      case Kind::kBool: bools_.push_back(0); break;
      case Kind::kCategorical: categorical_->AppendMissing(); return;
      case Kind::kLost: return;
    }
    validity_.Append(false);
  }

  // Appends `value` (not a missing token) and records what it can be in
  // `evidence`, as TypeEvidence::Observe would. Errors: a categorical
  // dictionary outgrowing int32 (ResourceExhausted, naming `name`).
  core::Status Append(std::string_view value, TypeEvidence& evidence, std::string_view name) {
    if (kind_ == Kind::kFloat64 || kind_ == Kind::kInt64) {
      const PlainNumberValue number = ParsePlainNumber(value);
      if (number.kind != PlainNumber::kOther) {  // the common case, without optionals
        AppendNumber(number, evidence);
        return core::OkStatus();
      }
    }
    return AppendSlowly(value, evidence, name);
  }

  // Append for a value whose ParsePlainNumber the caller already has.
  core::Status Append(std::string_view value, const PlainNumberValue& number,
                      TypeEvidence& evidence, std::string_view name) {
    if ((kind_ == Kind::kFloat64 || kind_ == Kind::kInt64) && number.kind != PlainNumber::kOther) {
      AppendNumber(number, evidence);
      return core::OkStatus();
    }
    return AppendSlowly(value, evidence, name);
  }

  // Append's fast path, for a plain number (`number.kind` not kOther) going
  // into a column already of its kind — float64, or int64 for an integer —
  // with nothing to learn about the type: the first value of that kind
  // recorded all a plain number can say in the evidence. False, having done
  // nothing, for any other case.
  [[gnu::always_inline]] bool TryAppendNumber(const PlainNumberValue& number) {
    if (kind_ == Kind::kFloat64) {
      reals_.PushBack(number.real);
    } else if (kind_ == Kind::kInt64 && number.kind == PlainNumber::kInt) {
      // "-0": the sign the integer drops, which a widening to float64 must keep.
      if (number.integer == 0 && std::signbit(number.real)) negative_zero_ = true;
      ints_.PushBack(number.integer);
    } else {
      return false;
    }
    validity_.Append(true);
    return true;
  }

  // Whether the values outgrew the kind (the column must be converted again).
  bool lost() const { return kind_ == Kind::kLost; }
  // Whether no value came (every row missing, or none).
  bool empty() const { return kind_ == Kind::kNone; }
  // Whether an int64 column holds a "-0".
  bool negative_zero() const { return negative_zero_; }
  // Whether the values lie in the place given at construction (as float64
  // for its `reals`, int64 for its `ints`), every one of them.
  bool placed() const {
    return (kind_ == Kind::kFloat64 && reals_.placed()) ||
           (kind_ == Kind::kInt64 && ints_.placed());
  }

  // The column. REQUIRES: !lost() && !empty() && !placed().
  Column Finish(std::string name) &&;
  // The validity of the placed values. REQUIRES: placed().
  ValidityBitmap TakeValidity() && { return std::move(validity_); }

 private:
  enum class Kind : uint8_t { kNone, kBool, kInt64, kFloat64, kCategorical, kLost };
  static constexpr double kMissingReal = std::numeric_limits<double>::quiet_NaN();

  // REQUIRES: kind_ is kFloat64 or kInt64, number.kind is not kOther.
  void AppendNumber(const PlainNumberValue& number, TypeEvidence& evidence) {
    evidence.has_value = true;
    evidence.can_be_bool = false;
    if (number.kind == PlainNumber::kDecimal) evidence.can_be_int = false;
    if (kind_ == Kind::kFloat64) {
      reals_.PushBack(number.real);
    } else if (number.kind == PlainNumber::kInt) {
      // "-0": the sign the integer drops, which a widening to float64 must keep.
      if (number.integer == 0 && std::signbit(number.real)) negative_zero_ = true;
      ints_.PushBack(number.integer);
    } else if (!WidenToFloat64()) {
      return;
    } else {
      reals_.PushBack(number.real);
    }
    validity_.Append(true);
  }
  core::Status AppendSlowly(std::string_view value, TypeEvidence& evidence, std::string_view name);
  // Starts the column with `kind`, the rows before missing.
  void Start(Kind kind, std::string_view name);
  // int64 → float64; false (and the column lost) after a "-0".
  bool WidenToFloat64();
  void Lose();

  size_t expected_rows_;
  Kind kind_ = Kind::kNone;
  size_t missing_before_ = 0;
  bool negative_zero_ = false;
  PlacedValues<double> reals_;
  PlacedValues<int64_t> ints_;
  std::vector<uint8_t> bools_;
  std::optional<ColumnBuilder> categorical_;  // its dictionary interns the strings
  ValidityBitmap validity_;
};

// kCheckAndConvert's column `column` of `chunk` (moved out of it) as a column
// named `name` of type `type`: the piece's own column; an int64 one cast to
// float64 (the same doubles ParseFloat64 gives the same text, unless a "-0"
// is among them); all missing where the piece had no value. Nullopt where
// only kConvert can make it: the values outgrew the piece's guess, or they
// were converted to another type.
std::optional<Column> TakeSpeculatedColumn(CsvChunkResult& chunk, size_t column,
                                           const std::string& name, ColumnType type);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_SPECULATIVE_COLUMN_H_
