// ValidateGeneration: every generation is validated — the written mix is analysed like any other
// file, scored against the subgenre that was asked for (with the harmony read from the Score), and
// the report is stored next to the mix as <mix without extension>.validation.json (atomically).
//
//   Result<GenerationValidation> v = ValidateGeneration(score, "out/demo.wav");
//   v->report.score;  v->path;   // "out/demo.validation.json"
#pragma once

#include <filesystem>

#include "compose/score.h"
#include "pipeline/validate_file.h"

namespace amapiano::pipeline {

struct GenerationValidation final {
    validate::ValidationReport report;
    analysis::Analysis analysis;  // the mix as heard
    ValidationTimings timings;
    std::filesystem::path path;  // where the JSON report was written
};

std::filesystem::path ValidationReportPathFor(const std::filesystem::path& mix_path);

Result<GenerationValidation> ValidateGeneration(const compose::Score& score,
                                                const std::filesystem::path& mix_path);

}  // namespace amapiano::pipeline
