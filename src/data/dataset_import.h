// Importing a CSV or JSON Lines file into a stored dataset file
// (dataset_writer.h) with bounded memory, for files larger than memory.
//
// Types still come from the whole file, so the file may be read twice, front
// to back, through one buffer of ImportOptions::block_bytes():
//   pass 1 checks every record and infers the column types (the evidence of
//          each block merged into the file's); it also converts each block
//          with the types the evidence so far shows and appends it to the
//          dataset writer as chunks (categories re-coded into one
//          dictionary per column across the file) — while every block
//          converts to the same types;
//   pass 2 runs only when the file's final types are not those (a column of
//          integers that meets a fraction in a later block, say): it
//          converts each block's records again, with the final types, into
//          a new writer.
// Most files keep their types from the first block on and are read once.
// Each block is parsed in pieces on ImportOptions::threads threads
// (csv_block_parser.h). The result is the table ReadCsvFile would return for
// the same file and options — same types, rows, bad rows and messages (file,
// line, column) — stored instead of held.
//
// A block's chunks are written on a thread of their own while the next block
// is read and parsed (background_chunk_writer.h).
//
// Memory: the buffer (block_bytes) plus the parsed columns of two blocks
// (the one being written, the one being made) plus the writer's copy of one
// column chunk stays under memory_budget_bytes; a column's value takes at
// most 8.125 bytes per field and a field at least one byte of text, hence
// block_bytes = budget / 32. Not counted: the categorical
// dictionaries (all distinct strings of the file, held to re-code) and the
// offsets of bad rows under kSkip (8 bytes each).
//
// One difference from ReadCsvFile: a record longer than block_bytes (a huge
// quoted field, or a quote left open) cannot be held; it is a bad row ("longer
// than the import's block") and, under kSkip, its first line is skipped.
//
// JSON Lines (ImportJsonLinesFile) goes the same way, whole lines at a time:
// pass 1 checks every line and finds the columns and their final types, pass 2
// re-checks each line the same way (so it skips the same bad rows) and
// appends the good ones with the final types, in chunks. The result is the
// table ReadJsonLinesFile would return, with the same bad rows and messages
// (file, line, key). Lines are checked in order, one thread: a line's verdict
// depends on the types the lines before it fixed. Memory: the buffer plus
// one parsed line plus a chunk of at most a quarter of the budget (a missing
// key takes no text but a value, so chunks are cut by rows, not by text).
// As for CSV, a line longer than block_bytes is a bad row ("longer than the
// import's block"), skipped under kSkip.
//
// Thread-safety: the functions are reentrant; each call blocks until done.

#ifndef MODELHOST_DATA_DATASET_IMPORT_H_
#define MODELHOST_DATA_DATASET_IMPORT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "data/csv_reader.h"
#include "data/dataset_writer.h"
#include "data/jsonl_reader.h"

namespace modelhost::data {

struct ImportOptions {
  // The memory the import may use (see above). Default 256 MiB.
  // REQUIRES: >= 1 MiB.
  size_t memory_budget_bytes = size_t{256} << 20;

  // Threads that parse each block's pieces; 0 (default): one per core.
  size_t threads = 0;

  // The buffer the file is read through, from the budget.
  size_t block_bytes() const { return memory_budget_bytes / 32; }
};

struct ImportResult {
  std::vector<DatasetColumn> schema;
  size_t rows = 0;
  size_t chunks = 0;
  // As ReadResult: rows left out under kSkip, and the first few errors.
  size_t bad_row_count = 0;
  std::vector<core::Status> bad_rows;
  // How many times the file was read: 1 when pass 1's conversions held, else 2.
  size_t passes = 0;
};

// Imports the CSV file at `csv_path` into a stored dataset at `dataset_path`
// (written atomically: absent or untouched on any error). `csv` as for
// ReadCsvFile; its threads and parallel_chunk_bytes are ignored for
// `import`'s. Errors: as ReadCsvFile; InvalidArgument for a budget under
// 1 MiB; DatasetWriter's.
core::Result<ImportResult> ImportCsvFile(const std::string& csv_path,
                                         const std::string& dataset_path,
                                         const ReadCsvOptions& csv = {},
                                         const ImportOptions& import = {});

// Imports the JSON Lines file at `jsonl_path` into a stored dataset at
// `dataset_path` (written atomically: absent or untouched on any error).
// `jsonl` as for ReadJsonLinesFile; `import.threads` does not apply. Errors:
// as ReadJsonLinesFile; InvalidArgument for a budget under 1 MiB;
// DatasetWriter's.
core::Result<ImportResult> ImportJsonLinesFile(const std::string& jsonl_path,
                                               const std::string& dataset_path,
                                               const ReadJsonLinesOptions& jsonl = {},
                                               const ImportOptions& import = {});

// InvalidArgument naming `source` when `import`'s budget is under 1 MiB.
core::Status CheckImportBudget(const std::string& source, const ImportOptions& import);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_DATASET_IMPORT_H_
