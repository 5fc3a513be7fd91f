// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface: the checksum every
// stored artifact carries (datasets, weights, bundles) and the hash under
// which API keys are kept.
//
//   core::Sha256 hash;
//   hash.Update(header);
//   hash.Update(body);
//   std::string hex = core::DigestToHex(hash.Finish());
//
// Thread-safety: a Sha256 object is not thread-safe (one thread at a time);
// distinct objects and the free functions may be used from any thread.

#ifndef MODELHOST_CORE_SHA256_H_
#define MODELHOST_CORE_SHA256_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace modelhost::core {

// A raw SHA-256 digest.
using Sha256Digest = std::array<uint8_t, 32>;

// An incremental SHA-256 computation.
class Sha256 {
 public:
  // Starts an empty computation. OpenSSL failing to allocate or initialize
  // its context (out of memory) is a fatal error: the process aborts rather
  // than hand back a wrong checksum.
  Sha256();
  ~Sha256();

  // A moved-from Sha256 may only be destroyed or assigned to.
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Feeds `bytes` into the hash; any split of the input gives the same digest.
  void Update(std::string_view bytes);

  // Returns the digest of everything fed since construction or the last
  // Finish, and starts a new, empty computation.
  Sha256Digest Finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Lower-case hexadecimal of a digest: 64 characters.
std::string DigestToHex(const Sha256Digest& digest);

// Parses 64 hexadecimal characters (either case) back into a digest;
// InvalidArgument naming the problem otherwise.
Result<Sha256Digest> DigestFromHex(std::string_view hex);

// The lower-case hexadecimal SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// The lower-case hexadecimal SHA-256 of the file at `path`, read in chunks so
// memory stays flat for large files. Blocks on disk I/O. Errors are
// ReadFileInChunks's (file_reader.h): they name the path and the OS reason.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace modelhost::core

#endif  // MODELHOST_CORE_SHA256_H_
