#include "core/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

#include "core/file_reader.h"

namespace modelhost::core {
namespace {

constexpr size_t kFileChunkBytes = 256 * 1024;

// A checksum that silently came out wrong would corrupt every later
// verification, so OpenSSL failures (only possible when out of memory) abort.
[[noreturn]] void DieOnOpenSslFailure(const char* what) {
  std::fprintf(stderr, "modelhost: fatal: OpenSSL %s failed for SHA-256\n", what);
  std::abort();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// OpenSSL 3 looks EVP_sha256() up in its provider tables on every init (a
// lock and a hash lookup); the algorithm fetched once serves every context.
// It lives as long as the process.
const EVP_MD* FetchedSha256() {
  static const EVP_MD* const fetched = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) DieOnOpenSslFailure("EVP_MD_fetch");
    return md;
  }();
  return fetched;
}

}  // namespace

struct Sha256::Context {
  struct Free {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> evp;

  void Init() {
    if (EVP_DigestInit_ex(evp.get(), FetchedSha256(), nullptr) != 1) {
      DieOnOpenSslFailure("EVP_DigestInit_ex");
    }
  }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->evp.reset(EVP_MD_CTX_new());
  if (!context_->evp) DieOnOpenSslFailure("EVP_MD_CTX_new");
  context_->Init();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(std::string_view bytes) {
  if (bytes.empty()) return;
  if (EVP_DigestUpdate(context_->evp.get(), bytes.data(), bytes.size()) != 1) {
    DieOnOpenSslFailure("EVP_DigestUpdate");
  }
}

Sha256Digest Sha256::Finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->evp.get(), digest.data(), &length) != 1 ||
      length != digest.size()) {
    DieOnOpenSslFailure("EVP_DigestFinal_ex");
  }
  context_->Init();
  return digest;
}

std::string DigestToHex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (uint8_t byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0F]);
  }
  return hex;
}

Result<Sha256Digest> DigestFromHex(std::string_view hex) {
  Sha256Digest digest{};
  if (hex.size() != 2 * digest.size()) {
    return InvalidArgument("SHA-256 hex digest: expected 64 characters, got " +
                           std::to_string(hex.size()));
  }
  for (size_t byte = 0; byte < digest.size(); ++byte) {
    const int high = HexValue(hex[2 * byte]);
    const int low = HexValue(hex[2 * byte + 1]);
    if (high < 0 || low < 0) {
      return InvalidArgument("SHA-256 hex digest: non-hexadecimal character at offset " +
                             std::to_string(high < 0 ? 2 * byte : 2 * byte + 1));
    }
    digest[byte] = static_cast<uint8_t>(high << 4 | low);
  }
  return digest;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return DigestToHex(hash.Finish());
}

Result<std::string> Sha256OfFile(const std::string& path) {
  Sha256 hash;
  MODELHOST_RETURN_IF_ERROR(ReadFileInChunks(
      path, kFileChunkBytes, [&hash](std::string_view chunk) { hash.Update(chunk); }));
  return DigestToHex(hash.Finish());
}

}  // namespace modelhost::core
