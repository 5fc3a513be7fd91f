// libFuzzer target: any bytes uploaded as a model bundle must be unpacked into
// a model directory that reads, or refused with a Status — never a crash, a
// file outside the destination, or a temporary directory left behind. Each
// input unpacks into a fresh destination inside a scratch directory (on
// tmpfs when /dev/shm exists, since every file is fsynced), which must then
// hold the destination alone (accepted) or nothing (refused).
//
// Seeds (corpus/bundle_archive): small models trained by `modelhost train`
// (3 and 4 rows, Dense 2 + Dense 1; one with an impute + one_hot pipeline),
// archived by GNU tar with fixed metadata in the three accepted layouts and
// the ustar, gnu and pax formats.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "model/bundle_archive.h"
#include "model/model_directory.h"

namespace {

namespace fs = std::filesystem;

// Leaked on purpose: the atexit cleanup may run after static destructors.
const std::string& ScratchDirectory() {
  static const std::string* directory = [] {
    std::string pattern =
        (fs::exists("/dev/shm") ? std::string("/dev/shm") : fs::temp_directory_path().string()) +
        "/fuzz_bundle_archive.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return new std::string(pattern);
  }();
  static const bool cleanup_registered = [] {
    return std::atexit([] {
             std::error_code ignored;
             fs::remove_all(*directory, ignored);
           }) == 0;
  }();
  (void)cleanup_registered;
  return *directory;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& scratch = ScratchDirectory();
  const std::string destination = scratch + "/model";
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  modelhost::model::BundleLimits limits;
  limits.max_file_bytes = 1 << 20;
  limits.max_total_bytes = 2 << 20;
  const bool accepted = modelhost::model::UnpackModelBundle(bytes, destination, limits).ok();

  size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(scratch)) {
    if (!accepted || entry.path() != destination) std::abort();  // a leftover or stray file
    ++entries;
  }
  if (accepted) {
    if (entries != 1) std::abort();
    if (!modelhost::model::ModelDirectory::Read(destination).ok()) std::abort();
  }
  std::error_code ignored;
  fs::remove_all(destination, ignored);
  return 0;
}
