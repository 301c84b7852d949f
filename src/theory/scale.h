// Scales: which pitch classes belong to a key, and the pitch class of a scale degree.
//
//   Key a_minor{9, Mode::kMinor};
//   DegreePitchClass(a_minor, 5);   // 5 (F): the sixth degree of A natural minor
//   InScale(a_minor, 7);            // true (G)
//
// Minor means natural minor (aeolian); that is the mode amapiano harmony and the roman numerals of
// the style profiles are written against.
#pragma once

#include <array>

#include "theory/key.h"

namespace amapiano::theory {

// Semitones above the tonic of degrees 1..7 (index 0..6) of the key's mode.
const std::array<int, 7>& ScaleSteps(Mode mode);

// Pitch class of degree `degree` (0-based, wraps beyond 6) of `key`.
int DegreePitchClass(const Key& key, int degree);

// True when `pitch_class` belongs to the key's scale.
bool InScale(const Key& key, int pitch_class);

// The five notes of the key's pentatonic scale (minor or major pentatonic), as pitch classes.
std::array<int, 5> PentatonicPitchClasses(const Key& key);

}  // namespace amapiano::theory
