#include "core/sha256.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/atomic_file.h"

namespace modelhost::core {
namespace {

using ::testing::HasSubstr;

// FIPS 180-2, appendix B, and the NIST example values.
constexpr char kEmptyHex[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbcHex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char k448BitMessage[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char k448BitHex[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kMillionAHex[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256Test, FipsVectors) {
  EXPECT_EQ(Sha256Hex(""), kEmptyHex);
  EXPECT_EQ(Sha256Hex("abc"), kAbcHex);
  EXPECT_EQ(Sha256Hex(k448BitMessage), k448BitHex);
}

TEST(Sha256Test, MillionAStreamedInUnevenPieces) {
  Sha256 hash;
  size_t fed = 0;
  const std::string block(9973, 'a');  // a prime, so pieces straddle the 64-byte blocks
  size_t piece = 1;
  while (fed < 1'000'000) {
    const size_t length = std::min({piece, block.size(), 1'000'000 - fed});
    hash.Update(std::string_view(block).substr(0, length));
    fed += length;
    piece = piece * 3 + 1;
  }
  EXPECT_EQ(DigestToHex(hash.Finish()), kMillionAHex);
}

TEST(Sha256Test, FinishResetsForTheNextMessage) {
  Sha256 hash;
  hash.Update("a");
  hash.Update("bc");
  EXPECT_EQ(DigestToHex(hash.Finish()), kAbcHex);
  EXPECT_EQ(DigestToHex(hash.Finish()), kEmptyHex);
  hash.Update("abc");
  Sha256 moved = std::move(hash);
  EXPECT_EQ(DigestToHex(moved.Finish()), kAbcHex);
}

TEST(Sha256Test, HexRoundTripsAndRejectsMalformedText) {
  Result<Sha256Digest> digest = DigestFromHex(kAbcHex);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ((*digest)[0], 0xba);
  EXPECT_EQ((*digest)[31], 0xad);
  EXPECT_EQ(DigestToHex(*digest), kAbcHex);

  Result<Sha256Digest> upper =
      DigestFromHex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, *digest);

  Result<Sha256Digest> short_text = DigestFromHex("abc");
  EXPECT_EQ(short_text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(short_text.status().message(), HasSubstr("64"));
  std::string bad = kAbcHex;
  bad[10] = 'g';
  Result<Sha256Digest> bad_char = DigestFromHex(bad);
  EXPECT_EQ(bad_char.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_char.status().message(), HasSubstr("offset 10"));
}

TEST(Sha256Test, FileHashMatchesInMemoryHash) {
  std::string dir = ::testing::TempDir() + "sha256_test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/million-a";
  // Larger than the read chunk, so several reads feed the hash.
  ASSERT_TRUE(WriteFileAtomically(path, std::string(1'000'000, 'a')).ok());
  Result<std::string> hex = Sha256OfFile(path);
  ASSERT_TRUE(hex.ok()) << hex.status().ToString();
  EXPECT_EQ(*hex, kMillionAHex);

  ASSERT_TRUE(WriteFileAtomically(dir + "/empty", "").ok());
  EXPECT_EQ(Sha256OfFile(dir + "/empty").value(), kEmptyHex);
  std::filesystem::remove_all(dir);
}

TEST(Sha256Test, MissingFileIsNotFoundNamingThePath) {
  const std::string path = ::testing::TempDir() + "sha256_test-does-not-exist";
  Result<std::string> hex = Sha256OfFile(path);
  ASSERT_FALSE(hex.ok());
  EXPECT_EQ(hex.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(hex.status().message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(hex.status().message(), HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace modelhost::core
