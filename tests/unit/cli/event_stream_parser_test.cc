#include "cli/event_stream_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelhost::cli {
namespace {

std::vector<ServerSentEvent> FeedInPieces(const std::string& stream, size_t piece) {
  EventStreamParser parser;
  std::vector<ServerSentEvent> events;
  for (size_t at = 0; at < stream.size(); at += piece) {
    parser.Feed(std::string_view(stream).substr(at, piece), [&](const ServerSentEvent& event) {
      events.push_back(event);
      return true;
    });
  }
  return events;
}

TEST(EventStreamParserTest, EventsSplitAnywhereComeOutWhole) {
  const std::string stream =
      ": keep-alive\n"
      "event: state\ndata: {\"state\":\"running\"}\n\n"
      "event: epoch\r\ndata: {\"epoch\":0}\r\n\r\n"
      "data: first\ndata: second\n\n"
      "event: end\rdata:{}\r\r";
  for (size_t piece : {1, 2, 7, 1000}) {
    std::vector<ServerSentEvent> events = FeedInPieces(stream, piece);
    ASSERT_EQ(events.size(), 4u) << piece;
    EXPECT_EQ(events[0].name, "state");
    EXPECT_EQ(events[0].data, "{\"state\":\"running\"}");
    EXPECT_EQ(events[1].name, "epoch");
    EXPECT_EQ(events[1].data, "{\"epoch\":0}");
    EXPECT_EQ(events[2].name, "message");
    EXPECT_EQ(events[2].data, "first\nsecond");
    EXPECT_EQ(events[3].name, "end");
    EXPECT_EQ(events[3].data, "{}");
  }
}

TEST(EventStreamParserTest, EventWithoutDataIsNotDispatchedAndUnfinishedIsKept) {
  EventStreamParser parser;
  std::vector<ServerSentEvent> events;
  auto collect = [&](const ServerSentEvent& event) {
    events.push_back(event);
    return true;
  };
  EXPECT_TRUE(parser.Feed("event: ping\n\nevent: state\ndata: x", collect));
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(parser.Feed("y\n\n", collect));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "state");
  EXPECT_EQ(events[0].data, "xy");
}

TEST(EventStreamParserTest, StopsWhenTheHandlerSaysSo) {
  EventStreamParser parser;
  int seen = 0;
  EXPECT_FALSE(parser.Feed("data: 1\n\ndata: 2\n\n", [&](const ServerSentEvent&) {
    ++seen;
    return false;
  }));
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace modelhost::cli
