// ValidateFile: analyse an audio file (AnalyzeFile, every feature) and score its amapiano
// authenticity (validate::Validate) against the embedded knowledge base.
//
//   Result<FileValidation> v = ValidateFile("track.mp3", {.subgenre = Subgenre::kBacardi});
//   if (!v) report(v.error());            // the same errors as AnalyzeFile
//   v->report.score; v->timings.validate_s  // scoring alone, next to the analysis timings
#pragma once

#include <filesystem>

#include "pipeline/analyze_file.h"
#include "validate/validator.h"

namespace amapiano::pipeline {

// The features the validator reads.
analysis::FeatureSet ValidationFeatures();

struct ValidationTimings final {
    AnalysisTimings analysis;
    double validate_s = 0.0;  // scoring every subgenre and writing the feedback
};

struct FileValidation final {
    validate::ValidationReport report;
    analysis::Analysis analysis;  // what the report was scored from
    ValidationTimings timings;
};

Result<FileValidation> ValidateFile(const std::filesystem::path& path,
                                    const validate::ValidationOptions& options);

}  // namespace amapiano::pipeline
