// CRC-32C (Castagnoli), the checksum of every section of a stored dataset
// (dataset_format.h).
//
// Why not core::Sha256: the checksum guards against torn writes and bit rot,
// not against an adversary (a hostile file is caught by the reader's
// validation, whatever its checksums say), and a load must not be bound by
// it. Measured on the development machine (bench/ingest `checksum`, loaded):
// CRC-32C with the SSE4.2 instruction 3.5–6.3 GB/s, core::Sha256 0.7–1.2 GB/s
// — the latter would cost more than the rest of a load. Without SSE4.2 a
// table-driven fallback gives the same values.
//
// Thread-safety: pure functions.

#ifndef MODELHOST_DATA_DATASET_CHECKSUM_H_
#define MODELHOST_DATA_DATASET_CHECKSUM_H_

#include <cstdint>
#include <string_view>

namespace modelhost::data {

// The CRC-32C of `bytes`, continuing from `crc` (the value returned for the
// bytes before; 0 to start), so any split of the input gives the same result.
// Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(std::string_view bytes, uint32_t crc = 0);

}  // namespace modelhost::data

#endif  // MODELHOST_DATA_DATASET_CHECKSUM_H_
