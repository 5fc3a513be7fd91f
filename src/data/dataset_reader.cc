#include "data/dataset_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <memory>
#include <new>
#include <set>
#include <thread>
#include <utility>

#include "core/file_reader.h"
#include "core/thread_pool.h"
#include "data/column_builder.h"
#include "data/dataset_checksum.h"
#include "data/field_parser.h"

namespace modelhost::data {

namespace fmt = dataset_format;

namespace {

uint32_t ReadU32(std::string_view bytes, size_t at) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + at, sizeof(value));
  return value;
}

// Empty storage of `type` with room for `rows` values.
Column::Values ReservedValues(ColumnType type, size_t rows) {
  switch (type) {
    case ColumnType::kFloat64: {
      std::vector<double> values;
      values.reserve(rows);
      return values;
    }
    case ColumnType::kInt64: {
      std::vector<int64_t> values;
      values.reserve(rows);
      return values;
    }
    case ColumnType::kBool: {
      std::vector<uint8_t> values;
      values.reserve(rows);
      return values;
    }
    case ColumnType::kCategorical: {
      CategoricalValues values;
      values.codes.reserve(rows);
      return values;
    }
  }
  return std::vector<double>();
}

// Appends `count` values of type T from `bytes` to `values`. REQUIRES: bytes
// is aligned for T (sections start at multiples of 64 of a page-aligned mapping).
template <typename T>
void AppendRaw(std::vector<T>& values, std::string_view bytes, size_t count) {
  const auto* first = reinterpret_cast<const T*>(bytes.data());
  values.insert(values.end(), first, first + count);
}

// The first row in [0, rows) whose value breaks `ok(valid, value)`, or rows.
template <typename T, typename Ok>
size_t FirstBadRow(std::span<const T> values, const ValidityBitmap& validity, Ok ok) {
  for (size_t row = 0; row < values.size(); ++row) {
    if (!ok(validity.IsValid(row), values[row])) return row;
  }
  return values.size();
}

}  // namespace

DatasetReader::DatasetReader(PrivateTag, std::string path) : path_(std::move(path)) {}

DatasetReader::~DatasetReader() {
  if (mapping_ != nullptr) munmap(mapping_, size_);
}

std::string DatasetReader::Place(size_t chunk, size_t column) const {
  return path_ + ": chunk " + std::to_string(chunk) + ", column " + std::to_string(column + 1) +
         " '" + schema_[column].name + "'";
}

core::Status DatasetReader::Map() {
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::PosixErrorStatus(errno, "open", path_);
  struct stat info;
  if (fstat(fd, &info) != 0) {
    const int error = errno;
    close(fd);
    return core::PosixErrorStatus(error, "stat", path_);
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return core::InvalidArgument(path_ + ": not a regular file");
  }
  size_ = static_cast<size_t>(info.st_size);
  if (size_ < fmt::kHeaderSize + fmt::kTrailerSize) {
    close(fd);
    return core::DataLoss(path_ + ": " + std::to_string(size_) +
                          " bytes is too short for a stored dataset (header and trailer take " +
                          std::to_string(fmt::kHeaderSize + fmt::kTrailerSize) + ")");
  }
  void* mapping = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  const int error = errno;
  close(fd);
  if (mapping == MAP_FAILED) return core::PosixErrorStatus(error, "mmap", path_);
  mapping_ = mapping;
  return core::OkStatus();
}

core::Status DatasetReader::CheckEnvelope(uint64_t& footer_offset, uint64_t& footer_size) const {
  const std::string_view header = Bytes(0, fmt::kHeaderSize);
  if (!header.starts_with(fmt::kHeaderMagic)) {
    return core::DataLoss(path_ + ": not a stored dataset (the header's magic bytes are wrong)");
  }
  if (Crc32c(header.substr(0, fmt::kSelfCrcAt)) != ReadU32(header, fmt::kSelfCrcAt)) {
    return core::DataLoss(path_ + ": the header's checksum does not match (the file is damaged)");
  }
  const uint32_t version = ReadU32(header, fmt::kVersionAt);
  if (version != fmt::kVersion) {
    return core::InvalidArgument(path_ + ": format version " + std::to_string(version) +
                                 " is not the one this build reads (" +
                                 std::to_string(fmt::kVersion) + ")");
  }
  if (ReadU32(header, fmt::kHeaderSizeAt) != fmt::kHeaderSize) {
    return core::DataLoss(path_ + ": the header's size field is wrong");
  }
  if (size_ % fmt::kAlignment != 0) {
    return core::DataLoss(path_ + ": the file is " + std::to_string(size_) +
                          " bytes, not a multiple of 64 (truncated?)");
  }
  const std::string_view trailer = Bytes(size_ - fmt::kTrailerSize, fmt::kTrailerSize);
  if (!trailer.starts_with(fmt::kTrailerMagic)) {
    return core::DataLoss(path_ + ": the trailer's magic bytes are wrong (truncated?)");
  }
  if (Crc32c(trailer.substr(0, fmt::kSelfCrcAt)) != ReadU32(trailer, fmt::kSelfCrcAt)) {
    return core::DataLoss(path_ + ": the trailer's checksum does not match (the file is damaged)");
  }
  if (ReadU32(trailer, fmt::kVersionAt) != version) {
    return core::DataLoss(path_ + ": the trailer's version differs from the header's");
  }
  std::memcpy(&footer_offset, trailer.data() + fmt::kFooterOffsetAt, 8);
  std::memcpy(&footer_size, trailer.data() + fmt::kFooterSizeAt, 8);
  const uint64_t footer_end = size_ - fmt::kTrailerSize;
  if (footer_offset < fmt::kHeaderSize || footer_offset % fmt::kAlignment != 0 ||
      footer_offset > footer_end || footer_size > footer_end - footer_offset) {
    return core::DataLoss(path_ + ": the footer's place (" + std::to_string(footer_offset) + ", " +
                          std::to_string(footer_size) + " bytes) lies outside the file");
  }
  if (Crc32c(Bytes(footer_offset, footer_size)) != ReadU32(trailer, fmt::kFooterCrcAt)) {
    return core::DataLoss(path_ + ": the footer's checksum does not match (the file is damaged)");
  }
  return core::OkStatus();
}

core::Status DatasetReader::ParseFooter(std::string_view footer, uint64_t footer_offset) {
  fmt::ByteSource source(footer);
  const auto truncated = [&] { return core::DataLoss(path_ + ": the footer is truncated"); };
  uint32_t column_count;
  if (!source.Get(column_count)) return truncated();
  std::set<std::string_view> names;
  for (uint32_t column = 0; column < column_count; ++column) {
    uint32_t type;
    uint32_t name_size;
    std::string_view name;
    if (!source.Get(type) || !source.Get(name_size) || !source.GetBytes(name_size, name)) {
      return truncated();
    }
    const std::string place = path_ + ": column " + std::to_string(column + 1);
    if (type > static_cast<uint32_t>(ColumnType::kCategorical)) {
      return core::DataLoss(place + " has an unknown type code " + std::to_string(type));
    }
    if (name.empty() || FindInvalidUtf8(name) || !names.insert(name).second) {
      return core::DataLoss(place + " has an empty, repeated or non-UTF-8 name");
    }
    schema_.push_back({std::string(name), static_cast<ColumnType>(type)});
  }
  uint64_t row_count;
  uint64_t chunk_count;
  if (!source.Get(row_count) || !source.Get(chunk_count)) return truncated();
  const uint64_t chunk_bytes = 8 + uint64_t{column_count} * fmt::kEntrySize;
  if (chunk_count > source.remaining() / chunk_bytes ||
      chunk_count * chunk_bytes != source.remaining()) {
    return core::DataLoss(path_ + ": the footer's chunk count " + std::to_string(chunk_count) +
                          " does not match its size");
  }
  if (column_count == 0 && (row_count != 0 || chunk_count != 0)) {
    return core::DataLoss(path_ + ": a dataset without columns claims rows or chunks");
  }
  uint64_t rows_seen = 0;
  // Sections lie in file order without overlapping, as the writer puts them
  // (per chunk, per column: dictionary, then data), so the rows a footer can
  // claim are bounded by the file's size.
  uint64_t free_from = fmt::kHeaderSize;
  for (uint64_t chunk = 0; chunk < chunk_count; ++chunk) {
    uint64_t rows;
    source.Get(rows);
    if (rows == 0 || rows > size_ || rows > row_count - rows_seen) {
      return core::DataLoss(path_ + ": chunk " + std::to_string(chunk) + " claims " +
                            std::to_string(rows) + " rows, which the row count " +
                            std::to_string(row_count) + " or the file size rules out");
    }
    rows_seen += rows;
    chunk_rows_.push_back(rows);
    std::vector<fmt::ColumnChunkEntry> entries(column_count);
    for (fmt::ColumnChunkEntry& entry : entries) {
      uint64_t new_categories = 0;
      uint32_t reserved = 0;
      source.Get(entry.data_offset);
      source.Get(entry.data_size);
      source.Get(entry.dictionary_offset);
      source.Get(entry.dictionary_size);
      source.Get(new_categories);
      source.Get(entry.data_crc);
      source.Get(entry.dictionary_crc);
      source.Get(reserved);
      if (new_categories > ColumnBuilder::kMaxCategories) {
        return core::DataLoss(path_ + ": chunk " + std::to_string(chunk) +
                              " adds more categories than a column can hold");
      }
      entry.new_categories = static_cast<uint32_t>(new_categories);
    }
    entries_.push_back(std::move(entries));
    for (size_t column = 0; column < column_count; ++column) {
      MODELHOST_RETURN_IF_ERROR(CheckEntry(chunk, column, footer_offset));
      const fmt::ColumnChunkEntry& entry = entries_[chunk][column];
      if (entry.dictionary_size > 0) {
        if (entry.dictionary_offset < free_from) {
          return core::DataLoss(Place(chunk, column) +
                                ": the dictionary section overlaps an earlier section");
        }
        free_from = entry.dictionary_offset + entry.dictionary_size;
      }
      if (entry.data_offset < free_from) {
        return core::DataLoss(Place(chunk, column) +
                              ": the data section overlaps an earlier section");
      }
      free_from = entry.data_offset + entry.data_size;
    }
  }
  if (rows_seen != row_count) {
    return core::DataLoss(path_ + ": the chunks hold " + std::to_string(rows_seen) +
                          " rows, the footer claims " + std::to_string(row_count));
  }
  num_rows_ = row_count;
  return core::OkStatus();
}

core::Status DatasetReader::CheckEntry(size_t chunk, size_t column, uint64_t footer_offset) const {
  const fmt::ColumnChunkEntry& entry = entries_[chunk][column];
  const ColumnType type = schema_[column].type;
  const auto inside = [&](uint64_t offset, uint64_t size) {
    return offset >= fmt::kHeaderSize && offset % fmt::kAlignment == 0 && offset <= footer_offset &&
           size <= footer_offset - offset;
  };
  const std::optional<uint64_t> data_size = fmt::DataSize(chunk_rows_[chunk], type);
  if (!data_size || entry.data_size != *data_size || !inside(entry.data_offset, entry.data_size)) {
    return core::DataLoss(Place(chunk, column) + ": the data section (" +
                          std::to_string(entry.data_size) + " bytes at " +
                          std::to_string(entry.data_offset) +
                          ") has the wrong size or lies outside the file");
  }
  const bool has_dictionary = type == ColumnType::kCategorical && entry.new_categories > 0;
  if (!has_dictionary) {
    if (entry.new_categories != 0 || entry.dictionary_offset != 0 || entry.dictionary_size != 0) {
      return core::DataLoss(Place(chunk, column) + ": a dictionary section where none belongs");
    }
    return core::OkStatus();
  }
  if (entry.dictionary_size < uint64_t{entry.new_categories} * 8 ||
      !inside(entry.dictionary_offset, entry.dictionary_size)) {
    return core::DataLoss(Place(chunk, column) + ": the dictionary section (" +
                          std::to_string(entry.dictionary_size) + " bytes at " +
                          std::to_string(entry.dictionary_offset) +
                          ") is too small or lies outside the file");
  }
  return core::OkStatus();
}

core::Status DatasetReader::LoadDictionaries() {
  dictionaries_.resize(schema_.size());
  for (size_t column = 0; column < schema_.size(); ++column) {
    if (schema_[column].type != ColumnType::kCategorical) continue;
    Dictionary& dictionary = dictionaries_[column];
    std::set<std::string_view> seen;
    for (size_t chunk = 0; chunk < chunk_rows_.size(); ++chunk) {
      const fmt::ColumnChunkEntry& entry = entries_[chunk][column];
      if (entry.new_categories > 0) {
        const std::string_view section = Bytes(entry.dictionary_offset, entry.dictionary_size);
        if (Crc32c(section) != entry.dictionary_crc) {
          return core::DataLoss(Place(chunk, column) +
                                ": the dictionary section's checksum does not match");
        }
        const size_t count = entry.new_categories;
        const std::string_view text = section.substr(count * 8);
        uint64_t begin = 0;
        for (size_t index = 0; index < count; ++index) {
          uint64_t end;
          std::memcpy(&end, section.data() + index * 8, 8);
          if (end < begin || end > text.size() || (index + 1 == count && end != text.size())) {
            return core::DataLoss(Place(chunk, column) + ": category " + std::to_string(index) +
                                  " of the dictionary section has a bad end offset");
          }
          const std::string_view category = text.substr(begin, end - begin);
          if (FindInvalidUtf8(category)) {
            return core::DataLoss(Place(chunk, column) + ": a category is not valid UTF-8");
          }
          dictionary.categories.emplace_back(category);
          if (dictionary.categories.size() > ColumnBuilder::kMaxCategories) {
            return core::DataLoss(Place(chunk, column) + ": more categories than a column holds");
          }
          begin = end;
        }
      }
      dictionary.size_after_chunk.push_back(dictionary.categories.size());
    }
    // Distinctness last: the strings no longer move once the vector is complete.
    for (const std::string& category : dictionary.categories) {
      if (!seen.insert(category).second) {
        return core::DataLoss(path_ + ": column " + std::to_string(column + 1) + " '" +
                              schema_[column].name + "': the category " +
                              QuoteForMessage(category) + " appears twice in the dictionary");
      }
    }
  }
  return core::OkStatus();
}

core::Result<std::unique_ptr<DatasetReader>> DatasetReader::Open(const std::string& path) {
  auto reader = std::make_unique<DatasetReader>(PrivateTag{}, path);
  MODELHOST_RETURN_IF_ERROR(reader->Map());
  uint64_t footer_offset = 0;
  uint64_t footer_size = 0;
  MODELHOST_RETURN_IF_ERROR(reader->CheckEnvelope(footer_offset, footer_size));
  MODELHOST_RETURN_IF_ERROR(
      reader->ParseFooter(reader->Bytes(footer_offset, footer_size), footer_offset));
  MODELHOST_RETURN_IF_ERROR(reader->LoadDictionaries());
  return reader;
}

core::Status DatasetReader::AppendColumnChunk(size_t chunk, size_t column, Column::Values& values,
                                              ValidityBitmap& validity) const {
  const fmt::ColumnChunkEntry& entry = entries_[chunk][column];
  const std::string_view data = Bytes(entry.data_offset, entry.data_size);
  if (Crc32c(data) != entry.data_crc) {
    return core::DataLoss(Place(chunk, column) + ": the data section's checksum does not match");
  }
  const size_t rows = chunk_rows_[chunk];
  const size_t words = fmt::ValidityBytes(rows) / 8;
  std::vector<uint64_t> bits(words);
  std::memcpy(bits.data(), data.data(), words * 8);
  std::optional<ValidityBitmap> chunk_validity = ValidityBitmap::FromWords(std::move(bits), rows);
  if (!chunk_validity) {
    return core::DataLoss(Place(chunk, column) + ": the validity bitmap sets bits past the rows");
  }
  const std::string_view raw = data.substr(fmt::AlignUp(words * 8));
  size_t bad_row = rows;
  switch (schema_[column].type) {
    case ColumnType::kFloat64: {
      auto& array = std::get<std::vector<double>>(values);
      AppendRaw(array, raw, rows);
      bad_row = FirstBadRow(std::span<const double>(array).last(rows), *chunk_validity,
                            [](bool valid, double value) { return valid || std::isnan(value); });
      break;
    }
    case ColumnType::kInt64: {
      auto& array = std::get<std::vector<int64_t>>(values);
      AppendRaw(array, raw, rows);
      bad_row = FirstBadRow(std::span<const int64_t>(array).last(rows), *chunk_validity,
                            [](bool valid, int64_t value) { return valid || value == 0; });
      break;
    }
    case ColumnType::kBool: {
      auto& array = std::get<std::vector<uint8_t>>(values);
      AppendRaw(array, raw, rows);
      bad_row =
          FirstBadRow(std::span<const uint8_t>(array).last(rows), *chunk_validity,
                      [](bool valid, uint8_t value) { return valid ? value <= 1 : value == 0; });
      break;
    }
    case ColumnType::kCategorical: {
      auto& array = std::get<CategoricalValues>(values).codes;
      AppendRaw(array, raw, rows);
      const auto known = static_cast<int64_t>(dictionaries_[column].size_after_chunk[chunk]);
      bad_row =
          FirstBadRow(std::span<const int32_t>(array).last(rows), *chunk_validity,
                      [known](bool valid, int32_t code) {
                        return valid ? code >= 0 && code < known : code == Column::kMissingCode;
                      });
      break;
    }
  }
  if (bad_row != rows) {
    return core::DataLoss(Place(chunk, column) + ": row " + std::to_string(bad_row) +
                          " of the chunk holds a value its type or validity rules out");
  }
  validity.Append(*chunk_validity);
  return core::OkStatus();
}

core::Result<Table> DatasetReader::ReadChunk(size_t chunk) const {
  std::vector<Column> columns;
  columns.reserve(schema_.size());
  for (size_t column = 0; column < schema_.size(); ++column) {
    Column::Values values = ReservedValues(schema_[column].type, chunk_rows_[chunk]);
    ValidityBitmap validity;
    MODELHOST_RETURN_IF_ERROR(AppendColumnChunk(chunk, column, values, validity));
    if (auto* categorical = std::get_if<CategoricalValues>(&values)) {
      const auto& all = dictionaries_[column].categories;
      categorical->categories.assign(all.begin(),
                                     all.begin() + dictionaries_[column].size_after_chunk[chunk]);
    }
    columns.push_back(
        ColumnBuilder::Assemble(schema_[column].name, std::move(values), std::move(validity)));
  }
  return Table::Make(std::move(columns));
}

core::Result<Column> DatasetReader::ReadColumn(size_t column) const {
  Column::Values values = ReservedValues(schema_[column].type, num_rows_);
  ValidityBitmap validity;
  validity.Reserve(num_rows_);
  for (size_t chunk = 0; chunk < chunk_rows_.size(); ++chunk) {
    MODELHOST_RETURN_IF_ERROR(AppendColumnChunk(chunk, column, values, validity));
  }
  if (auto* categorical = std::get_if<CategoricalValues>(&values)) {
    categorical->categories = dictionaries_[column].categories;
  }
  return ColumnBuilder::Assemble(schema_[column].name, std::move(values), std::move(validity));
}

core::Result<Table> DatasetReader::ReadAll(size_t threads) const {
  const size_t count = schema_.size();
  if (threads == 0) threads = std::max<unsigned>(1, std::thread::hardware_concurrency());
  std::unique_ptr<core::ThreadPool> pool;
  if (std::min(threads, count) > 1) {
    // Without a pool (it failed to start) the columns are read here, one by one.
    auto created = core::ThreadPool::Create(
        {.num_threads = std::min(threads, count), .max_queue_size = count, .name = "dataset-read"});
    if (created.ok()) pool = std::move(created).value();
  }
  std::vector<core::Result<Column>> read(count, core::Internal("column not read"));
  core::RunOnPool(pool.get(), count, [&](size_t column) {
    try {
      read[column] = ReadColumn(column);
    } catch (const std::bad_alloc&) {
      read[column] = core::ResourceExhausted(path_ + ": out of memory reading column " +
                                             std::to_string(column + 1));
    }
  });
  std::vector<Column> columns;
  columns.reserve(count);
  for (core::Result<Column>& column : read) {
    if (!column.ok()) return column.status();
    columns.push_back(std::move(column).value());
  }
  return Table::Make(std::move(columns));
}

core::Result<Table> ReadDataset(const std::string& path) {
  MODELHOST_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(path));
  return reader->ReadAll();
}

}  // namespace modelhost::data
