#include "data/validity_bitmap.h"

#include <gtest/gtest.h>

#include <vector>

namespace modelhost::data {
namespace {

ValidityBitmap Pattern(size_t size, size_t offset) {
  ValidityBitmap bitmap;
  for (size_t row = 0; row < size; ++row) bitmap.Append((row * 7 + offset) % 3 != 0);
  return bitmap;
}

TEST(ValidityBitmapTest, AppendingABitmapEqualsAppendingItsRows) {
  for (size_t first : {0, 1, 63, 64, 65, 130}) {
    for (size_t second : {0, 1, 63, 64, 65, 200}) {
      ValidityBitmap joined = Pattern(first, 0);
      const ValidityBitmap tail = Pattern(second, 5);
      joined.Append(tail);
      ValidityBitmap expected = Pattern(first, 0);
      for (size_t row = 0; row < second; ++row) expected.Append(tail.IsValid(row));
      EXPECT_EQ(joined, expected) << first << " + " << second;
      EXPECT_EQ(joined.missing_count(), expected.missing_count());
    }
  }
}

TEST(ValidityBitmapTest, FromWordsChecksTheWordCountAndTheBitsPastTheEnd) {
  const ValidityBitmap bitmap = Pattern(70, 1);
  std::vector<uint64_t> words(bitmap.words().begin(), bitmap.words().end());
  auto rebuilt = ValidityBitmap::FromWords(words, 70);
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_EQ(*rebuilt, bitmap);
  EXPECT_EQ(rebuilt->missing_count(), bitmap.missing_count());
  EXPECT_FALSE(ValidityBitmap::FromWords(words, 60).has_value());   // too many words
  EXPECT_FALSE(ValidityBitmap::FromWords(words, 130).has_value());  // too few
  words[1] |= uint64_t{1} << 10;                                    // row 74 of 70
  EXPECT_FALSE(ValidityBitmap::FromWords(words, 70).has_value());
  EXPECT_TRUE(ValidityBitmap::FromWords({}, 0).has_value());
}

}  // namespace
}  // namespace modelhost::data
