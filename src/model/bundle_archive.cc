#include "model/bundle_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "core/atomic_file.h"
#include "core/file_reader.h"
#include "data/field_parser.h"
#include "model/model_directory.h"

namespace modelhost::model {
namespace {

namespace fs = std::filesystem;

// Every name a bundle may hold, in the order PackModelDirectory writes them
// (small metadata first, so a streaming reader sees it before the weights).
constexpr std::array<std::string_view, 4> kBundleFiles = {kModelJsonFile, kNetworkJsonFile,
                                                          kPipelineJsonFile, kWeightsFile};
// The files every model directory has; pipeline.json is the optional one.
constexpr std::array<std::string_view, 3> kRequiredFiles = {kModelJsonFile, kNetworkJsonFile,
                                                            kWeightsFile};
constexpr size_t kCopyChunkBytes = 64 * 1024;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;
using EntryPtr = std::unique_ptr<archive_entry, void (*)(archive_entry*)>;

std::string ArchiveError(archive* handle) {
  const char* message = archive_error_string(handle);
  return message != nullptr ? message : "unknown libarchive error";
}

// ---- packing ---------------------------------------------------------------

la_ssize_t AppendToString(archive* handle, void* client_data, const void* buffer, size_t length) {
  try {
    static_cast<std::string*>(client_data)->append(static_cast<const char*>(buffer), length);
  } catch (const std::bad_alloc&) {
    archive_set_error(handle, ENOMEM, "out of memory");
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

core::Status AppendFile(archive* writer, std::string_view name, const std::string& content) {
  EntryPtr entry(archive_entry_new(), &archive_entry_free);
  if (!entry) return core::ResourceExhausted("bundle: out of memory");
  archive_entry_copy_pathname(entry.get(), std::string(name).c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
  archive_entry_set_mtime(entry.get(), 0, 0);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  if (archive_write_header(writer, entry.get()) != ARCHIVE_OK) {
    return core::Internal("bundle: writing the header of " + std::string(name) + ": " +
                          ArchiveError(writer));
  }
  std::string_view rest = content;
  while (!rest.empty()) {
    la_ssize_t written = archive_write_data(writer, rest.data(), rest.size());
    if (written <= 0) {
      return core::Internal("bundle: writing " + std::string(name) + ": " + ArchiveError(writer));
    }
    rest.remove_prefix(static_cast<size_t>(written));
  }
  return core::OkStatus();
}

// ---- unpacking: entry names ------------------------------------------------

core::Status EntryError(std::string_view name, std::string_view problem) {
  return core::InvalidArgument("bundle entry " + data::QuoteForMessage(name) + ": " +
                               std::string(problem));
}

// An entry's path split as the layouts of bundle_archive.h allow: an
// optional leading ".", then at most one directory (the prefix), then a
// file name, which is empty for a directory entry.
struct EntryPath {
  std::string prefix;
  std::string file;
};

core::Result<EntryPath> ParseEntryPath(std::string_view path, bool is_directory) {
  if (path.empty()) return EntryError(path, "the name is empty");
  if (path.front() == '/') return EntryError(path, "absolute paths are not allowed");
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (std::find(parts.begin(), parts.end(), "..") != parts.end()) {
    return EntryError(path, "'..' is not allowed");
  }
  if (is_directory && parts.size() > 1 && parts.back().empty()) parts.pop_back();  // "dir/"
  if (parts.size() > 1 && parts.front() == ".") parts.erase(parts.begin());
  if (parts.size() == 1 && parts.front() == "." && is_directory) parts.clear();
  for (std::string_view part : parts) {
    if (part.empty() || part == ".") return EntryError(path, "malformed path");
  }
  const size_t most = is_directory ? 1 : 2;
  if (parts.size() > most || (!is_directory && parts.empty())) {
    return EntryError(path, "a bundle holds its files at the top or in one directory");
  }
  EntryPath parsed;
  if (!is_directory) {
    parsed.file = std::string(parts.back());
    parts.pop_back();
  }
  if (!parts.empty()) parsed.prefix = std::string(parts.front());
  return parsed;
}

// Why an entry of this type cannot be in a bundle; nullopt for a regular
// file or a directory.
std::optional<std::string_view> RejectedType(archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return "hard links are not allowed";
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR: return std::nullopt;
    case AE_IFLNK: return "symbolic links are not allowed";
    default: return "only regular files are allowed";
  }
}

// ---- unpacking: the staging directory -------------------------------------

// ".<name>.tmp-XXXXXX" next to the destination, removed with everything in
// it unless MoveTo put it in place.
class StagingDirectory {
 public:
  static core::Result<std::unique_ptr<StagingDirectory>> Create(const fs::path& destination) {
    std::string pattern =
        (destination.parent_path() / ("." + destination.filename().string() + ".tmp-XXXXXX"))
            .string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return core::PosixErrorStatus(errno, "create a directory next to", destination.string());
    }
    // mkdtemp makes it 0700; a model directory is as readable as its files.
    ::chmod(pattern.c_str(), 0755);
    return std::unique_ptr<StagingDirectory>(new StagingDirectory(std::move(pattern)));
  }

  ~StagingDirectory() {
    if (path_.empty()) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  const std::string& path() const { return path_; }

  // Renames the directory onto `destination`, which must still not exist,
  // and makes the rename durable.
  core::Status MoveTo(const fs::path& destination) {
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, destination.c_str(), RENAME_NOREPLACE) !=
        0) {
      if (errno == EEXIST) return core::AlreadyExists(destination.string() + ": already exists");
      return core::PosixErrorStatus(errno, "rename the unpacked bundle onto", destination.string());
    }
    path_.clear();
    return core::FsyncDirectory(destination.parent_path().string());
  }

 private:
  explicit StagingDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// ---- unpacking: entries ----------------------------------------------------

// Reads entries one by one, checking each name and type, and writes the
// files into a directory, counting bytes against the limits.
class BundleExtractor {
 public:
  BundleExtractor(archive* reader, std::string directory, const BundleLimits& limits)
      : reader_(reader), directory_(std::move(directory)), limits_(limits) {}

  core::Status ExtractAll() {
    for (;;) {
      archive_entry* entry = nullptr;
      int result = archive_read_next_header(reader_, &entry);
      if (result == ARCHIVE_EOF) return core::OkStatus();
      if (result != ARCHIVE_OK) return NotATar();
      MODELHOST_RETURN_IF_ERROR(ExtractEntry(entry));
      ++entry_index_;
    }
  }

  const std::set<std::string>& files() const { return files_; }

 private:
  core::Status NotATar() const {
    return core::InvalidArgument("not a tar archive: " + ArchiveError(reader_));
  }

  core::Status ExtractEntry(archive_entry* entry) {
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) {
      return core::InvalidArgument("bundle entry #" + std::to_string(entry_index_ + 1) +
                                   ": the name cannot be read");
    }
    const std::string name = raw_name;
    if (std::optional<std::string_view> problem = RejectedType(entry)) {
      return EntryError(name, *problem);
    }
    const bool is_directory = archive_entry_filetype(entry) == AE_IFDIR;
    MODELHOST_ASSIGN_OR_RETURN(EntryPath path, ParseEntryPath(name, is_directory));
    if (!prefix_) prefix_ = path.prefix;
    if (path.prefix != *prefix_) {
      const std::string expected =
          prefix_->empty()
              ? "the entries before it are not in a directory"
              : "not in " + data::QuoteForMessage(*prefix_ + "/") + " like the entries before it";
      return EntryError(name, expected);
    }
    if (is_directory) return core::OkStatus();
    if (std::find(kBundleFiles.begin(), kBundleFiles.end(), path.file) == kBundleFiles.end()) {
      return EntryError(name,
                        "unknown file (a bundle holds model.json, network.json, pipeline.json "
                        "and weights.safetensors)");
    }
    if (!files_.insert(path.file).second) return EntryError(name, "appears twice");
    if (archive_entry_size_is_set(entry) &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limits_.max_file_bytes) {
      return FileTooLarge(name);
    }
    return CopyData(name, directory_ + "/" + path.file);
  }

  core::Status FileTooLarge(const std::string& name) const {
    return core::ResourceExhausted("bundle entry " + data::QuoteForMessage(name) +
                                   ": larger than the limit of " +
                                   std::to_string(limits_.max_file_bytes) + " bytes per file");
  }

  core::Status CopyData(const std::string& name, const std::string& file) {
    MODELHOST_ASSIGN_OR_RETURN(auto writer, core::AtomicFileWriter::Create(file));
    std::array<char, kCopyChunkBytes> buffer;
    uint64_t file_bytes = 0;
    for (;;) {
      la_ssize_t read = archive_read_data(reader_, buffer.data(), buffer.size());
      if (read < 0) return NotATar();
      if (read == 0) break;
      file_bytes += static_cast<uint64_t>(read);
      total_bytes_ += static_cast<uint64_t>(read);
      if (file_bytes > limits_.max_file_bytes) return FileTooLarge(name);
      if (total_bytes_ > limits_.max_total_bytes) {
        return core::ResourceExhausted("bundle: the files are larger than the limit of " +
                                       std::to_string(limits_.max_total_bytes) + " bytes together");
      }
      MODELHOST_RETURN_IF_ERROR(writer->Append(std::string_view(buffer.data(), read)));
    }
    return writer->Commit();
  }

  archive* reader_;
  std::string directory_;
  BundleLimits limits_;
  std::optional<std::string> prefix_;  // set by the first entry
  std::set<std::string> files_;
  uint64_t total_bytes_ = 0;
  size_t entry_index_ = 0;
};

// A ModelDirectory::Read error about the staging directory, as an error
// about the bundle: entry names instead of server paths, and the upload's
// fault (InvalidArgument) where the content is what is wrong.
core::Status BundleReadError(const core::Status& status, const std::string& staging) {
  std::string message = status.message();
  const std::string needle = staging + "/";
  for (size_t at = message.find(needle); at != std::string::npos; at = message.find(needle, at)) {
    message.erase(at, needle.size());
  }
  core::StatusCode code = status.code();
  if (code == core::StatusCode::kNotFound || code == core::StatusCode::kDataLoss) {
    code = core::StatusCode::kInvalidArgument;
  }
  return core::Status(code, "bundle: " + message);
}

core::Status ValidateModel(const std::string& directory, const std::set<std::string>& files) {
  for (std::string_view required : kRequiredFiles) {
    if (files.count(std::string(required)) == 0) {
      return core::InvalidArgument("bundle: " + std::string(required) + " is missing");
    }
  }
  auto model = ModelDirectory::Read(directory);
  if (!model.ok()) return BundleReadError(model.status(), directory);
  if (!(*model)->description().pipeline.has_value() && files.count(kPipelineJsonFile) != 0) {
    return core::InvalidArgument(std::string("bundle: ") + kPipelineJsonFile +
                                 " is present but model.json does not say \"pipeline\": true");
  }
  return core::OkStatus();
}

}  // namespace

core::Result<std::string> PackModelDirectory(const std::string& directory) {
  std::vector<std::string_view> names;
  {
    MODELHOST_ASSIGN_OR_RETURN(auto model, ModelDirectory::Read(directory));
    const bool has_pipeline = model->description().pipeline.has_value();
    for (std::string_view name : kBundleFiles) {
      if (name != kPipelineJsonFile || has_pipeline) names.push_back(name);
    }
  }
  std::string tar;
  ArchivePtr writer(archive_write_new(), &archive_write_free);
  if (!writer) return core::ResourceExhausted("bundle: out of memory");
  if (archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(writer.get(), 1) != ARCHIVE_OK ||
      archive_write_open(writer.get(), &tar, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return core::Internal("bundle: cannot start the archive: " + ArchiveError(writer.get()));
  }
  for (std::string_view name : names) {
    MODELHOST_ASSIGN_OR_RETURN(std::string content,
                               core::ReadFileToString(directory + "/" + std::string(name)));
    MODELHOST_RETURN_IF_ERROR(AppendFile(writer.get(), name, content));
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    return core::Internal("bundle: cannot finish the archive: " + ArchiveError(writer.get()));
  }
  return tar;
}

namespace {

// Unpacks what `open` connects the reader to; `empty` says the input has no
// bytes at all (libarchive would call that a valid empty archive).
core::Status Unpack(const std::function<int(archive*)>& open, bool empty,
                    const std::string& destination, const BundleLimits& limits) {
  fs::path target(destination);
  while (!target.empty() && !target.has_filename()) target = target.parent_path();
  if (target.empty()) return core::InvalidArgument("bundle: the destination path is empty");
  if (!target.has_parent_path()) target = fs::path(".") / target;
  std::error_code error;
  const fs::file_type existing = fs::symlink_status(target, error).type();
  if (existing != fs::file_type::not_found) {
    if (error) return core::PosixErrorStatus(error.value(), "stat", destination);
    return core::AlreadyExists(destination + ": already exists");
  }
  if (empty) return core::InvalidArgument("not a tar archive: the body is empty");

  MODELHOST_ASSIGN_OR_RETURN(auto staging, StagingDirectory::Create(target));
  ArchivePtr reader(archive_read_new(), &archive_read_free);
  if (!reader) return core::ResourceExhausted("bundle: out of memory");
  if (archive_read_support_format_tar(reader.get()) != ARCHIVE_OK ||
      open(reader.get()) != ARCHIVE_OK) {
    return core::InvalidArgument("not a tar archive: " + ArchiveError(reader.get()));
  }
  BundleExtractor extractor(reader.get(), staging->path(), limits);
  MODELHOST_RETURN_IF_ERROR(extractor.ExtractAll());
  MODELHOST_RETURN_IF_ERROR(ValidateModel(staging->path(), extractor.files()));
  return staging->MoveTo(target);
}

}  // namespace

core::Status UnpackModelBundle(std::string_view tar_bytes, const std::string& destination,
                               const BundleLimits& limits) {
  return Unpack(
      [tar_bytes](archive* reader) {
        return archive_read_open_memory(reader, tar_bytes.data(), tar_bytes.size());
      },
      tar_bytes.empty(), destination, limits);
}

core::Status UnpackModelBundleFile(const std::string& tar_path, const std::string& destination,
                                   const BundleLimits& limits) {
  std::error_code error;
  const uintmax_t size = fs::file_size(tar_path, error);
  if (error) return core::PosixErrorStatus(error.value(), "stat", tar_path);
  // Blocks of 64 KiB: the body streams from disk, never all in memory.
  constexpr size_t kBlockBytes = size_t{64} << 10;
  return Unpack(
      [&tar_path](archive* reader) {
        return archive_read_open_filename(reader, tar_path.c_str(), kBlockBytes);
      },
      size == 0, destination, limits);
}

}  // namespace modelhost::model
