#include "api/router.h"

#include <algorithm>

namespace modelhost::api {
namespace {

bool HasBrace(std::string_view text) { return text.find_first_of("{}") != std::string_view::npos; }

// Splits off the next '/'-separated segment of `rest` (which starts after a '/').
std::string_view NextSegment(std::string_view* rest) {
  size_t slash = rest->find('/');
  std::string_view segment = rest->substr(0, slash);
  *rest = slash == std::string_view::npos ? std::string_view() : rest->substr(slash + 1);
  return segment;
}

int SegmentRank(bool literal, bool affixed) { return literal ? 2 : (affixed ? 1 : 0); }

}  // namespace

bool Router::ParsePattern(std::string_view text, std::vector<Segment>* segments) {
  if (text.empty() || text[0] != '/') return false;
  std::string_view rest = text.substr(1);
  bool more = true;
  while (more) {
    more = rest.find('/') != std::string_view::npos;
    std::string_view part = NextSegment(&rest);
    Segment segment;
    size_t open = part.find('{');
    if (open == std::string_view::npos) {
      if (HasBrace(part)) return false;
      segment.literal.assign(part);
    } else {
      size_t close = part.find('}', open);
      if (close == std::string_view::npos || close == open + 1) return false;
      segment.kind = Segment::Kind::kParam;
      segment.prefix.assign(part.substr(0, open));
      segment.name.assign(part.substr(open + 1, close - open - 1));
      segment.suffix.assign(part.substr(close + 1));
      if (HasBrace(segment.prefix) || HasBrace(segment.name) || HasBrace(segment.suffix)) {
        return false;
      }
    }
    segments->push_back(std::move(segment));
  }
  return true;
}

bool Router::MoreSpecific(const Pattern& a, const Pattern& b) {
  size_t common = std::min(a.segments.size(), b.segments.size());
  for (size_t index = 0; index < common; ++index) {
    const Segment& sa = a.segments[index];
    const Segment& sb = b.segments[index];
    int rank_a =
        SegmentRank(sa.kind == Segment::Kind::kLiteral, !sa.prefix.empty() || !sa.suffix.empty());
    int rank_b =
        SegmentRank(sb.kind == Segment::Kind::kLiteral, !sb.prefix.empty() || !sb.suffix.empty());
    if (rank_a != rank_b) return rank_a > rank_b;
  }
  return false;
}

Router& Router::Add(Method method, std::string_view pattern, Access access, SyncHandler handler) {
  return Add(method, pattern, access,
             Handler([handler = std::move(handler)](HttpRequest& request, Responder responder) {
               responder.Respond(handler(request));
             }));
}

Router& Router::Add(Method method, std::string_view pattern, Access access, Handler handler) {
  return AddRoute(method, pattern, access, BodyMode::kInMemory, std::move(handler));
}

Router& Router::AddUpload(Method method, std::string_view pattern, Access access, Handler handler) {
  return AddRoute(method, pattern, access, BodyMode::kToFile, std::move(handler));
}

Router& Router::AddRoute(Method method, std::string_view pattern, Access access, BodyMode body_mode,
                         Handler handler) {
  auto fail = [&](std::string_view why) -> Router& {
    if (status_.ok()) {
      status_ = core::InvalidArgument("route " + std::string(ToString(method)) + " " +
                                      std::string(pattern) + ": " + std::string(why));
    }
    return *this;
  };
  if (!handler) return fail("no handler");
  std::vector<Segment> segments;
  if (!ParsePattern(pattern, &segments)) return fail("malformed pattern");
  auto existing = std::find_if(patterns_.begin(), patterns_.end(),
                               [&](const Pattern& p) { return p.text == pattern; });
  if (existing == patterns_.end()) {
    Pattern entry;
    entry.text.assign(pattern);
    entry.segments = std::move(segments);
    entry.label_id = static_cast<int>(labels_.size());
    labels_.emplace_back(pattern);
    // Keep most-specific-first order; stable among equals (insertion order).
    auto position =
        std::upper_bound(patterns_.begin(), patterns_.end(), entry,
                         [](const Pattern& a, const Pattern& b) { return MoreSpecific(a, b); });
    existing = patterns_.insert(position, std::move(entry));
  }
  Handler& slot = existing->handlers[static_cast<size_t>(method)];
  if (slot) return fail("duplicate route");
  slot = std::move(handler);
  existing->access[static_cast<size_t>(method)] = access;
  existing->body_modes[static_cast<size_t>(method)] = body_mode;
  return *this;
}

bool Router::SegmentMatches(const Segment& segment, std::string_view text) {
  if (segment.kind == Segment::Kind::kLiteral) return text == segment.literal;
  size_t affixes = segment.prefix.size() + segment.suffix.size();
  return text.size() > affixes && text.starts_with(segment.prefix) &&
         text.ends_with(segment.suffix);
}

bool Router::PathMatches(const Pattern& pattern, const std::string_view* parts, size_t count) {
  if (pattern.segments.size() != count) return false;
  for (size_t index = 0; index < count; ++index) {
    if (!SegmentMatches(pattern.segments[index], parts[index])) return false;
  }
  return true;
}

RouteMatch Router::Match(Method method, std::string_view path, HttpRequest* request) const {
  if (path.empty() || path[0] != '/') {
    RouteMatch match;
    match.route_id = unmatched_route_id();
    return match;
  }
  // Split once; every candidate pattern and the parameter extraction reuse it.
  std::array<std::string_view, kMaxInlineSegments> inline_parts;
  std::vector<std::string_view> spilled;
  std::string_view* parts = inline_parts.data();
  size_t count = 0;
  std::string_view rest = path.substr(1);
  bool more = true;
  while (more) {
    more = rest.find('/') != std::string_view::npos;
    std::string_view part = NextSegment(&rest);
    if (count == kMaxInlineSegments && spilled.empty()) {
      spilled.assign(inline_parts.begin(), inline_parts.end());
    }
    if (count >= kMaxInlineSegments) {
      spilled.push_back(part);
    } else {
      inline_parts[count] = part;
    }
    ++count;
  }
  if (!spilled.empty()) parts = spilled.data();
  return MatchSegments(method, parts, count, request);
}

RouteMatch Router::MatchSegments(Method method, const std::string_view* parts, size_t count,
                                 HttpRequest* request) const {
  RouteMatch match;
  match.route_id = unmatched_route_id();
  const Pattern* first_match = nullptr;
  const Pattern* found = nullptr;
  for (const Pattern& pattern : patterns_) {
    if (!PathMatches(pattern, parts, count)) continue;
    if (first_match == nullptr) first_match = &pattern;
    if (pattern.handlers[static_cast<size_t>(method)]) {
      found = &pattern;
      break;
    }
  }
  if (first_match == nullptr) return match;
  if (found == nullptr) {
    match.kind = RouteMatch::Kind::kMethodNotAllowed;
    match.route_id = first_match->label_id;
    // The union of the methods of every matching pattern, in method order.
    std::array<bool, kMethodCount> allowed{};
    for (const Pattern& pattern : patterns_) {
      if (!PathMatches(pattern, parts, count)) continue;
      for (int index = 0; index < kMethodCount; ++index) {
        allowed[index] = allowed[index] || static_cast<bool>(pattern.handlers[index]);
      }
    }
    for (int index = 0; index < kMethodCount; ++index) {
      if (!allowed[index]) continue;
      if (!match.allow.empty()) match.allow.append(", ");
      match.allow.append(ToString(static_cast<Method>(index)));
    }
    return match;
  }
  match.kind = RouteMatch::Kind::kFound;
  match.route_id = found->label_id;
  match.handler = &found->handlers[static_cast<size_t>(method)];
  match.access = *found->access[static_cast<size_t>(method)];
  match.body_mode = found->body_modes[static_cast<size_t>(method)];
  if (request != nullptr) {
    for (size_t index = 0; index < count; ++index) {
      const Segment& segment = found->segments[index];
      if (segment.kind == Segment::Kind::kLiteral) continue;
      std::string_view text = parts[index];
      text = text.substr(segment.prefix.size(),
                         text.size() - segment.prefix.size() - segment.suffix.size());
      request->AddPathParam(segment.name, PercentDecode(text, /*plus_is_space=*/false));
    }
  }
  return match;
}

std::vector<Router::RouteEntry> Router::Routes() const {
  std::vector<const Pattern*> by_label(patterns_.size());
  for (const Pattern& pattern : patterns_) by_label[pattern.label_id] = &pattern;
  std::vector<RouteEntry> routes;
  for (const Pattern* pattern : by_label) {
    for (int index = 0; index < kMethodCount; ++index) {
      if (!pattern->handlers[index]) continue;
      routes.push_back({static_cast<Method>(index), pattern->text, *pattern->access[index],
                        pattern->body_modes[index]});
    }
  }
  return routes;
}

std::string_view Router::RouteLabel(int route_id) const {
  if (route_id < 0 || route_id >= static_cast<int>(labels_.size())) return kUnmatchedLabel;
  return labels_[route_id];
}

}  // namespace modelhost::api
