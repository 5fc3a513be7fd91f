// libFuzzer target: any bytes opened as a stored dataset file come back as a
// table or a Status — never a crash, an out-of-bounds read or an unbounded
// allocation.
//
// Random damage mostly fails a checksum, which would keep the fuzzer at the
// door; so when the first byte is odd, the target first recomputes every
// checksum of the file (header, trailer, footer, and each section the footer
// points at), and the reader's structural checks alone stand between the
// bytes and the Table.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "data/dataset_checksum.h"
#include "data/dataset_format.h"
#include "data/dataset_reader.h"

namespace {

namespace fmt = modelhost::data::dataset_format;
using modelhost::data::Crc32c;

void PutCrc(std::string& bytes, size_t at, uint32_t crc) {
  std::memcpy(bytes.data() + at, &crc, 4);
}

// Recomputes the CRC of every section the footer lists, then the footer's,
// the trailer's and the header's.
void FixChecksums(std::string& file) {
  if (file.size() < fmt::kHeaderSize + fmt::kTrailerSize) return;
  PutCrc(file, fmt::kSelfCrcAt, Crc32c(std::string_view(file).substr(0, fmt::kSelfCrcAt)));
  const size_t trailer = file.size() - fmt::kTrailerSize;
  uint64_t footer_offset;
  uint64_t footer_size;
  std::memcpy(&footer_offset, file.data() + trailer + fmt::kFooterOffsetAt, 8);
  std::memcpy(&footer_size, file.data() + trailer + fmt::kFooterSizeAt, 8);
  const auto inside = [&](uint64_t offset, uint64_t size) {
    return offset <= trailer && size <= trailer - offset;
  };
  if (inside(footer_offset, footer_size)) {
    std::string_view footer(file.data() + footer_offset, footer_size);
    fmt::ByteSource source(footer);
    uint32_t columns = 0;
    bool ok = source.Get(columns);
    for (uint32_t column = 0; ok && column < columns; ++column) {
      uint32_t type;
      uint32_t name_size;
      std::string_view name;
      ok = source.Get(type) && source.Get(name_size) && source.GetBytes(name_size, name);
    }
    uint64_t rows;
    uint64_t chunks = 0;
    ok = ok && source.Get(rows) && source.Get(chunks);
    for (uint64_t chunk = 0; ok && chunk < chunks; ++chunk) {
      ok = source.Get(rows);
      for (uint32_t column = 0; ok && column < columns; ++column) {
        const size_t entry_at = footer_size - source.remaining();
        std::string_view entry;
        if (!source.GetBytes(fmt::kEntrySize, entry)) {
          ok = false;
          break;
        }
        uint64_t fields[4];
        std::memcpy(fields, entry.data(), sizeof(fields));
        if (inside(fields[0], fields[1])) {
          PutCrc(file, footer_offset + entry_at + 40,
                 Crc32c(std::string_view(file).substr(fields[0], fields[1])));
        }
        if (inside(fields[2], fields[3])) {
          PutCrc(file, footer_offset + entry_at + 44,
                 Crc32c(std::string_view(file).substr(fields[2], fields[3])));
        }
      }
    }
    PutCrc(file, trailer + fmt::kFooterCrcAt,
           Crc32c(std::string_view(file).substr(footer_offset, footer_size)));
  }
  PutCrc(file, trailer + fmt::kSelfCrcAt,
         Crc32c(std::string_view(file).substr(trailer, fmt::kSelfCrcAt)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixChecksums(file);

  static const int fd = memfd_create("fuzz_dataset", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 ||
      pwrite(fd, file.data(), file.size(), 0) != static_cast<ssize_t>(file.size())) {
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto reader = modelhost::data::DatasetReader::Open(path);
  if (!reader.ok()) return 0;
  (void)(*reader)->ReadAll();
  for (size_t chunk = 0; chunk < (*reader)->num_chunks() && chunk < 64; ++chunk) {
    (void)(*reader)->ReadChunk(chunk);
  }
  return 0;
}
