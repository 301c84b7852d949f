// libFuzzer target for the decode + analyse path: any bytes, saved as a file, go through
// pipeline::AnalyzeFile with every feature. Crashes, hangs, leaks and sanitizer reports are bugs;
// errors are fine. Built by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined).
//
//   build-fuzz/tests/fuzz/analyze_fuzz -max_total_time=60 -max_len=65536 CORPUS_DIR
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "pipeline/analyze_file.h"

namespace {

const std::filesystem::path& InputPath() {
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("amapiano-fuzz-" + std::to_string(::getpid()) + ".bin");
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::FILE* file = std::fopen(InputPath().c_str(), "wb");
    if (file == nullptr) return 0;
    if (size > 0) std::fwrite(data, 1, size, file);
    std::fclose(file);
    auto result = amapiano::pipeline::AnalyzeFile(InputPath(), amapiano::analysis::FeatureSet::All());
    if (result.ok() && result->analysis.duration_s < 0.0) __builtin_trap();
    return 0;
}
