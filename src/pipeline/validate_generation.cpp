#include "pipeline/validate_generation.h"

#include <string>

#include "core/atomic_file.h"
#include "pipeline/validation_json.h"

namespace amapiano::pipeline {

std::filesystem::path ValidationReportPathFor(const std::filesystem::path& mix_path) {
    std::filesystem::path path = mix_path;
    path.replace_extension(".validation.json");
    return path;
}

Result<GenerationValidation> ValidateGeneration(const compose::Score& score,
                                                const std::filesystem::path& mix_path) {
    validate::ValidationOptions options;
    options.subgenre = score.subgenre;
    options.score_facts = validate::FactsOf(score);
    Result<FileValidation> validated = ValidateFile(mix_path, options);
    if (!validated) return validated.error();
    GenerationValidation out;
    out.report = std::move(validated->report);
    out.analysis = std::move(validated->analysis);
    out.timings = validated->timings;
    out.path = ValidationReportPathFor(mix_path);
    const std::string text = ValidationJson(mix_path.filename().string(), out.report).dump(2) + "\n";
    if (Status s = WriteFileAtomically(
            out.path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
        !s) {
        return s.error();
    }
    return out;
}

}  // namespace amapiano::pipeline
