// Percent-decoding of request targets: "/api/v1/tracks?limit=5&cursor=a%3Ab" -> path + query map.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace amapiano::server {

// nullopt for a malformed escape ("%G1", a trailing "%") or a decoded NUL byte. `plus_is_space` for
// query components.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

struct Target final {
    std::string raw_path;
    std::string path;
    std::map<std::string, std::string> query;  // the first value of a repeated name wins
};
// nullopt when the path or a query component cannot be decoded, or the path is not absolute.
std::optional<Target> ParseTarget(std::string_view target);

}  // namespace amapiano::server
