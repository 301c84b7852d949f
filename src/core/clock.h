// Wall-clock time as the stores keep it: ISO 8601 UTC text with milliseconds, which sorts the same as
// the instants it names and reads the same on every backend.
//
//   std::string now = UtcTimestamp();                          // "2026-11-27T06:58:42.123Z"
//   std::string later = UtcTimestamp(std::chrono::system_clock::now() + std::chrono::minutes(15));
//   std::optional<std::chrono::system_clock::time_point> at = ParseUtcTimestamp(now);   // and back
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace amapiano {

std::string UtcTimestamp(std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

// The instant a UtcTimestamp names ("YYYY-MM-DDTHH:MM:SS.mmmZ"; the milliseconds may be left out), or
// nullopt for any other text.
std::optional<std::chrono::system_clock::time_point> ParseUtcTimestamp(std::string_view text);

}  // namespace amapiano
