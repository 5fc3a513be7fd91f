#include "nn/keras_name.h"

#include <cctype>

namespace modelhost::nn {

std::string KerasNameKey(std::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (char c : name) {
    if (c != '_') key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

}  // namespace modelhost::nn
