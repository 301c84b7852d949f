// `amapiano analyze`: tempo, beats, key, loudness and features of any audio file.
//
//   amapiano analyze FILE... [--json] [--features all|tempo,key,loudness,onsets,spectral,bands,
//                                                   swing,log_drum,sections,harmony]
//
// With --json, one JSON object per file, one per line (pipeline/analysis_json.h); otherwise a short
// table per file. A file that cannot be read prints {"file", "error": {"code", "message"}} (or an
// error line) and the run goes on with the others, then exits 1. A bad --features value exits 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace amapiano::cli {

struct AnalyzeFlags final {
    std::vector<std::string> files;
    std::string features = "all";
    bool json = false;
    bool timings = false;
};

// Registers the subcommand; `flags` must outlive `app`.
CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeFlags& flags);

// Runs a parsed analyze command; returns the exit code.
int RunAnalyze(const AnalyzeFlags& flags);

// How `analyze` (and `validate`, which promises the same) reports a file it could not read: the error
// object on stdout with --json, one line on stderr otherwise.
void PrintFileError(std::string_view command, const std::string& file, const Error& error, bool json);

}  // namespace amapiano::cli
