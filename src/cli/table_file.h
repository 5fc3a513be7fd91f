// Reading the data file a command names into a Table, choosing the reader
// by the file's extension: ".jsonl" and ".ndjson" are JSON Lines, ".mhd" a
// stored dataset (`modelhost data import`), anything else is CSV (delimiter
// detected).
//
// Thread-safety: reentrant.

#ifndef MODELHOST_CLI_TABLE_FILE_H_
#define MODELHOST_CLI_TABLE_FILE_H_

#include <string>

#include "core/result.h"
#include "data/table.h"

namespace modelhost::cli {

// The table of the file at `path`; a bad row fails the read. Errors: those of
// data::ReadCsvFile / data::ReadJsonLinesFile / data::ReadDataset, naming the
// file.
core::Result<data::Table> ReadTableFile(const std::string& path);

}  // namespace modelhost::cli

#endif  // MODELHOST_CLI_TABLE_FILE_H_
