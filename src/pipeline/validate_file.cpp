#include "pipeline/validate_file.h"

#include <chrono>

namespace amapiano::pipeline {

analysis::FeatureSet ValidationFeatures() {
    using analysis::Feature;
    analysis::FeatureSet f;
    for (Feature feature : {Feature::kTempo, Feature::kLoudness, Feature::kBands, Feature::kSwing,
                            Feature::kLogDrum, Feature::kSections, Feature::kHarmony}) {
        f.Add(feature);
    }
    return f;
}

Result<FileValidation> ValidateFile(const std::filesystem::path& path,
                                    const validate::ValidationOptions& options) {
    Result<validate::GenreKnowledge> knowledge = validate::LoadGenreKnowledge();
    if (!knowledge) return knowledge.error();
    Result<FileAnalysis> analysed = AnalyzeFile(path, ValidationFeatures());
    if (!analysed) return analysed.error();
    FileValidation out;
    out.timings.analysis = analysed->timings;
    const auto start = std::chrono::steady_clock::now();
    out.report = validate::Validate(analysed->analysis, *knowledge, options);
    out.timings.validate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.analysis = std::move(analysed->analysis);
    return out;
}

}  // namespace amapiano::pipeline
