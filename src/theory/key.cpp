#include "theory/key.h"

#include <array>
#include <cctype>

#include "core/text.h"

namespace amapiano::theory {
namespace {

constexpr std::array<std::string_view, 12> kPitchClassNames = {"C",  "C#", "D",  "Eb", "E",  "F",
                                                               "F#", "G",  "Ab", "A",  "Bb", "B"};

std::string Lower(std::string_view text) {
    std::string out;
    for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

Result<Key> ParseKey(std::string_view text) {
    const std::string_view trimmed = TrimWhitespace(text);
    auto invalid = [&] {
        return Error::InvalidArgument(
            "'" + std::string(text) +
            "' is not a key; use a tonic A-G with optional # or b and 'm' for minor, "
            "e.g. F#m, Am, Eb, C");
    };
    if (trimmed.empty()) return invalid();
    static constexpr int kLetterPc[] = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(trimmed[0])));
    if (letter < 'A' || letter > 'G') return invalid();
    int pc = kLetterPc[letter - 'A'];
    std::string_view rest = trimmed.substr(1);
    if (!rest.empty() && (rest[0] == '#' || rest[0] == 's')) {
        // "s" only as in "Fs"/"fsharp" would be ambiguous; accept '#' and the word "sharp".
        if (rest[0] == '#') {
            pc += 1;
            rest.remove_prefix(1);
        } else if (Lower(rest).rfind("sharp", 0) == 0) {
            pc += 1;
            rest.remove_prefix(5);
        }
    } else if (!rest.empty() && rest[0] == 'b') {
        pc -= 1;
        rest.remove_prefix(1);
    } else if (!rest.empty() && Lower(rest).rfind("flat", 0) == 0) {
        pc -= 1;
        rest.remove_prefix(4);
    }
    const std::string_view raw_suffix = TrimWhitespace(rest);
    const std::string suffix = Lower(raw_suffix);
    Mode mode;
    if (raw_suffix == "M" || suffix.empty() || suffix == "maj" || suffix == "major") {
        mode = Mode::kMajor;
    } else if (suffix == "m" || suffix == "min" || suffix == "minor") {
        mode = Mode::kMinor;
    } else {
        return invalid();
    }
    return Key{PitchClass(pc), mode};
}

std::string_view PitchClassName(int pitch_class) { return kPitchClassNames[PitchClass(pitch_class)]; }

std::string_view TonicName(const Key& key) { return PitchClassName(key.tonic_pc); }

std::string KeyName(const Key& key) {
    std::string name(TonicName(key));
    if (key.mode == Mode::kMinor) name += "m";
    return name;
}

std::string_view ModeName(Mode mode) { return mode == Mode::kMajor ? "major" : "minor"; }

int KeySignatureAccidentals(const Key& key) {
    // Relative major's tonic, then its position on the circle of fifths, preferring flats beyond F#.
    const int major_pc = key.mode == Mode::kMajor ? key.tonic_pc : PitchClass(key.tonic_pc + 3);
    static constexpr int kAccidentals[12] = {0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5};
    return kAccidentals[major_pc];
}

}  // namespace amapiano::theory
