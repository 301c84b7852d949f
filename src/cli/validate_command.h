// `amapiano validate`: an explained amapiano-authenticity score for audio files.
//
//   amapiano validate FILE... [--subgenre classic|private-school|bacardi|sgija] [--json] [--timings]
//
// With --json, one object per file per line (pipeline/validation_json.h): file, score (0-100),
// verdict (authentic | borderline | not_amapiano), subgenre (best match, or the one asked for),
// subgenre_scores, criteria [{name, value, expected, score, feedback, ...}]. Otherwise a short
// report per file. Unreadable files print the same error objects as `analyze` and the run exits 1
// after the other files; a bad --subgenre exits 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace amapiano::cli {

struct ValidateFlags final {
    std::vector<std::string> files;
    std::string subgenre;
    bool json = false;
    bool timings = false;
};

// Registers the subcommand; `flags` must outlive `app`.
CLI::App* AddValidateCommand(CLI::App& app, ValidateFlags& flags);

// Runs a parsed validate command; returns the exit code.
int RunValidate(const ValidateFlags& flags);

}  // namespace amapiano::cli
