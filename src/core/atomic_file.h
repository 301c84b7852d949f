// Atomic file writes: write to a temporary file in the destination directory, fsync, rename.
// Readers see either the old file or the complete new one, never a partial file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>

#include "core/error.h"

namespace amapiano {

// A unique temporary path beside `destination` (same directory, hidden, ".tmp" suffix).
std::filesystem::path TemporaryPathFor(const std::filesystem::path& destination);

// Writes `bytes` to `destination` atomically (and durably: the file and its directory entry are
// flushed). Errors: kIo naming the path and the OS reason.
Status WriteFileAtomically(const std::filesystem::path& destination, std::span<const uint8_t> bytes);

// The same with the content written by `fill` to the temporary file's descriptor; an error from
// `fill` removes the temporary file and is returned as it is.
Status WriteFileAtomicallyWith(const std::filesystem::path& destination,
                               const std::function<Status(int fd)>& fill);

// Copies `source` to `destination` atomically, streaming. Errors: kNotFound when the source does not
// exist, kIo otherwise.
Status CopyFileAtomically(const std::filesystem::path& source, const std::filesystem::path& destination);

}  // namespace amapiano
