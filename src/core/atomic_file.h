// Atomic file writes: write to a temporary file in the destination directory, fsync, rename.
// Readers see either the old file or the complete new one, never a partial file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "core/error.h"

namespace amapiano {

// A unique temporary path beside `destination` (same directory, hidden, ".tmp" suffix).
std::filesystem::path TemporaryPathFor(const std::filesystem::path& destination);

// Writes `bytes` to `destination` atomically. Errors: kIo naming the path and the OS reason.
Status WriteFileAtomically(const std::filesystem::path& destination, std::span<const uint8_t> bytes);

}  // namespace amapiano
