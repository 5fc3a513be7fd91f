// Parsing a block of CSV records on several threads: the block is cut into
// pieces at line starts, each piece is parsed by ParseCsvChunk
// (csv_chunk_parser.h) on a worker of a core::ThreadPool, and the pieces are
// then checked in file order. A cut is a guess — a line start may lie inside a
// quoted field — so piece i is kept only if piece i-1, parsed from a start
// known to be right, ended at or before i's cut with nothing but blank lines
// between; otherwise piece i is parsed again from where i-1 ended. Results
// are therefore exactly those of one pass over the block, whatever the cuts;
// a wrong guess costs one piece parsed twice. Line numbers follow from each
// piece's line-break count, so they too are exact.
//
// Thread-safety: reentrant; the pool may be shared with other work.

#ifndef MODELHOST_DATA_CSV_BLOCK_PARSER_H_
#define MODELHOST_DATA_CSV_BLOCK_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"
#include "data/csv_chunk_parser.h"

namespace modelhost::data {

struct CsvBlockResult {
  // The pieces in file order, each parsed from its true start, and the line
  // on which each begins. A piece that failed under kFail is the last one.
  std::vector<CsvChunkResult> chunks;
  std::vector<size_t> first_lines;
  // Bytes of the block parsed (short of its size only when the block does not
  // end the input and ends inside a record) and the line number there.
  size_t consumed = 0;
  size_t next_line = 0;
};

// Parses `block` (offset `block_offset` in the body; its first byte starts a
// record on line `first_line`) in `pieces` pieces on `pool` (nullptr or one
// piece: on the calling thread, one piece after the other — the same
// result, which is how tests and fuzzing check the cutting without threads).
// `bad_records` as ParseCsvChunk. A non-empty `piece_places` holds the
// `places` (ParseCsvChunk) of each piece GuessCsvCuts(block, pieces) cuts,
// used when the piece is parsed from its guessed start; a piece parsed again
// from another start gets none.
CsvBlockResult ParseCsvBlock(const CsvLayout& layout, CsvPass pass, std::string_view block,
                             uint64_t block_offset, size_t first_line, bool ends_input,
                             std::span<const uint64_t> bad_records, size_t pieces,
                             core::ThreadPool* pool,
                             std::span<const std::vector<CsvColumnPlace>> piece_places = {});

// Where ParseCsvBlock cuts `block` into (at most) `pieces` pieces: the
// guessed start of each, 0 first — the byte after the first '\n' at or past
// each even share of the block.
std::vector<size_t> GuessCsvCuts(std::string_view block, size_t pieces);

// Adds the bad rows of `block` to `count` and `reported` (at most
// layout.max_reported_bad_rows kept), in file order, as Statuses naming file,
// line and column. Returns the Status that ends the read — the first bad row
// under kFail, or an error that is no bad row (code other than
// InvalidArgument) — else OK.
core::Status MergeCsvBadRows(const CsvLayout& layout, const CsvBlockResult& block, size_t& count,
                             std::vector<core::Status>& reported);

// Runs parse(0) … parse(count - 1) on `pool` (nullptr or one piece: here,
// in order) into `results` and waits for all; a parse that throws (memory)
// leaves a result holding one ResourceExhausted error.
void ParseCsvPieces(core::ThreadPool* pool, size_t count,
                    const std::function<CsvChunkResult(size_t)>& parse,
                    std::vector<CsvChunkResult>& results);

// The number of worker threads "0: all cores" means.
size_t ResolveThreadCount(size_t threads);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_CSV_BLOCK_PARSER_H_
