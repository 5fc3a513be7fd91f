#include "model/bundle_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/version.h"
#include "data/csv_reader.h"
#include "data/pipeline.h"
#include "model/input_schema.h"
#include "model/model_directory.h"
#include "model/model_inputs.h"
#include "pima_model.h"

namespace modelhost::model {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One entry of an archive the test writes or reads with libarchive.
struct TarEntry {
  TarEntry(std::string name, std::string content, mode_t type = AE_IFREG, std::string link = "",
           int64_t size = -1)
      : name(std::move(name)),
        content(std::move(content)),
        type(type),
        link(std::move(link)),
        size(size) {}
  std::string name;
  std::string content;
  mode_t type;       // AE_IF*, or 0 for a hard link
  std::string link;  // symlink target, or hard-link target when type == 0
  int64_t size;      // the header's size; -1: content.size()
};

// An archive holding `entries` as given, however hostile.
std::string MakeTar(const std::vector<TarEntry>& entries) {
  archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);
  archive_write_set_bytes_in_last_block(writer, 1);
  std::vector<char> buffer(1 << 20);
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(writer, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const TarEntry& spec : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, spec.name.c_str());
    if (spec.type == 0) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, spec.link.c_str());
    } else {
      archive_entry_set_filetype(entry, spec.type);
    }
    if (spec.type == AE_IFLNK) archive_entry_set_symlink(entry, spec.link.c_str());
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry,
                           spec.size >= 0 ? spec.size : static_cast<int64_t>(spec.content.size()));
    // ARCHIVE_WARN: a name that is not UTF-8 is stored as given.
    EXPECT_GE(archive_write_header(writer, entry), ARCHIVE_WARN) << archive_error_string(writer);
    if (!spec.content.empty()) {
      archive_write_data(writer, spec.content.data(), spec.content.size());
    }
    archive_entry_free(entry);
  }
  // An entry whose header claims more than its content leaves the archive
  // unfinished: closing it fails, and what was written is what the test wants.
  const bool lies = std::any_of(entries.begin(), entries.end(),
                                [](const TarEntry& entry) { return entry.size >= 0; });
  EXPECT_TRUE(archive_write_close(writer) == ARCHIVE_OK || lies);
  archive_write_free(writer);
  return std::string(buffer.data(), used);
}

struct ListedEntry {
  std::string name;
  int mode;
  int64_t mtime;
  int64_t uid;
  int64_t gid;
  bool has_owner_names;
};

bool NonEmpty(const char* text) { return text != nullptr && *text != '\0'; }

std::vector<ListedEntry> ListTar(const std::string& tar) {
  std::vector<ListedEntry> listed;
  archive* reader = archive_read_new();
  archive_read_support_format_tar(reader);
  EXPECT_EQ(archive_read_open_memory(reader, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    listed.push_back(
        {archive_entry_pathname(entry), static_cast<int>(archive_entry_mode(entry)),
         archive_entry_mtime(entry), archive_entry_uid(entry), archive_entry_gid(entry),
         NonEmpty(archive_entry_uname(entry)) || NonEmpty(archive_entry_gname(entry))});
  }
  archive_read_free(reader);
  return listed;
}

std::vector<std::string> Names(const std::vector<ListedEntry>& listed) {
  std::vector<std::string> names;
  for (const ListedEntry& entry : listed) names.push_back(entry.name);
  return names;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BundleArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(::testing::TempDir()) /
        ("bundle_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A freshly initialised (untrained) network for Pima, written to
  // root_/model; features_ holds the table's feature matrix.
  void MakeModel() {
    PimaModel model;
    ASSERT_NO_FATAL_FAILURE(MakeUntrainedPimaModel(model, {"accuracy"}, 0));
    table_ = std::move(model.table);
    description_ = std::move(model.description);
    network_ = std::move(model.network);
    features_ = std::move(model.features);
    ASSERT_TRUE(ModelDirectory::Write(model_path(), description_, *network_).ok());
  }

  std::string model_path() const { return (root_ / "model").string(); }
  std::string unpacked_path() const { return (root_ / "unpacked").string(); }
  std::string File(std::string_view name) const { return Slurp(root_ / "model" / name); }

  // The model's files as tar entries, under `prefix`.
  std::vector<TarEntry> ModelEntries(const std::string& prefix = "") const {
    return {{prefix + kModelJsonFile, File(kModelJsonFile)},
            {prefix + kNetworkJsonFile, File(kNetworkJsonFile)},
            {prefix + kWeightsFile, File(kWeightsFile)}};
  }

  // Unpacks `tar` to `destination` from memory or, with `from_file`, from a
  // file beside the test's directory (as an upload arrives).
  core::Status Unpack(const std::string& tar, const std::string& destination,
                      const BundleLimits& limits, bool from_file) const {
    if (!from_file) return UnpackModelBundle(tar, destination, limits);
    const std::string body = root_.string() + "-body.tar";
    std::ofstream(body, std::ios::binary) << tar;
    core::Status status = UnpackModelBundleFile(body, destination, limits);
    fs::remove(body);
    return status;
  }

  // Unpacking `tar`, from memory and from a file, fails with `code` and a
  // message containing `expected`, and leaves nothing but the model behind.
  void ExpectRejected(const std::string& tar, core::StatusCode code, const std::string& expected,
                      const BundleLimits& limits = {}) {
    for (bool from_file : {false, true}) {
      SCOPED_TRACE(from_file ? "from a file" : "from memory");
      core::Status status = Unpack(tar, unpacked_path(), limits, from_file);
      EXPECT_EQ(status.code(), code) << status.ToString();
      EXPECT_THAT(status.message(), HasSubstr(expected));
      std::vector<std::string> left;
      for (const auto& entry : fs::directory_iterator(root_)) {
        left.push_back(entry.path().filename().string());
      }
      EXPECT_THAT(left, ElementsAre("model")) << "nothing but the source model is left";
    }
  }

  // Unpacks `tar`, reads the result and checks its predictions are bit
  // identical to those of network_.
  void ExpectUnpacksToTheModel(const std::string& tar) {
    for (bool from_file : {false, true}) {
      SCOPED_TRACE(from_file ? "from a file" : "from memory");
      core::Status status = Unpack(tar, unpacked_path(), {}, from_file);
      ASSERT_TRUE(status.ok()) << status.ToString();
      auto read = ModelDirectory::Read(unpacked_path());
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      nn::Matrix before, after;
      ASSERT_TRUE(network_->Predict(features_, &before).ok());
      ASSERT_TRUE((*read)->network().Predict(features_, &after).ok());
      ASSERT_EQ(before.size(), after.size());
      EXPECT_EQ(std::memcmp(before.data(), after.data(), before.size() * sizeof(float)), 0);
      EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 2)
          << "no temporary directory is left behind";
      fs::remove_all(unpacked_path());
    }
  }

  fs::path root_;
  data::Table table_;
  ModelDescription description_;
  std::unique_ptr<nn::Sequential> network_;
  nn::Matrix features_;
};

TEST_F(BundleArchiveTest, PackThenUnpackGivesBitIdenticalPredictions) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  auto tar = PackModelDirectory(model_path());
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  ASSERT_NO_FATAL_FAILURE(ExpectUnpacksToTheModel(*tar));
}

TEST_F(BundleArchiveTest, PackingIsDeterministicWithFixedMetadata) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  auto first = PackModelDirectory(model_path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // The same model written again, at another time, packs to the same bytes.
  const std::string again = (root_ / "again").string();
  ASSERT_TRUE(ModelDirectory::Write(again, description_, *network_).ok());
  fs::last_write_time(fs::path(again) / kWeightsFile,
                      fs::file_time_type::clock::now() - std::chrono::hours(30));
  auto second = PackModelDirectory(again);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(*first == *second) << "the archives differ";

  std::vector<ListedEntry> listed = ListTar(*first);
  EXPECT_THAT(Names(listed), ElementsAre(kModelJsonFile, kNetworkJsonFile, kWeightsFile));
  for (const ListedEntry& entry : listed) {
    EXPECT_EQ(entry.mode, AE_IFREG | 0644) << entry.name;
    EXPECT_EQ(entry.mtime, 0) << entry.name;
    EXPECT_EQ(entry.uid, 0) << entry.name;
    EXPECT_EQ(entry.gid, 0) << entry.name;
    EXPECT_FALSE(entry.has_owner_names) << entry.name;
  }
  // Plain ustar: 512-byte header + content padded to 512 per file, then the
  // two zero blocks of the end, and nothing else.
  size_t expected_size = 1024;
  for (std::string_view name : {kModelJsonFile, kNetworkJsonFile, kWeightsFile}) {
    expected_size += 512 + (File(name).size() + 511) / 512 * 512;
  }
  EXPECT_EQ(first->size(), expected_size);
  EXPECT_EQ(first->substr(257, 6), std::string("ustar\0", 6));
}

TEST_F(BundleArchiveTest, PackingAnInvalidDirectoryFails) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  fs::remove(root_ / "model" / kWeightsFile);
  auto tar = PackModelDirectory(model_path());
  ASSERT_FALSE(tar.ok());
  EXPECT_THAT(tar.status().message(), HasSubstr(kWeightsFile));
}

// Archives made by GNU tar in each layout a user is likely to use.
TEST_F(BundleArchiveTest, AcceptsArchivesOfTheTarCommand) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  const std::string tar_file =
      (root_.parent_path() / (root_.filename().string() + ".tar")).string();
  const std::string model = model_path();
  const std::string layouts[] = {
      "tar -C " + model + " -cf " + tar_file + " model.json network.json weights.safetensors",
      "tar -C " + model + " -cf " + tar_file + " .",
      "tar -C " + root_.string() + " -cf " + tar_file + " model",
      "tar --format=pax -C " + root_.string() + " -cf " + tar_file + " ./model",
  };
  for (const std::string& command : layouts) {
    SCOPED_TRACE(command);
    ASSERT_EQ(std::system(command.c_str()), 0);
    ASSERT_NO_FATAL_FAILURE(ExpectUnpacksToTheModel(Slurp(tar_file)));
  }
  fs::remove(tar_file);
}

TEST_F(BundleArchiveTest, RejectsUnsafeOrUnknownEntries) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  const std::string model_json = File(kModelJsonFile);
  struct Case {
    std::vector<TarEntry> extra;
    std::string expected;
  };
  const Case cases[] = {
      {{{"/model.json", model_json}}, "bundle entry '/model.json': absolute paths"},
      {{{"../model.json", model_json}}, "bundle entry '../model.json': '..' is not allowed"},
      {{{"x/../y", model_json}}, "bundle entry 'x/../y': '..' is not allowed"},
      {{{"pipeline.json", "", AE_IFLNK, "/etc/passwd"}},
       "bundle entry 'pipeline.json': symbolic links are not allowed"},
      {{{"pipeline.json", "", 0, "model.json"}},
       "bundle entry 'pipeline.json': hard links are not allowed"},
      {{{"pipeline.json", "", AE_IFCHR}}, "bundle entry 'pipeline.json': only regular files"},
      {{{"pipeline.json", "", AE_IFIFO}}, "bundle entry 'pipeline.json': only regular files"},
      {{{"model.json", model_json}}, "bundle entry 'model.json': appears twice"},
      {{{"./model.json", model_json}}, "bundle entry './model.json': appears twice"},
      {{{"notes.txt", "hi"}}, "bundle entry 'notes.txt': unknown file"},
      {{{"a/b/", "", AE_IFDIR}}, "bundle entry 'a/b/': a bundle holds its files at the top"},
      {{{"sub/pipeline.json", "{}"}},
       "bundle entry 'sub/pipeline.json': the entries before it are not in a directory"},
      {{{"a//pipeline.json", "{}"}}, "bundle entry 'a//pipeline.json': malformed path"},
      // The name comes from the upload: the message shows it printable.
      {{{"bad\xff\n.json", "{}"}}, "bundle entry 'bad\\xff\\x0a.json': unknown file"},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.expected);
    std::vector<TarEntry> entries = ModelEntries();
    entries.insert(entries.end(), test_case.extra.begin(), test_case.extra.end());
    ASSERT_NO_FATAL_FAILURE(
        ExpectRejected(MakeTar(entries), core::StatusCode::kInvalidArgument, test_case.expected));
  }
  std::vector<TarEntry> mixed = ModelEntries("a/");
  mixed.push_back({"b/pipeline.json", "{}"});
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(MakeTar(mixed), core::StatusCode::kInvalidArgument,
                                         "bundle entry 'b/pipeline.json': not in 'a/'"));
  std::vector<TarEntry> deep = ModelEntries("a/b/");
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(MakeTar(deep), core::StatusCode::kInvalidArgument,
                                         "bundle entry 'a/b/model.json': a bundle holds"));
}

TEST_F(BundleArchiveTest, RejectsFilesAboveTheLimits) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  const std::string tar = MakeTar(ModelEntries());
  const std::vector<std::string> names = {kModelJsonFile, kNetworkJsonFile, kWeightsFile};
  const std::string largest = *std::max_element(
      names.begin(), names.end(),
      [&](const std::string& a, const std::string& b) { return File(a).size() < File(b).size(); });
  const uint64_t limit = File(largest).size() - 1;
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(tar, core::StatusCode::kResourceExhausted,
                                         "bundle entry '" + largest +
                                             "': larger than the limit of " +
                                             std::to_string(limit) + " bytes per file",
                                         {limit, 1 << 30}));
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(tar, core::StatusCode::kResourceExhausted,
                                         "bundle: the files are larger than the limit of 1000 ",
                                         {1 << 30, 1000}));
  // A header that claims more than the limit is refused before any data.
  std::vector<TarEntry> huge = ModelEntries();
  huge.push_back({"pipeline.json", "", AE_IFREG, "", int64_t{1} << 40});
  std::string huge_tar = MakeTar(huge);
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(huge_tar, core::StatusCode::kResourceExhausted,
                                         "bundle entry 'pipeline.json': larger than the limit"));
}

TEST_F(BundleArchiveTest, RejectsBodiesThatAreNotTar) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  auto tar = PackModelDirectory(model_path());
  ASSERT_TRUE(tar.ok());
  const std::string bodies[] = {
      "",
      "hello, this is not a tar archive at all",
      std::string(700, 'x'),
      tar->substr(0, tar->size() - 1024 - 700),  // cut inside the weights
      tar->substr(0, 300),                       // cut inside the first header
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body.size());
    ASSERT_NO_FATAL_FAILURE(
        ExpectRejected(body, core::StatusCode::kInvalidArgument, "not a tar archive: "));
  }
  // A bundle is a plain .tar: a compressed one is refused, not unpacked.
  const fs::path tar_file = root_.string() + ".tar";
  std::ofstream(tar_file, std::ios::binary) << *tar;
  ASSERT_EQ(std::system(("gzip -f " + tar_file.string()).c_str()), 0);
  const std::string gzipped = Slurp(tar_file.string() + ".gz");
  fs::remove(tar_file.string() + ".gz");
  ASSERT_NO_FATAL_FAILURE(
      ExpectRejected(gzipped, core::StatusCode::kInvalidArgument, "not a tar archive: "));
}

TEST_F(BundleArchiveTest, AMissingBodyFileIsNotFound) {
  core::Status status =
      UnpackModelBundleFile((root_ / "no.tar").string(), unpacked_path(), BundleLimits{});
  EXPECT_EQ(status.code(), core::StatusCode::kNotFound) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("no.tar"));
}

TEST_F(BundleArchiveTest, RejectsAnInvalidModel) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  std::vector<TarEntry> missing = ModelEntries();
  missing.pop_back();
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(MakeTar(missing), core::StatusCode::kInvalidArgument,
                                         "bundle: weights.safetensors is missing"));

  std::vector<TarEntry> broken = ModelEntries();
  broken[0].content = "{\"format_version\": 99}";
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(MakeTar(broken), core::StatusCode::kInvalidArgument,
                                         "bundle: model.json: field 'format_version'"));

  std::vector<TarEntry> short_weights = ModelEntries();
  short_weights[2].content.resize(short_weights[2].content.size() - 4);
  core::Status status = UnpackModelBundle(MakeTar(short_weights), unpacked_path(), {});
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("bundle: weights.safetensors"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr(root_.string()))) << "no server paths";

  std::vector<TarEntry> unwanted = ModelEntries();
  unwanted.push_back({kPipelineJsonFile, "{}"});
  ASSERT_NO_FATAL_FAILURE(ExpectRejected(MakeTar(unwanted), core::StatusCode::kInvalidArgument,
                                         "bundle: pipeline.json is present but model.json"));
}

TEST_F(BundleArchiveTest, TheDestinationMustBeNew) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  auto tar = PackModelDirectory(model_path());
  ASSERT_TRUE(tar.ok());
  core::Status exists = UnpackModelBundle(*tar, model_path(), {});
  EXPECT_EQ(exists.code(), core::StatusCode::kAlreadyExists) << exists.ToString();
  fs::create_directories(unpacked_path());
  core::Status empty = UnpackModelBundle(*tar, unpacked_path(), {});
  EXPECT_EQ(empty.code(), core::StatusCode::kAlreadyExists) << empty.ToString();
  fs::remove(unpacked_path());
  core::Status no_parent = UnpackModelBundle(*tar, (root_ / "none" / "v1").string(), {});
  EXPECT_EQ(no_parent.code(), core::StatusCode::kNotFound) << no_parent.ToString();
  EXPECT_EQ(std::distance(fs::directory_iterator(root_), fs::directory_iterator()), 1);
}

TEST_F(BundleArchiveTest, ThePipelineTravelsInTheBundle) {
  ASSERT_NO_FATAL_FAILURE(MakeModel());
  auto raw = data::ReadCsvFile(std::string(MODELHOST_TEST_DATA) + "/pima_indians_diabetes_na.csv");
  ASSERT_TRUE(raw.ok());
  auto pipeline = data::Pipeline::FromJson(R"({"steps": [
      {"op": "impute", "columns": "numeric", "strategy": "median"},
      {"op": "standardize", "columns": "numeric"}]})");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
  auto set = FitPipelineForTraining(*pipeline, raw->table, "diabetes", std::nullopt);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  description_.schema = set->schema;
  description_.pipeline = set->pipeline;
  const std::string path = (root_ / "with_pipeline").string();
  ASSERT_TRUE(ModelDirectory::Write(path, description_, *network_).ok());

  auto tar = PackModelDirectory(path);
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  EXPECT_THAT(Names(ListTar(*tar)),
              ElementsAre(kModelJsonFile, kNetworkJsonFile, kPipelineJsonFile, kWeightsFile));
  ASSERT_TRUE(UnpackModelBundle(*tar, unpacked_path(), {}).ok());
  auto read = ModelDirectory::Read(unpacked_path());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE((*read)->description().pipeline.has_value());
  EXPECT_EQ(*(*read)->description().pipeline, set->pipeline);
  for (std::string_view name : {kModelJsonFile, kPipelineJsonFile, kWeightsFile}) {
    EXPECT_EQ(Slurp(fs::path(unpacked_path()) / name), Slurp(fs::path(path) / name)) << name;
  }

  // Without pipeline.json the bundle does not make a model.
  std::vector<TarEntry> entries;
  for (std::string_view name : {kModelJsonFile, kNetworkJsonFile, kWeightsFile}) {
    entries.push_back({std::string(name), Slurp(fs::path(path) / name)});
  }
  core::Status status = UnpackModelBundle(MakeTar(entries), (root_ / "again").string(), {});
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("bundle: "));
  EXPECT_THAT(status.message(), HasSubstr(kPipelineJsonFile));
  EXPECT_FALSE(fs::exists(root_ / "again"));
}

}  // namespace
}  // namespace modelhost::model
