#include "cli/transfer_progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace modelhost::cli {
namespace {

TEST(FormatBytesTest, BinaryUnitsWithOneDecimal) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(60416), "59.0 KiB");
  EXPECT_EQ(FormatBytes(1536ull << 20), "1.5 GiB");
  // Rounding would print "1024.0 KiB": the next unit instead.
  EXPECT_EQ(FormatBytes((1ull << 20) - 1), "1.0 MiB");
}

TEST(FormatSecondsTest, RoundsUpToWholeSeconds) {
  EXPECT_EQ(FormatSeconds(0), "0s");
  EXPECT_EQ(FormatSeconds(3.2), "4s");
  EXPECT_EQ(FormatSeconds(125), "2m05s");
  EXPECT_EQ(FormatSeconds(3720), "1h02m");
}

TEST(FormatTransferLineTest, ShowsBytesPercentRateAndEta) {
  // 10 MiB of 40 MiB in 2 s: 5 MiB/s, 30 MiB left -> 6 s.
  EXPECT_EQ(FormatTransferLine("pima.csv", 10ull << 20, 40ull << 20, 2.0),
            "pima.csv [=====>              ] 10.0 MiB / 40.0 MiB   25%  5.0 MiB/s  ETA 6s");
}

TEST(FormatTransferLineTest, UnknownRateBeforeAnyByteOrTime) {
  EXPECT_EQ(FormatTransferLine("f", 0, 2048, 0.0),
            "f [>                   ] 0 B / 2.0 KiB    0%  --  ETA --");
  EXPECT_EQ(FormatTransferLine("f", 2048, 2048, 1.0),
            "f [====================] 2.0 KiB / 2.0 KiB  100%  2.0 KiB/s  ETA 0s");
}

std::string Captured(bool terminal) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  {
    TransferProgress progress(out, terminal, "data.csv");
    progress.Update(512, 1024);
    progress.Update(1024, 1024);
    progress.Finish();
  }
  std::fclose(out);
  std::string captured(text, size);
  std::free(text);
  return captured;
}

TEST(TransferProgressTest, SilentWhenNotATerminal) { EXPECT_EQ(Captured(false), ""); }

TEST(TransferProgressTest, TerminalEndsWithTheCompleteLine) {
  std::string text = Captured(true);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  size_t last = text.rfind("\r\033[K");
  ASSERT_NE(last, std::string::npos);
  EXPECT_EQ(text.substr(last + 4, 43), "data.csv [====================] 1.0 KiB / 1");
}

}  // namespace
}  // namespace modelhost::cli
