// Harmony plan: which chord sounds when, from the style's progressions in the requested key.
//
//   HarmonyPlan harmony = PlanHarmony(style, resolved, arrangement, rng);
//   const PlannedChord& c = harmony.At(17.5);   // the chord sounding at beat 17.5
//
// One main progression carries the track and a second one colours the breakdown; both restart at
// every section start so the loop lines up with the 8-bar blocks. Progressions open on the tonic
// chord and give it the most time, which is what makes the key unambiguous to a listener and to a
// key detector (the relative major never sits longer than the tonic).
#pragma once

#include <string>
#include <vector>

#include "compose/arrangement.h"
#include "compose/compose_context.h"
#include "compose/style_profile.h"
#include "core/random.h"
#include "theory/chord.h"

namespace amapiano::compose {

struct PlannedChord final {
    theory::Chord chord;
    double start_beats = 0.0;
    double duration_beats = 4.0;

    double EndBeats() const { return start_beats + duration_beats; }
};

struct HarmonyPlan final {
    std::vector<PlannedChord> chords;  // contiguous, covering the whole piece
    std::string main_progression;      // names from the style profile
    std::string breakdown_progression;

    // The chord sounding at `beat` (the last one for beats past the end).
    const PlannedChord& At(double beat) const;
    std::vector<ChordSpan> Spans() const;
};

HarmonyPlan PlanHarmony(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
                        Rng& rng);

}  // namespace amapiano::compose
