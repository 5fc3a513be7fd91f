#include "data/background_chunk_writer.h"

#include <exception>
#include <string>
#include <system_error>
#include <utility>

namespace modelhost::data {

BackgroundChunkWriter::BackgroundChunkWriter(std::unique_ptr<DatasetWriter> writer)
    : writer_(std::move(writer)) {}

BackgroundChunkWriter::~BackgroundChunkWriter() { (void)Wait(); }

core::Status BackgroundChunkWriter::Wait() {
  if (in_flight_.valid()) error_ = in_flight_.get();
  return error_;
}

core::Status BackgroundChunkWriter::Append(std::vector<Table> tables) {
  MODELHOST_RETURN_IF_ERROR(Wait());
  try {
    in_flight_ = std::async(std::launch::async, [this, tables = std::move(tables)] {
      try {
        for (const Table& table : tables) MODELHOST_RETURN_IF_ERROR(writer_->AppendChunk(table));
        return core::OkStatus();
      } catch (const std::exception& error) {  // std::bad_alloc, in practice
        return core::ResourceExhausted(std::string("writing a chunk failed: ") + error.what());
      }
    });
  } catch (const std::system_error& error) {  // no thread to be had
    error_ = core::ResourceExhausted(std::string("no thread to write chunks: ") + error.what());
    return error_;
  }
  return core::OkStatus();
}

core::Status BackgroundChunkWriter::Finish() {
  MODELHOST_RETURN_IF_ERROR(Wait());
  return writer_->Finish();
}

}  // namespace modelhost::data
