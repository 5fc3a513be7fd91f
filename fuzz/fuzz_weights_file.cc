// libFuzzer target: any bytes given to the safetensors weights decoder must
// come back as tensors or a Status — never a crash, an out-of-bounds read or
// an unbounded allocation.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nn/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)modelhost::nn::DecodeWeights(bytes, "fuzz input");
  return 0;
}
