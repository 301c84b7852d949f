// Pitch classes, keys and modes: the vocabulary every other music module speaks.
//
//   Result<Key> key = ParseKey("F#m");   // {tonic_pc = 6, mode = kMinor}
//   KeyName(*key);                        // "F#m"
//   TonicName(*key);                      // "F#"
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace amapiano::theory {

enum class Mode { kMajor, kMinor };

struct Key final {
    int tonic_pc = 9;  // pitch class of the tonic, 0 = C ... 11 = B
    Mode mode = Mode::kMinor;

    bool operator==(const Key&) const = default;
};

// Parses a key such as "F#m", "Am", "Eb", "C", "Bbm", "f# minor", "A min", "Db major".
// A bare tonic means major; "m", "min" or "minor" means minor. Errors: kInvalidArgument naming the
// text when the tonic letter is not A-G or the suffix is not a mode.
Result<Key> ParseKey(std::string_view text);

// Conventional spelling used in output and by analysers such as Essentia:
// C C# D Eb E F F# G Ab A Bb B.
std::string_view PitchClassName(int pitch_class);
// "F#" for F# minor.
std::string_view TonicName(const Key& key);
// "F#m" or "Eb".
std::string KeyName(const Key& key);
std::string_view ModeName(Mode mode);  // "major" / "minor"

// Pitch class of a MIDI note number (handles negatives).
inline int PitchClass(int midi_note) { return ((midi_note % 12) + 12) % 12; }

// Number of sharps (> 0) or flats (< 0) in the key signature, as in a MIDI key signature meta event.
int KeySignatureAccidentals(const Key& key);

}  // namespace amapiano::theory
