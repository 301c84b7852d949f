// Prompt understanding: free text -> the parts of a GenerationSpec it names, plus an honest report
// of which words were understood and which were ignored.
//
//   PromptReading r = ReadPrompt("soulful private school amapiano, jazzy piano, deep log drums, 112 BPM in
//   F#m");
//   // r.subgenre = kPrivateSchool, r.bpm = 112, r.key = F#m, r.mood = "soulful",
//   // r.include = {kKeys, kLogDrum}, r.understood = {"soulful", "private school", ...}
//
// The CLI applies a reading first and explicit flags after, so flags win.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/instrument.h"
#include "theory/key.h"

namespace amapiano::prompt {

struct PromptReading final {
    std::optional<compose::Subgenre> subgenre;
    std::optional<double> bpm;
    std::optional<theory::Key> key;
    std::optional<int> bars;
    std::optional<double> seconds;
    std::optional<double> energy;  // 0..1
    std::optional<double> swing_percent;
    std::string mood;  // canonical mood word, e.g. "soulful", "dark", "uplifting"
    std::set<compose::Instrument> include;
    std::set<compose::Instrument> exclude;
    std::vector<std::string> understood;  // phrases used, as they appeared ("private school", "112 BPM")
    std::vector<std::string> ignored;     // words not used (stop words like "a", "with" are not listed)
};

// Never fails: text it cannot use ends up in `ignored`. Values outside the composer's limits
// (e.g. "900 bpm") are reported as ignored rather than passed on.
PromptReading ReadPrompt(std::string_view text);

// Copies what the reading found into `spec`. Callers apply explicit flags afterwards.
void ApplyReading(const PromptReading& reading, compose::GenerationSpec& spec);

}  // namespace amapiano::prompt
