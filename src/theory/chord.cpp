#include "theory/chord.h"

#include <array>
#include <utility>

#include "theory/scale.h"

namespace amapiano::theory {
namespace {

struct QualityInfo {
    ChordQuality quality;
    std::string_view suffix;
    std::vector<int> intervals;
};

const std::vector<QualityInfo>& Table() {
    static const std::vector<QualityInfo> kTable = {
        {ChordQuality::kMajor, "", {0, 4, 7}},
        {ChordQuality::kMinor, "m", {0, 3, 7}},
        {ChordQuality::kMinor7, "m7", {0, 3, 7, 10}},
        {ChordQuality::kMinor9, "m9", {0, 3, 7, 10, 14}},
        {ChordQuality::kMinor11, "m11", {0, 3, 7, 10, 14, 17}},
        {ChordQuality::kMajor7, "maj7", {0, 4, 7, 11}},
        {ChordQuality::kMajor9, "maj9", {0, 4, 7, 11, 14}},
        {ChordQuality::kDominant7, "7", {0, 4, 7, 10}},
        {ChordQuality::kDominant9, "9", {0, 4, 7, 10, 14}},
        {ChordQuality::kDominant11, "11", {0, 7, 10, 14, 17}},
        {ChordQuality::kDominant13, "13", {0, 4, 7, 10, 14, 21}},
        {ChordQuality::kSeventhSus4, "7sus4", {0, 5, 7, 10}},
        {ChordQuality::kSus4, "sus4", {0, 5, 7}},
        {ChordQuality::kAdd9, "add9", {0, 4, 7, 14}},
    };
    return kTable;
}

const QualityInfo& Info(ChordQuality quality) {
    for (const QualityInfo& info : Table()) {
        if (info.quality == quality) return info;
    }
    return Table().front();
}

std::optional<ChordQuality> QualityFromSuffix(std::string_view suffix) {
    for (const QualityInfo& info : Table()) {
        if (info.suffix == suffix) return info.quality;
    }
    return std::nullopt;
}

}  // namespace

std::string_view QualitySuffix(ChordQuality quality) { return Info(quality).suffix; }

const std::vector<int>& ChordIntervals(ChordQuality quality) { return Info(quality).intervals; }

bool IsMinorQuality(ChordQuality quality) {
    return quality == ChordQuality::kMinor || quality == ChordQuality::kMinor7 ||
           quality == ChordQuality::kMinor9 || quality == ChordQuality::kMinor11;
}

std::string ChordSymbol(const Chord& chord) {
    return std::string(PitchClassName(chord.root_pc)) + std::string(QualitySuffix(chord.quality));
}

std::optional<Chord> ParseChordSymbol(std::string_view symbol) {
    static constexpr int kLetterPc[] = {9, 11, 0, 2, 4, 5, 7};  // A B C D E F G
    if (symbol.empty() || symbol[0] < 'A' || symbol[0] > 'G') return std::nullopt;
    int pc = kLetterPc[symbol[0] - 'A'];
    symbol.remove_prefix(1);
    if (!symbol.empty() && symbol[0] == '#') {
        ++pc;
        symbol.remove_prefix(1);
    } else if (!symbol.empty() && symbol[0] == 'b') {
        --pc;
        symbol.remove_prefix(1);
    }
    const std::optional<ChordQuality> quality = QualityFromSuffix(symbol);
    if (!quality) return std::nullopt;
    return Chord{PitchClass(pc), *quality};
}

Result<Chord> ParseRomanChord(std::string_view roman, const Key& key) {
    auto invalid = [&] {
        return Error::InvalidArgument(
            "'" + std::string(roman) +
            "' is not a roman-numeral chord such as i9, iv7, bVII9, VImaj7 or V7sus4");
    };
    std::string_view rest = roman;
    int accidental = 0;
    if (!rest.empty() && (rest[0] == 'b' || rest[0] == '#')) {
        accidental = rest[0] == 'b' ? -1 : 1;
        rest.remove_prefix(1);
    }
    static constexpr std::array<std::pair<std::string_view, int>, 7> kNumerals = {
        {{"vii", 6}, {"iii", 2}, {"vi", 5}, {"iv", 3}, {"ii", 1}, {"v", 4}, {"i", 0}}};
    int degree = -1;
    bool lower = false;
    for (const auto& [numeral, index] : kNumerals) {
        if (rest.size() < numeral.size()) continue;
        const std::string_view head = rest.substr(0, numeral.size());
        bool all_lower = true;
        bool all_upper = true;
        bool matches = true;
        for (size_t i = 0; i < numeral.size(); ++i) {
            const char c = head[i];
            const char upper = static_cast<char>(numeral[i] - 'a' + 'A');
            if (c == numeral[i]) {
                all_upper = false;
            } else if (c == upper) {
                all_lower = false;
            } else {
                matches = false;
            }
        }
        if (!matches || (!all_lower && !all_upper)) continue;
        degree = index;
        lower = all_lower;
        rest.remove_prefix(numeral.size());
        break;
    }
    if (degree < 0) return invalid();
    std::optional<ChordQuality> quality;
    if (lower) {
        if (rest.empty())
            quality = ChordQuality::kMinor;
        else if (rest == "7")
            quality = ChordQuality::kMinor7;
        else if (rest == "9")
            quality = ChordQuality::kMinor9;
        else if (rest == "11")
            quality = ChordQuality::kMinor11;
    } else {
        quality = QualityFromSuffix(rest);
        if (quality && IsMinorQuality(*quality)) quality.reset();
    }
    if (!quality) return invalid();
    return Chord{PitchClass(DegreePitchClass(key, degree) + accidental), *quality};
}

}  // namespace amapiano::theory
