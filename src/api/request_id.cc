#include "api/request_id.h"

#include <random>

namespace modelhost::api {

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() {
  std::random_device device;
  seed_ = (static_cast<uint64_t>(device()) << 32) ^ device();
}

void RequestIdGenerator::Next(std::string* out) {
  // splitmix64's finalizer is a bijection on 64 bits, so distinct counters
  // give distinct ids.
  uint64_t value = seed_ + ++counter_ * 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  value ^= value >> 31;
  static constexpr char kHex[] = "0123456789abcdef";
  out->resize(16);
  for (int digit = 15; digit >= 0; --digit) {
    (*out)[digit] = kHex[value & 0xf];
    value >>= 4;
  }
}

}  // namespace modelhost::api
