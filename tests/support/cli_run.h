// Runs the real `amapiano` binary ($AMAPIANO_BIN, set by ctest) through the shell and captures its
// exit code, stdout and stderr.
//
//   CliRun run = RunAmapiano("analyze --json song.mp3", dir.path());
//   EXPECT_EQ(run.exit_code, 0) << run.err;
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace amapiano::testing_support {

struct CliRun final {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// One JSON document per line of `out` (what `analyze --json` and `validate --json` print).
inline std::vector<nlohmann::json> JsonLines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

inline std::string Slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// `scratch`: a directory for the captured output files (removed again afterwards).
inline CliRun RunAmapiano(const std::string& args, const std::filesystem::path& scratch) {
    const char* bin = std::getenv("AMAPIANO_BIN");
    if (bin == nullptr) return {-1, "", "AMAPIANO_BIN not set"};
    const std::filesystem::path out = scratch / "stdout.txt";
    const std::filesystem::path err = scratch / "stderr.txt";
    const std::string cmd = std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    CliRun run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return run;
}

}  // namespace amapiano::testing_support
