// Drum and percussion parts: kick, shaker, clap/snare, hats, rims/woodblocks and congas/bongos/toms,
// from the style's 16-step grids, plus the fills the arrangement asks for.
//
// Step-pattern letter legend (shared by every style profile; uppercase = accent):
//   x the part's own voice (kick 36, clap 39, shaker = style's shaker_note, closed hat 42, rim 37,
//     perc = open high conga 63), k kick 36, c clap 39, s snare 38, o open hat 46, r rim 37,
//   w/v woodblock high/low 76/77, m/h/l mute/open/low conga 62/63/64, b/d bongo high/low 60/61,
//   f/t/u/y toms 41/45/47/50, e/g whistle short/long 71/72, q cowbell 56, '-' rest.
// Patterns are chosen per 8-bar block (kick and shaker per section) so that grooves change every
// 8 bars; congas play their two-bar call and response, with the answer varied at block ends.
#pragma once

#include <optional>

#include "compose/arrangement.h"
#include "compose/compose_context.h"
#include "compose/style_profile.h"
#include "core/random.h"

namespace amapiano::compose {

// General MIDI note for a pattern letter played by `instrument`; nullopt for a rest or unknown letter.
std::optional<int> DrumNote(char letter, Instrument instrument, int shaker_note);

// Appends the drum parts for every bar of `arrangement` to `out`.
void WriteDrums(const StyleProfile& style, const ResolvedSpec& spec, const Arrangement& arrangement, Rng& rng,
                PartEvents& out);

}  // namespace amapiano::compose
