// JSON views of a generation: the spec as understood, the arrangement, and what was written.
// Shared by the CLI's --json output and (later) the service's job results.
#pragma once

#include <nlohmann/json.hpp>

#include "compose/score.h"
#include "pipeline/render_track.h"
#include "pipeline/validate_generation.h"
#include "prompt/prompt_reader.h"

namespace amapiano::pipeline {

// {"prompt": {"text", "understood", "ignored"}, "subgenre", "bpm", "key", "tonic", "mode", "bars",
//  "seconds", "seed", "loop", "swing_percent", "instruments": [...]}
nlohmann::json SpecJson(const compose::Score& score, const prompt::PromptReading& reading);

// [{"name", "start_bar", "end_bar", "bars", "start_s", "end_s", "energy"}] — bars 1-based, end inclusive.
nlohmann::json SectionsJson(const compose::Score& score);

// The whole --json document for `generate`.
// With `validation`, also "validation" (pipeline/validation_json.h, plus "path") and its timings.
nlohmann::json GenerationJson(const compose::Score& score, const prompt::PromptReading& reading,
                              const RenderReport& report, double compose_s,
                              const GenerationValidation* validation = nullptr);

}  // namespace amapiano::pipeline
