// Wall-clock time as the stores keep it: ISO 8601 UTC text with milliseconds, which sorts the same as
// the instants it names and reads the same on every backend.
//
//   std::string now = UtcTimestamp();                          // "2026-11-27T06:58:42.123Z"
//   std::string later = UtcTimestamp(std::chrono::system_clock::now() + std::chrono::minutes(15));
#pragma once

#include <chrono>
#include <string>

namespace amapiano {

std::string UtcTimestamp(std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

}  // namespace amapiano
