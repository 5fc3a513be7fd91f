#include "api/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "api/access.h"
#include "api/api_key.h"

namespace modelhost::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AccessTest, ScopesImplyWhatTheHeaderSays) {
  EXPECT_TRUE(Grants(Scope::kAdmin, Scope::kPredict));
  EXPECT_TRUE(Grants(Scope::kAdmin, Scope::kWrite));
  EXPECT_TRUE(Grants(Scope::kWrite, Scope::kRead));
  EXPECT_FALSE(Grants(Scope::kWrite, Scope::kPredict));
  EXPECT_FALSE(Grants(Scope::kWrite, Scope::kAdmin));
  EXPECT_FALSE(Grants(Scope::kRead, Scope::kPredict));
  EXPECT_FALSE(Grants(Scope::kPredict, Scope::kRead));
  EXPECT_EQ(*ParseScope("predict"), Scope::kPredict);
  EXPECT_THAT(ParseScope("root").status().message(), HasSubstr("unknown scope 'root'"));
}

TEST(ApiKeyTest, KeysAreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto key = GenerateApiKey();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->text.size(), 3u + 16u + 1u + 43u) << key->text;
    EXPECT_EQ(key->text.substr(0, 3), "mh_");
    auto id = ApiKeyId(key->text);
    ASSERT_TRUE(id.ok()) << key->text;
    EXPECT_EQ(*id, key->id);
    EXPECT_TRUE(seen.insert(key->text).second);
  }
}

TEST(ApiKeyTest, MalformedKeysAreUnauthenticatedWithoutEchoingThem) {
  auto key = GenerateApiKey();
  ASSERT_TRUE(key.ok());
  const std::string bad[] = {"",
                             "mh_",
                             key->text.substr(0, key->text.size() - 1),
                             key->text + "A",
                             "xx" + key->text.substr(2),
                             "mh_" + std::string(16, 'G') + key->text.substr(19),
                             key->text.substr(0, 19) + "." + key->text.substr(20)};
  for (const std::string& text : bad) {
    auto id = ApiKeyId(text);
    ASSERT_FALSE(id.ok()) << text;
    EXPECT_EQ(id.status().code(), core::StatusCode::kUnauthenticated);
    if (!text.empty()) {
      EXPECT_THAT(id.status().message(), Not(HasSubstr(text)));
    }
  }
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::path(::testing::TempDir()) /
        ("auth_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(directory_);
    Reopen();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void Reopen() {
    authenticator_.reset();
    auto store = store::OpenSqliteMetadataStore(directory_.string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    auto authenticator = Authenticator::Load(store_.get());
    ASSERT_TRUE(authenticator.ok()) << authenticator.status().message();
    authenticator_ = std::move(*authenticator);
  }

  std::filesystem::path directory_;
  std::unique_ptr<store::MetadataStore> store_;
  std::unique_ptr<Authenticator> authenticator_;
};

TEST_F(AuthenticatorTest, AKeyWorksForItsScopesOnlyAndSurvivesARestart) {
  auto created = authenticator_->CreateKey("ci", {Scope::kPredict});
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->record.secret_sha256.size(), 64u);
  EXPECT_THAT(created->record.secret_sha256, Not(HasSubstr(created->text)));
  const std::string header = "Bearer " + created->text;
  EXPECT_EQ(*authenticator_->Authorize(header, Scope::kPredict), created->record.id);
  EXPECT_TRUE(authenticator_->Authorize("bearer " + created->text, Scope::kPredict).ok());
  auto denied = authenticator_->Authorize(header, Scope::kWrite);
  EXPECT_EQ(denied.status().code(), core::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("lacks the 'write' scope"));

  Reopen();
  EXPECT_TRUE(authenticator_->Authorize(header, Scope::kPredict).ok());
  auto keys = authenticator_->ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].name, "ci");
}

TEST_F(AuthenticatorTest, AbsentWrongAndDeletedKeysAreUnauthenticated) {
  auto created = authenticator_->CreateKey("ci", {Scope::kRead});
  ASSERT_TRUE(created.ok());
  auto other = GenerateApiKey();
  ASSERT_TRUE(other.ok());
  // Same id, other secret: found by id, refused by the hash.
  std::string forged = created->text.substr(0, 20) + other->text.substr(20);
  for (const std::string& header : {std::string(), std::string("Bearer"), "Basic " + created->text,
                                    created->text, "Bearer " + other->text, "Bearer " + forged}) {
    auto result = authenticator_->Authorize(header, Scope::kRead);
    EXPECT_EQ(result.status().code(), core::StatusCode::kUnauthenticated) << header;
  }
  ASSERT_TRUE(authenticator_->DeleteKey(created->record.id).ok());
  EXPECT_EQ(authenticator_->Authorize("Bearer " + created->text, Scope::kRead).status().code(),
            core::StatusCode::kUnauthenticated);
  EXPECT_EQ(authenticator_->DeleteKey(created->record.id).code(), core::StatusCode::kNotFound);
  Reopen();
  EXPECT_TRUE(authenticator_->empty());
}

TEST_F(AuthenticatorTest, KeysNeedAScopeAndAShortName) {
  EXPECT_EQ(authenticator_->CreateKey("none", {}).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(authenticator_->CreateKey(std::string(201, 'n'), {Scope::kRead}).status().code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(authenticator_->empty());
}

TEST_F(AuthenticatorTest, TheFirstAdminKeyIsWrittenOwnerOnlyOnce) {
  const std::string key_file = (directory_ / "admin.key").string();
  auto created = EnsureAdminKey(*authenticator_, key_file);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(*created);
  struct stat info {};
  ASSERT_EQ(stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string text;
  std::ifstream(key_file) >> text;
  EXPECT_TRUE(authenticator_->Authorize("Bearer " + text, Scope::kAdmin).ok());

  Reopen();
  auto again = EnsureAdminKey(*authenticator_, key_file);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  std::string unchanged;
  std::ifstream(key_file) >> unchanged;
  EXPECT_EQ(unchanged, text);
}

}  // namespace
}  // namespace modelhost::api
