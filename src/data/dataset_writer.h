// DatasetWriter: writes a stored dataset file (layout: dataset_format.h,
// docs/design/data.md) chunk by chunk, so a table larger than memory can be
// stored as it is produced, and makes it visible atomically: the file appears
// complete at Finish or not at all (core::AtomicFileWriter: temporary file,
// fsync, rename).
//
//   MODELHOST_ASSIGN_OR_RETURN(auto writer, DatasetWriter::Create(path, schema));
//   MODELHOST_RETURN_IF_ERROR(writer->AppendChunk(first_rows));
//   MODELHOST_RETURN_IF_ERROR(writer->AppendChunk(more_rows));
//   MODELHOST_RETURN_IF_ERROR(writer->Finish());
//
// Each appended Table becomes one chunk. Categorical columns share one
// dictionary per column across the file: a chunk's codes are re-coded into
// it and the chunk records only the categories it adds (first-appearance
// order over the whole file, as a Table read in one piece would have).
// Memory: the dictionaries plus one chunk's re-coded codes.
//
// Thread-safety: not thread-safe; one writer belongs to one thread.

#ifndef MODELHOST_DATA_DATASET_WRITER_H_
#define MODELHOST_DATA_DATASET_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/result.h"
#include "core/status.h"
#include "data/column.h"
#include "data/column_builder.h"
#include "data/dataset_format.h"
#include "data/table.h"

namespace modelhost::data {

// One column of a stored dataset's schema.
struct DatasetColumn {
  std::string name;
  ColumnType type = ColumnType::kFloat64;

  friend bool operator==(const DatasetColumn&, const DatasetColumn&) = default;
};

// The schema of `table`, column by column.
std::vector<DatasetColumn> SchemaOf(const Table& table);

class DatasetWriter {
 public:
  // Starts the file at `path` (written to a temporary file beside it until
  // Finish). InvalidArgument for an empty or repeated column name; errors of
  // core::AtomicFileWriter::Create otherwise.
  static core::Result<std::unique_ptr<DatasetWriter>> Create(const std::string& path,
                                                             std::vector<DatasetColumn> schema);

  // Without a successful Finish the temporary file is deleted and `path` keeps
  // its old content (or stays absent).
  ~DatasetWriter() = default;
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  // Appends the rows of `chunk` as one chunk (none for an empty chunk).
  // InvalidArgument when its columns differ from the schema in number, name,
  // order or type; ResourceExhausted when a dictionary would outgrow int32
  // codes; I/O errors of the file. After an error the writer is failed: later
  // calls return FailedPrecondition.
  core::Status AppendChunk(const Table& chunk);

  // Writes the footer and trailer and commits the file. At most once.
  core::Status Finish();

  size_t rows_written() const { return rows_; }
  size_t chunks_written() const { return entries_.size(); }

 private:
  struct PrivateTag {};

 public:
  DatasetWriter(PrivateTag, std::vector<DatasetColumn> schema,
                std::unique_ptr<core::AtomicFileWriter> file);

 private:
  friend core::Status WriteDataset(const std::string&, const Table&, size_t);

  // Appends rows [begin, end) of `table` as one chunk. REQUIRES: begin < end.
  core::Status AppendRows(const Table& table, size_t begin, size_t end);
  core::Status CheckSchema(const Table& table) const;
  // Writes `bytes` then zeros up to the next multiple of 64; returns where `bytes` began.
  core::Result<uint64_t> WriteAligned(std::string_view bytes);
  core::Status WriteColumn(const Column& column, size_t index, size_t begin, size_t end,
                           dataset_format::ColumnChunkEntry& entry);
  std::string EncodeFooter() const;

  std::vector<DatasetColumn> schema_;
  std::unique_ptr<core::AtomicFileWriter> file_;
  uint64_t offset_ = 0;  // bytes written so far
  size_t rows_ = 0;
  std::vector<CategoryDictionary> dictionaries_;  // per column; empty for non-categorical
  std::vector<uint64_t> chunk_rows_;
  std::vector<std::vector<dataset_format::ColumnChunkEntry>> entries_;  // [chunk][column]
  std::vector<int32_t> recoded_;                                        // scratch
  std::string scratch_;
  bool failed_ = false;
  bool finished_ = false;
};

// Writes `table` to `path` in chunks of `rows_per_chunk` rows (the last may be
// shorter). Errors as DatasetWriter. REQUIRES: rows_per_chunk > 0.
core::Status WriteDataset(const std::string& path, const Table& table,
                          size_t rows_per_chunk = 1 << 16);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_DATASET_WRITER_H_
