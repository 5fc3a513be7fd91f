#include "api/api_key.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace modelhost::api {
namespace {

constexpr std::string_view kPrefix = "mh_";
constexpr size_t kIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr size_t kIdChars = 2 * kIdBytes;
constexpr size_t kSecretChars = 43;  // ceil(32 * 8 / 6), unpadded base64url

core::Status FillRandom(uint8_t* bytes, size_t size) {
  size_t filled = 0;
  while (filled < size) {
    ssize_t got = getrandom(bytes + filled, size - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return core::Internal(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<size_t>(got);
  }
  return core::OkStatus();
}

std::string Base64Url(const uint8_t* bytes, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

core::Result<ApiKeyText> GenerateApiKey() {
  std::array<uint8_t, kIdBytes + kSecretBytes> random{};
  MODELHOST_RETURN_IF_ERROR(FillRandom(random.data(), random.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  ApiKeyText key;
  for (size_t i = 0; i < kIdBytes; ++i) {
    key.id += kHex[random[i] >> 4];
    key.id += kHex[random[i] & 0xF];
  }
  key.text =
      std::string(kPrefix) + key.id + "_" + Base64Url(random.data() + kIdBytes, kSecretBytes);
  return key;
}

core::Result<std::string> ApiKeyId(std::string_view text) {
  const bool well_formed = [&] {
    if (text.size() != kPrefix.size() + kIdChars + 1 + kSecretChars) return false;
    if (text.substr(0, kPrefix.size()) != kPrefix) return false;
    for (char c : text.substr(kPrefix.size(), kIdChars)) {
      if (!IsLowerHex(c)) return false;
    }
    if (text[kPrefix.size() + kIdChars] != '_') return false;
    for (char c : text.substr(kPrefix.size() + kIdChars + 1)) {
      if (!IsBase64Url(c)) return false;
    }
    return true;
  }();
  if (!well_formed) return core::Unauthenticated("malformed API key");
  return std::string(text.substr(kPrefix.size(), kIdChars));
}

core::Sha256Digest HashApiKey(std::string_view text) {
  core::Sha256 hash;
  hash.Update(text);
  return hash.Finish();
}

bool DigestsEqual(const core::Sha256Digest& a, const core::Sha256Digest& b) {
  uint8_t difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= a[i] ^ b[i];
  return difference == 0;
}

}  // namespace modelhost::api
