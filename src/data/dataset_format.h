// The stored dataset file: the byte layout that DatasetWriter writes and
// DatasetReader maps, shared here so both follow one definition. The layout
// table, with the reasons for it, is in docs/design/data.md.
//
//   [0, 64)   header: magic "MHDSET\r\n", u32 format version, u32 header size
//             (64), zeros, u32 CRC-32C of bytes [0, 60)
//   chunks    for each chunk, for each column: the validity bitmap (u64
//             words), the values (float64 / int64 / u8 bool / i32 code), and
//             for a categorical column the categories this chunk adds to the
//             column's dictionary (u64 end offsets, then the bytes); each
//             section starts at a multiple of 64 so a mapped file can be read
//             in place
//   footer    the schema (names, types), the row and chunk counts and, per
//             chunk and column, where each section lies and its CRC-32C
//   trailer   the last 64 bytes: magic "MHDSEND\n", version, footer offset,
//             size and CRC-32C, u32 CRC-32C of bytes [0, 60)
//
// The footer is at the end because the writer streams: row counts and
// dictionaries are only known when the last chunk is in. All integers are
// little-endian (the only byte order this code builds for).
//
// Thread-safety: constants and pure functions.

#ifndef MODELHOST_DATA_DATASET_FORMAT_H_
#define MODELHOST_DATA_DATASET_FORMAT_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "data/column.h"

namespace modelhost::data::dataset_format {

static_assert(std::endian::native == std::endian::little,
              "the stored dataset format is written in host byte order");

inline constexpr std::string_view kHeaderMagic = "MHDSET\r\n";
inline constexpr std::string_view kTrailerMagic = "MHDSEND\n";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kAlignment = 64;
inline constexpr size_t kHeaderSize = 64;
inline constexpr size_t kTrailerSize = 64;
// Offsets inside the header and the trailer.
inline constexpr size_t kVersionAt = 8;
inline constexpr size_t kHeaderSizeAt = 12;
inline constexpr size_t kFooterOffsetAt = 16;
inline constexpr size_t kFooterSizeAt = 24;
inline constexpr size_t kFooterCrcAt = 32;
inline constexpr size_t kSelfCrcAt = 60;

// The size of one value of a column of `type` in the values section.
inline size_t ValueWidth(ColumnType type) {
  switch (type) {
    case ColumnType::kFloat64:
    case ColumnType::kInt64: return 8;
    case ColumnType::kBool: return 1;
    case ColumnType::kCategorical: return 4;
  }
  return 8;
}

inline constexpr uint64_t AlignUp(uint64_t offset) {
  return (offset + kAlignment - 1) / kAlignment * kAlignment;
}

// Where one column's sections of one chunk lie, as the footer records it.
struct ColumnChunkEntry {
  uint64_t data_offset = 0;  // validity words, then (64-aligned) the values
  uint64_t data_size = 0;
  uint64_t dictionary_offset = 0;  // categorical only; 0 with size 0 otherwise
  uint64_t dictionary_size = 0;
  uint32_t new_categories = 0;  // how many categories the dictionary section adds
  uint32_t data_crc = 0;
  uint32_t dictionary_crc = 0;
};

// Bytes the footer spends per ColumnChunkEntry.
inline constexpr size_t kEntrySize = 5 * 8 + 3 * 4;

// Where the values start inside a data section of `rows` rows, and the data
// section's size. Nullopt when it would overflow 64 bits.
inline uint64_t ValidityBytes(uint64_t rows) { return (rows + 63) / 64 * 8; }
inline std::optional<uint64_t> DataSize(uint64_t rows, ColumnType type) {
  const uint64_t width = ValueWidth(type);
  if (rows > (UINT64_MAX - kAlignment) / 16) return std::nullopt;
  return AlignUp(ValidityBytes(rows)) + rows * width;
}

// Appends little-endian integers and raw bytes to a string.
class ByteSink {
 public:
  explicit ByteSink(std::string& out) : out_(out) {}
  template <typename T>
  void Put(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void PutBytes(std::string_view bytes) { out_.append(bytes); }

 private:
  std::string& out_;
};

// Reads little-endian integers and raw bytes from a buffer, never past its
// end: a read that does not fit fails and leaves the cursor unusable.
class ByteSource {
 public:
  explicit ByteSource(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T& value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(&value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetBytes(size_t size, std::string_view& bytes) {
    if (bytes_.size() < size) return false;
    bytes = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return true;
  }
  size_t remaining() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

}  // namespace modelhost::data::dataset_format

#endif  // MODELHOST_DATA_DATASET_FORMAT_H_
