// The one file field of a multipart/form-data upload (RFC 7578), as browsers send <input type=file>.
// The body file is mapped, not read into memory, and the field is copied out file to file, so a
// 200 MB upload never sits on the heap.
//
//   Result<MultipartFile> f = ExtractMultipartFile(content_type, "/tmp/body", "file", "/tmp/body.part");
//
// Errors: kInvalidArgument when the boundary is missing, the body is not well-formed multipart, or
// it has no field `field`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"

namespace amapiano::server {

struct MultipartFile final {
    std::string filename;  // as the client named it (may be empty)
    int64_t size_bytes = 0;
};

// Writes the field's content to `destination`.
Result<MultipartFile> ExtractMultipartFile(std::string_view content_type, const std::filesystem::path& body,
                                           std::string_view field, const std::filesystem::path& destination);

}  // namespace amapiano::server
