# Writes OUTPUT, a C++ source defining api::OpenApiDocumentText() (openapi_document.h)
# as the bytes of INPUT (src/api/openapi.json). Run by src/api/CMakeLists.txt
# at build time whenever the document changes.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUTPUT}"
"// Generated from src/api/openapi.json by src/api/openapi_embed.cmake; do not edit.
#include \"api/openapi_document.h\"

namespace modelhost::api {
namespace {

constexpr unsigned char kDocument[] = {
    ${bytes}
};

}  // namespace

std::string_view OpenApiDocumentText() {
  return {reinterpret_cast<const char*>(kDocument), sizeof(kDocument)};
}

}  // namespace modelhost::api
")
