// What every part writer shares: the resolved request, and a small NoteEvent helper.
//
// Internal to the composer (not part of the public compose API).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/instrument.h"
#include "compose/score.h"
#include "theory/key.h"

namespace amapiano::compose {

// The spec with every unset field filled in from the style profile and the seed.
struct ResolvedSpec final {
    Subgenre subgenre = Subgenre::kClassic;
    double bpm = 113.0;
    theory::Key key;
    int bars = 96;
    double swing_percent = 55.0;
    double energy = 0.5;  // 0..1 after mood adjustments
    std::string mood;
    LoopPart loop = LoopPart::kNone;
    std::set<Instrument> band;  // instruments that may play at all (exclusions already removed)
};

// Un-humanised events per instrument, as the part writers produce them.
using PartEvents = std::map<Instrument, std::vector<NoteEvent>>;

// An event on the grid: start_beats is the grid time until Humanize() moves it.
inline NoteEvent GridEvent(int64_t step, double duration_steps, int pitch, double velocity) {
    NoteEvent event;
    event.step = step;
    event.start_beats = static_cast<double>(step) / kStepsPerBeat;
    event.duration_beats = duration_steps / kStepsPerBeat;
    event.pitch = pitch;
    event.velocity = static_cast<float>(velocity < 0.05 ? 0.05 : (velocity > 1.0 ? 1.0 : velocity));
    return event;
}

}  // namespace amapiano::compose
