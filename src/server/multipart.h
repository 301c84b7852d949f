// The one file field of a multipart/form-data upload (RFC 7578), as browsers send <input type=file>.
//
//   Result<MultipartFile> f = ExtractMultipartFile(content_type, "/tmp/body", "file");
//
// Errors: kInvalidArgument when the boundary is missing, the body is not well-formed multipart, or
// it has no field `field`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace amapiano::server {

struct MultipartFile final {
    std::string filename;  // as the client named it (may be empty)
    std::vector<uint8_t> bytes;
};

Result<MultipartFile> ExtractMultipartFile(std::string_view content_type, const std::filesystem::path& body,
                                           std::string_view field);

}  // namespace amapiano::server
