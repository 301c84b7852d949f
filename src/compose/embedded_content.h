// Engine data compiled in from content/ at build time (see cmake/embed_content.cmake).
#pragma once

#include <string_view>

namespace amapiano::content {

// The text of content/<name> or content/styles/<name> (e.g. "classic.json", "validation.json"), or
// an empty view when there is none. File names are unique across the two folders.
std::string_view Find(std::string_view name);

}  // namespace amapiano::content
