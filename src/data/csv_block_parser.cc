#include "data/csv_block_parser.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

#include "data/csv_tokenizer.h"

namespace modelhost::data {

std::vector<size_t> GuessCsvCuts(std::string_view block, size_t pieces) {
  std::vector<size_t> cuts = {0};
  for (size_t piece = 1; piece < pieces; ++piece) {
    const size_t target = std::max(cuts.back(), block.size() / pieces * piece);
    const void* newline = std::memchr(block.data() + target, '\n', block.size() - target);
    if (newline == nullptr) break;
    const size_t cut = static_cast<const char*>(newline) - block.data() + 1;
    if (cut >= block.size()) break;
    if (cut > cuts.back()) cuts.push_back(cut);
  }
  return cuts;
}

namespace {

bool StopsTheRead(const CsvLayout& layout, const CsvChunkResult& chunk) {
  for (const CsvChunkError& error : chunk.errors) {
    if (error.code != core::StatusCode::kInvalidArgument) return true;
  }
  return layout.bad_rows == BadRowPolicy::kFail && !chunk.errors.empty();
}

}  // namespace

void ParseCsvPieces(core::ThreadPool* pool, size_t count,
                    const std::function<CsvChunkResult(size_t)>& parse,
                    std::vector<CsvChunkResult>& results) {
  results.resize(count);
  core::RunOnPool(pool, count, [&](size_t piece) {
    try {
      results[piece] = parse(piece);
    } catch (const std::exception& error) {  // std::bad_alloc, in practice
      results[piece] = CsvChunkResult();
      results[piece].errors.push_back({1, 0, core::StatusCode::kResourceExhausted,
                                       std::string("parsing failed: ") + error.what()});
    }
  });
}

size_t ResolveThreadCount(size_t threads) {
  if (threads != 0) return threads;
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

CsvBlockResult ParseCsvBlock(const CsvLayout& layout, CsvPass pass, std::string_view block,
                             uint64_t block_offset, size_t first_line, bool ends_input,
                             std::span<const uint64_t> bad_records, size_t pieces,
                             core::ThreadPool* pool,
                             std::span<const std::vector<CsvColumnPlace>> piece_places) {
  const std::vector<size_t> cuts = GuessCsvCuts(block, std::max<size_t>(1, pieces));
  assert(piece_places.empty() || piece_places.size() == cuts.size());
  const auto stop_of = [&](size_t piece) {
    return piece + 1 < cuts.size() ? cuts[piece + 1] : block.size();
  };
  const auto parse = [&](size_t begin, size_t piece, std::span<const CsvColumnPlace> places) {
    return ParseCsvChunk(layout, pass, block, begin, stop_of(piece), block_offset, ends_input,
                         bad_records, {}, places);
  };

  std::vector<CsvChunkResult> guesses(cuts.size());
  ParseCsvPieces(
      pool, cuts.size(),
      [&](size_t piece) {
        return parse(cuts[piece], piece,
                     piece_places.empty() ? std::span<const CsvColumnPlace>()
                                          : std::span<const CsvColumnPlace>(piece_places[piece]));
      },
      guesses);
  CsvBlockResult result;
  size_t line = first_line;
  for (size_t piece = 0; piece < cuts.size(); ++piece) {
    if (piece > 0) {
      const CsvChunkResult& previous = result.chunks.back();
      if (previous.incomplete || StopsTheRead(layout, previous)) break;
      if (previous.end <= cuts[piece]) {
        // Only blank lines between: the guess was a record start.
        line += CountCsvLineBreaks(block.substr(previous.end, cuts[piece] - previous.end));
      } else {
        guesses[piece] = parse(previous.end, piece, {});
      }
    }
    result.first_lines.push_back(line);
    result.chunks.push_back(std::move(guesses[piece]));
    line += result.chunks.back().line_breaks;
  }
  const CsvChunkResult& last = result.chunks.back();
  if (last.incomplete || StopsTheRead(layout, last)) {
    result.consumed = last.end;
    result.next_line = line;
  } else {
    result.consumed = block.size();
    result.next_line = line + CountCsvLineBreaks(block.substr(last.end));
  }
  return result;
}

core::Status MergeCsvBadRows(const CsvLayout& layout, const CsvBlockResult& block, size_t& count,
                             std::vector<core::Status>& reported) {
  for (size_t piece = 0; piece < block.chunks.size(); ++piece) {
    const CsvChunkResult& chunk = block.chunks[piece];
    for (const CsvChunkError& error : chunk.errors) {
      core::Status status(
          error.code, layout.Place(block.first_lines[piece] + error.line - 1, error.column) + ": " +
                          error.detail);
      if (error.code != core::StatusCode::kInvalidArgument ||
          layout.bad_rows == BadRowPolicy::kFail) {
        return status;
      }
      if (reported.size() < layout.max_reported_bad_rows) reported.push_back(std::move(status));
    }
    count += chunk.error_count;
  }
  return core::OkStatus();
}

}  // namespace modelhost::data
