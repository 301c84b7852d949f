// Chords: the jazz/gospel vocabulary of amapiano, chord symbols ("F#m9") and roman numerals ("iv9").
//
//   Result<Chord> c = ParseRomanChord("iv9", Key{9, Mode::kMinor});   // D minor 9
//   ChordSymbol(*c);                                                    // "Dm9"
//   ChordIntervals(c->quality);                                         // {0, 3, 7, 10, 14}
//
// Roman numerals count degrees of the key's own scale (natural minor in minor keys, major in major
// keys), with an optional leading 'b' or '#'. Lowercase numerals are minor chords: "i" (triad),
// "i7" (m7), "i9" (m9), "i11" (m11). Uppercase numerals are major or dominant chords: "I" (triad),
// "Imaj7", "Imaj9", "V7", "V9", "V11", "V13", "V7sus4", "Vsus4", "Iadd9".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "theory/key.h"

namespace amapiano::theory {

enum class ChordQuality {
    kMajor,
    kMinor,
    kMinor7,
    kMinor9,
    kMinor11,
    kMajor7,
    kMajor9,
    kDominant7,
    kDominant9,
    kDominant11,
    kDominant13,
    kSeventhSus4,
    kSus4,
    kAdd9,
};

inline constexpr ChordQuality kAllChordQualities[] = {
    ChordQuality::kMajor,      ChordQuality::kMinor,      ChordQuality::kMinor7,
    ChordQuality::kMinor9,     ChordQuality::kMinor11,    ChordQuality::kMajor7,
    ChordQuality::kMajor9,     ChordQuality::kDominant7,  ChordQuality::kDominant9,
    ChordQuality::kDominant11, ChordQuality::kDominant13, ChordQuality::kSeventhSus4,
    ChordQuality::kSus4,       ChordQuality::kAdd9};

struct Chord final {
    int root_pc = 0;
    ChordQuality quality = ChordQuality::kMajor;

    bool operator==(const Chord&) const = default;
};

// Symbol suffix: "" (major triad), "m", "m7", "m9", "m11", "maj7", "maj9", "7", "9", "11", "13",
// "7sus4", "sus4", "add9".
std::string_view QualitySuffix(ChordQuality quality);

// Semitones above the root, ascending, root (0) first; 9ths, 11ths and 13ths above the octave.
const std::vector<int>& ChordIntervals(ChordQuality quality);

// True for qualities with a minor third (m, m7, m9, m11).
bool IsMinorQuality(ChordQuality quality);

// "F#m9", "Dmaj7", "C#7sus4" (roots spelled as PitchClassName).
std::string ChordSymbol(const Chord& chord);

// Parses a symbol as produced by ChordSymbol (also accepts flats/sharps such as "Gbmaj7", "A#m").
// nullopt when the root or suffix is not recognised.
std::optional<Chord> ParseChordSymbol(std::string_view symbol);

// Parses a roman numeral (see the header comment) against `key`. Errors: kInvalidArgument naming the
// text when the numeral or the suffix is not recognised.
Result<Chord> ParseRomanChord(std::string_view roman, const Key& key);

}  // namespace amapiano::theory
