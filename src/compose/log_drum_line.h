// The log drum line: the genre's melodic bass, as syncopated hits on the chord roots.
//
// A placement (a 16-step pattern from the style: 'x' note, 'o' octave jump) and a pitch motif
// (interval above the chord root per hit: root, octave, fifth, seventh) are drawn together and kept
// for 4-8 bars, then replaced; the last bar of each 4-bar phrase may gain an anticipation or lose a
// hit. Notes stay in the style's range (MIDI 33-52). A note that should glide into the next one is
// written overlapping it (the synthesiser glides when a note starts before the previous one ends).
// Dropped-bar fills leave the second half of the bar empty.
#pragma once

#include "compose/arrangement.h"
#include "compose/compose_context.h"
#include "compose/harmony.h"
#include "compose/style_profile.h"
#include "core/random.h"

namespace amapiano::compose {

void WriteLogDrum(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
                  const HarmonyPlan& harmony, Rng& rng, PartEvents& out);

}  // namespace amapiano::compose
