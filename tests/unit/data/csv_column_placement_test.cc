// CsvColumnPlacement: pass 1's pieces write float64 and int64 values where the
// table holds them, and a column comes whole out of its place only when every
// piece filled exactly the rows its lines foretold.

#include "data/csv_column_placement.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/csv_block_parser.h"
#include "data/csv_chunk_parser.h"
#include "data/csv_reader.h"
#include "dataset_table_testing.h"

namespace modelhost::data {
namespace {

using testing::TableDifference;

constexpr size_t kPieces = 4;

// `rows` records of an int, a decimal (some missing) and a word.
std::string Csv(size_t rows, const std::string& line_end = "\n") {
  std::string text = "n,x,word\n";
  for (size_t row = 0; row < rows; ++row) {
    text += std::to_string(row) + "," + (row % 5 == 0 ? "" : std::to_string(row % 97) + ".25") +
            ",w" + std::to_string(row % 3) + line_end;
  }
  return text;
}

// Pass 1 of `text` with a placement, as ReadCsvBuffer runs it.
struct PlacedPass {
  CsvLayout layout;
  CsvColumnPlacement placement;
  CsvBlockResult checked;
};

PlacedPass RunPassOne(const std::string& text) {
  PlacedPass run;
  size_t body_start = 0;
  size_t body_line = 1;
  auto layout = ReadCsvLayout(text, true, "p.csv", {}, body_start, body_line);
  EXPECT_TRUE(layout.ok());
  run.layout = *layout;
  const std::string_view body = std::string_view(text).substr(body_start);
  run.placement = CsvColumnPlacement::Plan(run.layout, body, kPieces, nullptr);
  run.checked = ParseCsvBlock(run.layout, CsvPass::kCheckAndConvert, body, 0, body_line, true, {},
                              kPieces, nullptr, run.placement.piece_places());
  std::vector<TypeEvidence> evidence(run.layout.names.size());
  for (const CsvChunkResult& chunk : run.checked.chunks) {
    for (size_t column = 0; column < evidence.size(); ++column) {
      evidence[column].Merge(chunk.evidence[column]);
    }
  }
  for (size_t column = 0; column < evidence.size(); ++column) {
    run.layout.types[column] = evidence[column].Type();
  }
  return run;
}

// The table in one piece, where nothing is placed.
Table OnePiece(const std::string& text) {
  ReadCsvOptions options;
  options.threads = 1;
  options.parallel_chunk_bytes = size_t{1} << 40;
  auto read = ReadCsvBuffer(text, "p.csv", options);
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  return read.ok() ? std::move(read->table) : Table();
}

// ReadCsvBuffer of `text` in pieces of `piece_bytes` on `threads` threads
// gives the one-piece table.
void ExpectPiecesGiveOnePiece(const std::string& text, size_t threads, size_t piece_bytes) {
  ReadCsvOptions options;
  options.threads = threads;
  options.parallel_chunk_bytes = piece_bytes;
  auto read = ReadCsvBuffer(text, "p.csv", options);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(TableDifference(read->table, OnePiece(text)), "")
      << threads << " threads, pieces of " << piece_bytes << " bytes";
}

TEST(CsvColumnPlacementTest, AColumnWhoseLinesForetoldItsRowsIsTakenWhole) {
  const std::string text = Csv(4000, "\r\n");
  PlacedPass run = RunPassOne(text);
  ASSERT_EQ(run.checked.chunks.size(), kPieces);
  EXPECT_EQ(run.placement.placed_type(0), ColumnType::kInt64);
  EXPECT_EQ(run.placement.placed_type(1), ColumnType::kFloat64);
  EXPECT_EQ(run.placement.placed_type(2), std::nullopt);  // text is never placed
  const Table expected = OnePiece(text);
  for (size_t column : {0, 1}) {
    for (const CsvChunkResult& chunk : run.checked.chunks) {
      EXPECT_EQ(chunk.speculation[column], CsvSpeculation::kPlaced) << column;
    }
    std::optional<Column> taken = run.placement.TakeColumn(
        column, run.layout.names[column], run.layout.types[column], run.checked.chunks);
    ASSERT_TRUE(taken.has_value()) << column;
    auto one = Table::Make({std::move(*taken)});
    auto reference = Table::Make({expected.column(column)});
    EXPECT_EQ(TableDifference(*one, *reference), "") << column;
  }
}

TEST(CsvColumnPlacementTest, LinesThatMisleadAreJoinedFromTheParts) {
  // Blank lines foretell rows that never come; lone CRs hide rows, so a
  // piece outgrows its place; quoted line breaks foretell too many.
  std::string blank = Csv(4000);
  blank.insert(blank.find('\n', blank.size() / 2) + 1, "\n\n");
  std::string lone_cr = Csv(2000) + Csv(2000, "\r").substr(9);
  std::string quoted = Csv(4000);
  quoted.replace(quoted.find(",w1\n", quoted.size() / 2), 4, ",\"w\n1\"\n");
  for (const std::string& text : {blank, lone_cr, quoted}) {
    PlacedPass run = RunPassOne(text);
    EXPECT_FALSE(
        run.placement.TakeColumn(0, run.layout.names[0], run.layout.types[0], run.checked.chunks)
            .has_value());
    ExpectPiecesGiveOnePiece(text, 2, 4096);
  }
}

// A piece first parsed from a wrong cut guess (inside a quoted field) wrote
// integers into its place; parsed again from its true start it has no value
// in that column, with exactly the rows foretold. The column taken whole must
// hold the missing filler there, not those integers.
TEST(CsvColumnPlacementTest, AReparsedPieceLeavesNoValueOfItsWrongGuessBehind) {
  std::string text = "a,b\n";
  for (int row = 0; row < 10; ++row) text += "p,1\n";
  text += "\"" + std::string(200, 'x') + "\n1,2\n\",\n";  // the cut lands inside the quotes
  text += "q,\rq,\r";  // lone CRs: rows no '\n' foretells, making up for the quoted ones
  for (int row = 0; row < 20; ++row) text += "q,\n";
  for (size_t threads : {1, 2}) ExpectPiecesGiveOnePiece(text, threads, 150);  // two pieces
}

// Pieces parsed on a pool write their places at once.
TEST(CsvColumnPlacementTest, PiecesOnThreadsGiveTheOnePieceTable) {
  ExpectPiecesGiveOnePiece(Csv(20000), 2, 4096);
}

}  // namespace
}  // namespace modelhost::data
