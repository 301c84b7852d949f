// Composer: GenerationSpec -> Score. Music theory and the genre's idioms, driven by the subgenre's
// style profile (content/styles/*.json) and one seeded Rng.
//
//   GenerationSpec spec;
//   spec.subgenre = Subgenre::kPrivateSchool;
//   spec.key = theory::Key{6, theory::Mode::kMinor};
//   Result<Score> score = Compose(spec);
//
// Deterministic: the same spec (including seed) gives an identical Score.
#pragma once

#include "compose/generation_spec.h"
#include "compose/score.h"
#include "core/error.h"

namespace amapiano::compose {

// Resolves every unset field of `spec` (tempo, key, length, swing, energy) from the style profile
// and the seed, then composes. Errors: kInvalidArgument (with a sentence naming the field and the
// accepted range) for a bpm outside [kMinBpm, kMaxBpm], both bars and seconds set, a length outside
// the track or loop limits, or a swing outside [kMinSwingPercent, kMaxSwingPercent].
Result<Score> Compose(const GenerationSpec& spec);

}  // namespace amapiano::compose
