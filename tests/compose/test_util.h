// Helpers shared by the compose tests.
#pragma once

#include <map>
#include <tuple>
#include <vector>

#include "compose/composer.h"

namespace amapiano::compose::testing {

inline const Track* FindTrack(const Score& score, Instrument instrument) {
    for (const Track& t : score.tracks) {
        if (t.instrument == instrument) return &t;
    }
    return nullptr;
}

inline Score ComposeOrDie(const GenerationSpec& spec) {
    Result<Score> score = Compose(spec);
    if (!score) throw std::runtime_error(score.error().message);
    return std::move(score).value();
}

// Un-humanised content of an 8-bar block: (instrument, step within the block, pitch), sorted.
inline std::vector<std::tuple<int, int64_t, int>> BlockContent(const Score& score, int block) {
    const int64_t first = static_cast<int64_t>(block) * 8 * kStepsPerBar;
    std::vector<std::tuple<int, int64_t, int>> out;
    for (const Track& t : score.tracks) {
        for (const NoteEvent& e : t.events) {
            if (e.step >= first && e.step < first + 8 * kStepsPerBar) {
                out.emplace_back(static_cast<int>(t.instrument), e.step - first, e.pitch);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

inline bool SameEvents(const NoteEvent& a, const NoteEvent& b) {
    return a.step == b.step && a.start_beats == b.start_beats && a.duration_beats == b.duration_beats &&
           a.pitch == b.pitch && a.velocity == b.velocity;
}

}  // namespace amapiano::compose::testing
