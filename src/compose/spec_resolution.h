// Spec resolution: validates a GenerationSpec and fills every unset field from the style profile,
// the mood and the seed (tempo, key, length, swing, energy, the band of instruments).
#pragma once

#include "compose/compose_context.h"
#include "compose/generation_spec.h"
#include "compose/style_profile.h"
#include "core/error.h"
#include "core/random.h"

namespace amapiano::compose {

inline constexpr int kDefaultTrackBars = 96;
inline constexpr int kDefaultLoopBars = 8;

// Errors: kInvalidArgument with a sentence naming the field and the accepted range.
Result<ResolvedSpec> ResolveSpec(const GenerationSpec& spec, const StyleProfile& style, Rng& rng);

// The style's sound design adjusted for the mood and energy.
SoundDesign ResolveSoundDesign(const StyleProfile& style, const ResolvedSpec& resolved);

}  // namespace amapiano::compose
