// The lead: sax/flute-like answers (private school's colour; optional elsewhere).
//
// In each two-bar phrase the keys call and the lead answers in the second bar: a few legato notes
// walking the key's pentatonic scale (MIDI 65-84), landing on a tone of the chord under them.
#pragma once

#include "compose/arrangement.h"
#include "compose/compose_context.h"
#include "compose/harmony.h"
#include "compose/style_profile.h"
#include "core/random.h"

namespace amapiano::compose {

void WriteLead(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement,
               const HarmonyPlan& harmony, Rng& rng, PartEvents& out);

}  // namespace amapiano::compose
