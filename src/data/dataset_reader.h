// DatasetReader: opens a stored dataset file (dataset_format.h, written by
// DatasetWriter) by memory-mapping it, checks it, and loads it as a Table —
// whole, or one chunk at a time for a consumer that streams (a batch loader
// over a dataset larger than memory).
//
// Nothing in the file is trusted: Open checks the header, trailer and footer
// (magic, version, checksums, that every section lies inside the file, is
// aligned and has the size its row count and type imply) and every
// categorical dictionary (checksums, UTF-8, no category twice); reading a
// chunk checks its sections' checksums and that the values keep Column's
// invariants (missing rows hold the fillers, bools are 0 or 1, codes index
// the dictionary). A damaged or hostile file is a DataLoss status naming the
// file, and the chunk and column where the damage is — never a crash.
//
// A chunk read alone has the categories of its column up to and including
// that chunk (dictionaries grow chunk by chunk); codes mean the same in every
// chunk and in ReadAll's table.
//
// Thread-safety: after Open, every method is const and may be called from
// several threads at once. The file must not be truncated while open (the
// mapping would fault); it is replaced only by rename, which keeps the
// mapped inode alive.

#ifndef MODELHOST_DATA_DATASET_READER_H_
#define MODELHOST_DATA_DATASET_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "data/dataset_format.h"
#include "data/dataset_writer.h"
#include "data/table.h"

namespace modelhost::data {

class DatasetReader {
 public:
  // Maps and checks the file at `path`. Errors: as core::PosixErrorStatus for
  // open/stat/mmap; DataLoss for a file that is no intact stored dataset;
  // InvalidArgument for a format version this build does not read.
  static core::Result<std::unique_ptr<DatasetReader>> Open(const std::string& path);

  ~DatasetReader();
  DatasetReader(const DatasetReader&) = delete;
  DatasetReader& operator=(const DatasetReader&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<DatasetColumn>& schema() const { return schema_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_chunks() const { return chunk_rows_.size(); }
  // REQUIRES: chunk < num_chunks().
  size_t chunk_rows(size_t chunk) const { return chunk_rows_[chunk]; }

  // Chunk `chunk` as a Table. DataLoss as above. REQUIRES: chunk < num_chunks().
  core::Result<Table> ReadChunk(size_t chunk) const;

  // Every chunk as one Table, its columns read on `threads` threads at once
  // (0: one per core). DataLoss as above (the first damaged column's, in
  // column order); ResourceExhausted when the table does not fit in memory.
  core::Result<Table> ReadAll(size_t threads = 0) const;

 private:
  struct PrivateTag {};

  // Column `column` of every chunk.
  core::Result<Column> ReadColumn(size_t column) const;

 public:
  DatasetReader(PrivateTag, std::string path);

 private:
  // A categorical column's dictionary: all its categories, and how many of
  // them exist after each chunk.
  struct Dictionary {
    std::vector<std::string> categories;
    std::vector<size_t> size_after_chunk;
  };

  core::Status Map();
  core::Status CheckEnvelope(uint64_t& footer_offset, uint64_t& footer_size) const;
  core::Status ParseFooter(std::string_view footer, uint64_t footer_offset);
  core::Status CheckEntry(size_t chunk, size_t column, uint64_t footer_offset) const;
  core::Status LoadDictionaries();
  // The checked values and validity of one column of one chunk, appended to
  // `values` and `validity` (of the column's type).
  core::Status AppendColumnChunk(size_t chunk, size_t column, Column::Values& values,
                                 ValidityBitmap& validity) const;
  std::string Place(size_t chunk, size_t column) const;
  std::string_view Bytes(uint64_t offset, uint64_t size) const {
    return {static_cast<const char*>(mapping_) + offset, size};
  }

  std::string path_;
  void* mapping_ = nullptr;
  size_t size_ = 0;
  std::vector<DatasetColumn> schema_;
  size_t num_rows_ = 0;
  std::vector<uint64_t> chunk_rows_;
  std::vector<std::vector<dataset_format::ColumnChunkEntry>> entries_;  // [chunk][column]
  std::vector<Dictionary> dictionaries_;                                // per column
};

// Opens the dataset at `path` and reads all of it. Errors as DatasetReader.
core::Result<Table> ReadDataset(const std::string& path);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_DATASET_READER_H_
