#include "api/json_nesting.h"

#include <string>

namespace modelhost::api {

core::Status CheckJsonNesting(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (in_string) {
      if (c == '\\') {
        ++at;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return core::InvalidArgument("request body nests JSON arrays and objects deeper than " +
                                       std::to_string(max_depth) + " levels (at byte " +
                                       std::to_string(at) + ")");
        }
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's to report; they must not lower
        // the depth below zero and so hide a deep nest after them.
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return core::OkStatus();
}

}  // namespace modelhost::api
