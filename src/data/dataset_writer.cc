#include "data/dataset_writer.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <utility>

#include "data/dataset_checksum.h"

namespace modelhost::data {

namespace fmt = dataset_format;

namespace {

// Bits [begin, end) of `words` as a packed bitmap of their own, appended to `out`.
void AppendBitRange(std::span<const uint64_t> words, size_t begin, size_t end, std::string& out) {
  fmt::ByteSink sink(out);
  const size_t shift = begin % 64;
  for (size_t row = begin; row < end; row += 64) {
    const size_t word = row / 64;
    uint64_t bits = words[word] >> shift;
    if (shift != 0 && word + 1 < words.size()) bits |= words[word + 1] << (64 - shift);
    if (end - row < 64) bits &= (uint64_t{1} << (end - row)) - 1;
    sink.Put(bits);
  }
}

template <typename T>
std::string_view BytesOf(std::span<const T> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size_bytes()};
}

}  // namespace

std::vector<DatasetColumn> SchemaOf(const Table& table) {
  std::vector<DatasetColumn> schema;
  for (const Column& column : table.columns()) schema.push_back({column.name(), column.type()});
  return schema;
}

DatasetWriter::DatasetWriter(PrivateTag, std::vector<DatasetColumn> schema,
                             std::unique_ptr<core::AtomicFileWriter> file)
    : schema_(std::move(schema)), file_(std::move(file)), dictionaries_(schema_.size()) {}

core::Result<std::unique_ptr<DatasetWriter>> DatasetWriter::Create(
    const std::string& path, std::vector<DatasetColumn> schema) {
  std::set<std::string_view> names;
  for (size_t index = 0; index < schema.size(); ++index) {
    if (schema[index].name.empty() || !names.insert(schema[index].name).second) {
      return core::InvalidArgument(path + ": column " + std::to_string(index + 1) + " has " +
                                   (schema[index].name.empty() ? "an empty" : "a repeated") +
                                   " name");
    }
  }
  MODELHOST_ASSIGN_OR_RETURN(auto file, core::AtomicFileWriter::Create(path));
  auto writer = std::make_unique<DatasetWriter>(PrivateTag{}, std::move(schema), std::move(file));
  std::string header(fmt::kHeaderSize, '\0');
  std::memcpy(header.data(), fmt::kHeaderMagic.data(), fmt::kHeaderMagic.size());
  const uint32_t version = fmt::kVersion;
  const uint32_t header_size = fmt::kHeaderSize;
  std::memcpy(header.data() + fmt::kVersionAt, &version, 4);
  std::memcpy(header.data() + fmt::kHeaderSizeAt, &header_size, 4);
  const uint32_t crc = Crc32c(std::string_view(header).substr(0, fmt::kSelfCrcAt));
  std::memcpy(header.data() + fmt::kSelfCrcAt, &crc, 4);
  MODELHOST_RETURN_IF_ERROR(writer->WriteAligned(header).status());
  return writer;
}

core::Result<uint64_t> DatasetWriter::WriteAligned(std::string_view bytes) {
  static constexpr char kZeros[fmt::kAlignment] = {};
  const uint64_t start = offset_;
  MODELHOST_RETURN_IF_ERROR(file_->Append(bytes));
  offset_ += bytes.size();
  const uint64_t padding = fmt::AlignUp(offset_) - offset_;
  MODELHOST_RETURN_IF_ERROR(file_->Append(std::string_view(kZeros, padding)));
  offset_ += padding;
  return start;
}

core::Status DatasetWriter::CheckSchema(const Table& table) const {
  if (table.num_columns() != schema_.size()) {
    return core::InvalidArgument(
        file_->path() + ": a chunk has " + std::to_string(table.num_columns()) +
        " columns, the dataset's schema " + std::to_string(schema_.size()));
  }
  for (size_t index = 0; index < schema_.size(); ++index) {
    const Column& column = table.column(index);
    if (column.name() != schema_[index].name || column.type() != schema_[index].type) {
      return core::InvalidArgument(
          file_->path() + ": column " + std::to_string(index + 1) + " of a chunk is '" +
          column.name() + "' (" + std::string(ToString(column.type())) + "), the schema's is '" +
          schema_[index].name + "' (" + std::string(ToString(schema_[index].type)) + ")");
    }
  }
  return core::OkStatus();
}

core::Status DatasetWriter::AppendChunk(const Table& chunk) {
  if (failed_ || finished_) {
    return core::FailedPrecondition(file_->path() + ": the dataset writer is " +
                                    (finished_ ? "finished" : "failed"));
  }
  MODELHOST_RETURN_IF_ERROR(CheckSchema(chunk));
  if (chunk.num_rows() == 0) return core::OkStatus();
  return AppendRows(chunk, 0, chunk.num_rows());
}

core::Status DatasetWriter::AppendRows(const Table& table, size_t begin, size_t end) {
  std::vector<fmt::ColumnChunkEntry> entries(schema_.size());
  for (size_t index = 0; index < schema_.size(); ++index) {
    core::Status status = WriteColumn(table.column(index), index, begin, end, entries[index]);
    if (!status.ok()) {
      failed_ = true;
      return status;
    }
  }
  chunk_rows_.push_back(end - begin);
  entries_.push_back(std::move(entries));
  rows_ += end - begin;
  return core::OkStatus();
}

core::Status DatasetWriter::WriteColumn(const Column& column, size_t index, size_t begin,
                                        size_t end, fmt::ColumnChunkEntry& entry) {
  // The data section: validity words, padding, values — assembled in one
  // buffer so its checksum is one call.
  scratch_.clear();
  AppendBitRange(column.validity().words(), begin, end, scratch_);
  scratch_.resize(fmt::AlignUp(scratch_.size()), '\0');
  const size_t rows = end - begin;
  switch (column.type()) {
    case ColumnType::kFloat64:
      scratch_.append(BytesOf(column.float64_values().subspan(begin, rows)));
      break;
    case ColumnType::kInt64:
      scratch_.append(BytesOf(column.int64_values().subspan(begin, rows)));
      break;
    case ColumnType::kBool:
      scratch_.append(BytesOf(column.bool_values().subspan(begin, rows)));
      break;
    case ColumnType::kCategorical: {
      CategoryDictionary& dictionary = dictionaries_[index];
      const size_t known = dictionary.size();
      // The table's code k becomes recode[k] in the file's dictionary; only
      // categories used by these rows are added, so a slice adds no strays.
      std::vector<int32_t> recode(column.categories().size(), Column::kMissingCode);
      recoded_.clear();
      for (int32_t code : column.categorical_codes().subspan(begin, rows)) {
        if (code != Column::kMissingCode && recode[code] == Column::kMissingCode) {
          MODELHOST_ASSIGN_OR_RETURN(recode[code],
                                     dictionary.Intern(column.categories()[code], column.name()));
        }
        recoded_.push_back(code == Column::kMissingCode ? code : recode[code]);
      }
      scratch_.append(BytesOf(std::span<const int32_t>(recoded_)));
      std::string added;
      fmt::ByteSink sink(added);
      uint64_t end_offset = 0;
      for (size_t code = known; code < dictionary.size(); ++code) {
        end_offset += dictionary.categories()[code].size();
        sink.Put(end_offset);
      }
      for (size_t code = known; code < dictionary.size(); ++code) {
        sink.PutBytes(dictionary.categories()[code]);
      }
      entry.new_categories = static_cast<uint32_t>(dictionary.size() - known);
      if (entry.new_categories > 0) {
        entry.dictionary_size = added.size();
        entry.dictionary_crc = Crc32c(added);
        MODELHOST_ASSIGN_OR_RETURN(entry.dictionary_offset, WriteAligned(added));
      }
      break;
    }
  }
  entry.data_size = scratch_.size();
  entry.data_crc = Crc32c(scratch_);
  MODELHOST_ASSIGN_OR_RETURN(entry.data_offset, WriteAligned(scratch_));
  return core::OkStatus();
}

std::string DatasetWriter::EncodeFooter() const {
  std::string footer;
  fmt::ByteSink sink(footer);
  sink.Put(static_cast<uint32_t>(schema_.size()));
  for (const DatasetColumn& column : schema_) {
    sink.Put(static_cast<uint32_t>(column.type));
    sink.Put(static_cast<uint32_t>(column.name.size()));
    sink.PutBytes(column.name);
  }
  sink.Put(static_cast<uint64_t>(rows_));
  sink.Put(static_cast<uint64_t>(entries_.size()));
  for (size_t chunk = 0; chunk < entries_.size(); ++chunk) {
    sink.Put(chunk_rows_[chunk]);
    for (const fmt::ColumnChunkEntry& entry : entries_[chunk]) {
      sink.Put(entry.data_offset);
      sink.Put(entry.data_size);
      sink.Put(entry.dictionary_offset);
      sink.Put(entry.dictionary_size);
      sink.Put(uint64_t{entry.new_categories});
      sink.Put(entry.data_crc);
      sink.Put(entry.dictionary_crc);
      sink.Put(uint32_t{0});  // reserved
    }
  }
  return footer;
}

core::Status DatasetWriter::Finish() {
  if (failed_ || finished_) {
    return core::FailedPrecondition(file_->path() + ": the dataset writer is " +
                                    (finished_ ? "finished" : "failed"));
  }
  finished_ = true;
  const std::string footer = EncodeFooter();
  MODELHOST_ASSIGN_OR_RETURN(uint64_t footer_offset, WriteAligned(footer));
  std::string trailer(fmt::kTrailerSize, '\0');
  std::memcpy(trailer.data(), fmt::kTrailerMagic.data(), fmt::kTrailerMagic.size());
  const uint32_t version = fmt::kVersion;
  const uint64_t footer_size = footer.size();
  const uint32_t footer_crc = Crc32c(footer);
  std::memcpy(trailer.data() + fmt::kVersionAt, &version, 4);
  std::memcpy(trailer.data() + fmt::kFooterOffsetAt, &footer_offset, 8);
  std::memcpy(trailer.data() + fmt::kFooterSizeAt, &footer_size, 8);
  std::memcpy(trailer.data() + fmt::kFooterCrcAt, &footer_crc, 4);
  const uint32_t crc = Crc32c(std::string_view(trailer).substr(0, fmt::kSelfCrcAt));
  std::memcpy(trailer.data() + fmt::kSelfCrcAt, &crc, 4);
  MODELHOST_RETURN_IF_ERROR(WriteAligned(trailer).status());
  return file_->Commit();
}

core::Status WriteDataset(const std::string& path, const Table& table, size_t rows_per_chunk) {
  assert(rows_per_chunk > 0);
  MODELHOST_ASSIGN_OR_RETURN(auto writer, DatasetWriter::Create(path, SchemaOf(table)));
  for (size_t begin = 0; begin < table.num_rows(); begin += rows_per_chunk) {
    MODELHOST_RETURN_IF_ERROR(
        writer->AppendRows(table, begin, std::min(table.num_rows(), begin + rows_per_chunk)));
  }
  return writer->Finish();
}

}  // namespace modelhost::data
