// The harmonic parts: piano/Rhodes stabs (keys), sustained pads, and the sub bass under the roots.
//
// Keys play syncopated stabs from the style's rhythms (a new rhythm per 2-bar phrase, call and
// answer), each stab a rootless voicing voice-led from the previous one in the middle register
// (MIDI ~52-76); stabs on the last 16ths before a chord change anticipate it, and 4-bar phrases may
// end in a short right-hand riff from the key's pentatonic scale. Pads hold full voicings for the
// length of each chord. The sub bass plays the chord root (MIDI 28-43) on each bar and chord change.
#pragma once

#include "compose/arrangement.h"
#include "compose/compose_context.h"
#include "compose/harmony.h"
#include "compose/style_profile.h"
#include "core/random.h"

namespace amapiano::compose {

void WriteKeys(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
               const HarmonyPlan& harmony, Rng& rng, PartEvents& out);

void WritePad(const ResolvedSpec& spec, const Arrangement& arrangement, const HarmonyPlan& harmony,
              PartEvents& out);

void WriteBass(const ResolvedSpec& spec, const Arrangement& arrangement, const HarmonyPlan& harmony, Rng& rng,
               PartEvents& out);

}  // namespace amapiano::compose
