// Where the shared reference data lives (../shared/data next to the repository, or
// $AMAPIANO_SHARED_DATA). Tests that need it fail with a clear message when it is missing; the data
// is never copied into the repository.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace amapiano::testing_support {

inline std::filesystem::path SharedDataDir() {
    if (const char* env = std::getenv("AMAPIANO_SHARED_DATA"); env != nullptr && *env != '\0') {
        return std::filesystem::path(env);
    }
    // tests/support/shared_data.h -> <repo>/../shared/data
    return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared" / "data";
}

// The path of one reference file under essentia-audio/; records a test failure when it is missing.
inline std::filesystem::path EssentiaAudio(const std::string& relative) {
    const std::filesystem::path path = SharedDataDir() / "essentia-audio" / relative;
    if (!std::filesystem::exists(path)) {
        ADD_FAILURE() << "missing reference file " << path
                      << " (set AMAPIANO_SHARED_DATA to the shared data directory)";
    }
    return path;
}

}  // namespace amapiano::testing_support
