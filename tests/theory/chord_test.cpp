#include "theory/chord.h"

#include <gtest/gtest.h>

#include "theory/scale.h"
#include "theory/voicing.h"

namespace amapiano::theory {
namespace {

const Key kAMinor{9, Mode::kMinor};
const Key kCMajor{0, Mode::kMajor};

TEST(RomanChord, MinorKeyDegreesUseNaturalMinor) {
    EXPECT_EQ(ChordSymbol(ParseRomanChord("i9", kAMinor).value()), "Am9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("iv9", kAMinor).value()), "Dm9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("VImaj7", kAMinor).value()), "Fmaj7");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("VII9", kAMinor).value()), "G9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("V7sus4", kAMinor).value()), "E7sus4");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("i11", Key{6, Mode::kMinor}).value()), "F#m11");
}

TEST(RomanChord, MajorKeyAndAccidentals) {
    EXPECT_EQ(ChordSymbol(ParseRomanChord("Imaj9", kCMajor).value()), "Cmaj9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("vi9", kCMajor).value()), "Am9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("V13", kCMajor).value()), "G13");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("bVII9", kCMajor).value()), "Bb9");
    EXPECT_EQ(ChordSymbol(ParseRomanChord("Iadd9", kCMajor).value()), "Cadd9");
}

TEST(RomanChord, RejectsNonsense) {
    EXPECT_FALSE(ParseRomanChord("", kCMajor).ok());
    EXPECT_FALSE(ParseRomanChord("x9", kCMajor).ok());
    EXPECT_FALSE(ParseRomanChord("iMaj7", kCMajor).ok());
    EXPECT_FALSE(ParseRomanChord("Im9", kCMajor).ok());  // minor quality needs a lowercase numeral
    EXPECT_FALSE(ParseRomanChord("iV9", kCMajor).ok());
    EXPECT_EQ(ParseRomanChord("q", kCMajor).error().code, ErrorCode::kInvalidArgument);
}

TEST(ChordSymbol, RoundTripsEveryQuality) {
    for (ChordQuality quality : kAllChordQualities) {
        for (int root = 0; root < 12; ++root) {
            const Chord chord{root, quality};
            const std::optional<Chord> parsed = ParseChordSymbol(ChordSymbol(chord));
            ASSERT_TRUE(parsed.has_value()) << ChordSymbol(chord);
            EXPECT_EQ(*parsed, chord);
        }
    }
    EXPECT_FALSE(ParseChordSymbol("H7").has_value());
    EXPECT_FALSE(ParseChordSymbol("Cm13b5").has_value());
}

TEST(Scale, Degrees) {
    EXPECT_EQ(DegreePitchClass(kAMinor, 2), 0);  // C
    EXPECT_EQ(DegreePitchClass(kAMinor, 5), 5);  // F
    EXPECT_TRUE(InScale(kAMinor, 7));
    EXPECT_FALSE(InScale(kAMinor, 8));
    EXPECT_EQ(DegreePitchClass(kCMajor, 7), 0);  // wraps
}

TEST(Voicing, KeysVoicingsAreRootlessForExtendedChords) {
    const std::vector<int> pcs = KeysPitchClasses(Chord{9, ChordQuality::kMinor9});
    EXPECT_EQ(pcs, (std::vector<int>{0, 4, 7, 11}));  // C E G B over A
}

TEST(Voicing, StaysInRangeAndMovesLittle) {
    const Key key = kAMinor;
    std::vector<int> previous;
    const char* progression[] = {"i9", "iv9", "VImaj7", "V7sus4", "i9", "VII9", "i11"};
    for (const char* roman : progression) {
        const Chord chord = ParseRomanChord(roman, key).value();
        const std::vector<int> pcs = KeysPitchClasses(chord);
        const std::vector<int> voicing = VoiceLead(pcs, previous, 52, 76);
        ASSERT_EQ(voicing.size(), pcs.size());
        for (int note : voicing) {
            EXPECT_GE(note, 52);
            EXPECT_LE(note, 76);
            EXPECT_NE(std::find(pcs.begin(), pcs.end(), PitchClass(note)), pcs.end());
        }
        if (!previous.empty() && previous.size() == voicing.size()) {
            int moved = 0;
            for (size_t i = 0; i < voicing.size(); ++i) moved += std::abs(voicing[i] - previous[i]);
            EXPECT_LE(moved, 12) << roman;  // smooth voice-leading: a few semitones per voice at most
        }
        previous = voicing;
    }
}

TEST(Voicing, NearestNote) {
    EXPECT_EQ(NearestNote(0, 61), 60);
    EXPECT_EQ(NearestNote(0, 67), 72);
    EXPECT_EQ(NearestNote(9, 60), 57);
}

}  // namespace
}  // namespace amapiano::theory
