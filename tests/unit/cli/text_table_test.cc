#include "cli/text_table.h"

#include <gtest/gtest.h>

namespace modelhost::cli {
namespace {

TEST(TextTableTest, AlignsColumnsAndRightAlignsNumbers) {
  TextTable table({{"ID"}, {"NAME"}, {"ROWS", Align::kRight}});
  table.AddRow({"ds_1", "pima", "768"});
  table.AddRow({"ds_22", "adult-income", "32561"});
  EXPECT_EQ(table.Render(),
            "ID     NAME           ROWS\n"
            "ds_1   pima            768\n"
            "ds_22  adult-income  32561\n");
}

TEST(TextTableTest, NoTrailingSpacesAndUtf8CountsCodePoints) {
  TextTable table({{"A"}, {"B"}});
  table.AddRow({"é", ""});
  table.AddRow({"xyz", "1"});
  EXPECT_EQ(table.Render(),
            "A    B\n"
            "é\n"
            "xyz  1\n");
}

TEST(TextTableTest, HeaderOnlyWhenEmpty) {
  TextTable table({{"NAME"}, {"LATEST", Align::kRight}});
  EXPECT_EQ(table.Render(), "NAME  LATEST\n");
}

TEST(FormatFieldsTest, AlignsValues) {
  EXPECT_EQ(FormatFields({{"id", "ds_1"}, {"created", "2026-01-01"}}),
            "id:       ds_1\n"
            "created:  2026-01-01\n");
}

}  // namespace
}  // namespace modelhost::cli
