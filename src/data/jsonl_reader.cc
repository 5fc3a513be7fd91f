// ReadJsonLinesBuffer (jsonl_reader.h): one pass, each line parsed and
// checked by a JsonLinesParser and its good rows appended by a JsonLinesRows
// with types as they come.

#include "data/jsonl_reader.h"

#include <utility>
#include <vector>

#include "core/file_reader.h"
#include "data/jsonl_line_parser.h"

namespace modelhost::data {

core::Result<ReadResult> ReadJsonLinesBuffer(std::string_view content, std::string_view source_name,
                                             const ReadJsonLinesOptions& options) {
  if (content.starts_with(kJsonLinesBom)) content.remove_prefix(kJsonLinesBom.size());
  JsonLinesParser parser(source_name, options);
  JsonLinesRows rows;
  BadRowLog bad_rows(options.bad_rows, options.max_reported_bad_rows);
  size_t line = 1;
  MODELHOST_RETURN_IF_ERROR(
      ForEachJsonLine(content, line, [&](std::string_view text, size_t number) -> core::Status {
        if (core::Status error = parser.ParseLine(text, number); !error.ok()) {
          return bad_rows.Record(std::move(error));
        }
        return rows.Append(parser);
      }));
  MODELHOST_RETURN_IF_ERROR(parser.CheckOverridesUsed());
  MODELHOST_ASSIGN_OR_RETURN(Table table, Table::Make(rows.Take(parser)));
  ReadResult result;
  result.table = std::move(table);
  bad_rows.MoveInto(result);
  return result;
}

core::Result<ReadResult> ReadJsonLinesFile(const std::string& path,
                                           const ReadJsonLinesOptions& options) {
  MODELHOST_ASSIGN_OR_RETURN(std::string content, core::ReadFileToString(path));
  return ReadJsonLinesBuffer(content, path, options);
}

}  // namespace modelhost::data
