// libFuzzer target: any bytes given to the network-spec parser must come back
// as a spec or a Status — never a crash, a hang or undefined behaviour — and a
// parsed spec must survive its own canonical JSON unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "nn/network_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto spec = modelhost::nn::ParseNetworkSpec(json);
  if (!spec.ok()) return 0;
  auto again = modelhost::nn::ParseNetworkSpec(modelhost::nn::NetworkSpecToJson(*spec));
  if (!again.ok() || !(*again == *spec)) std::abort();  // the round trip is a documented contract
  return 0;
}
