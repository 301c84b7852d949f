#include "compose/style_profile.h"

#include <gtest/gtest.h>

#include "theory/chord.h"

namespace amapiano::compose {
namespace {

TEST(StyleProfile, EverySubgenreLoadsWithSensibleRanges) {
    for (Subgenre subgenre : kAllSubgenres) {
        Result<StyleProfile> style = LoadStyleProfile(subgenre);
        ASSERT_TRUE(style.ok()) << style.error().message;
        EXPECT_EQ(style->name, SubgenreName(subgenre));
        EXPECT_GE(style->tempo_bpm.min, 105);
        EXPECT_LE(style->tempo_bpm.max, 122);
        EXPECT_GE(style->swing_percent.min, 50);
        EXPECT_LE(style->swing_percent.max, 62);
        EXPECT_FALSE(style->minor_progressions.empty());
        EXPECT_FALSE(style->major_progressions.empty());
        EXPECT_GE(style->log_drum.low_note, 33);
        EXPECT_LE(style->log_drum.high_note, 52);
    }
}

TEST(StyleProfile, TempoDefaultsFollowTheGenre) {
    EXPECT_EQ(LoadStyleProfile(Subgenre::kClassic)->tempo_bpm.default_value, 113);
    EXPECT_EQ(LoadStyleProfile(Subgenre::kPrivateSchool)->tempo_bpm.default_value, 110);
    EXPECT_EQ(LoadStyleProfile(Subgenre::kBacardi)->tempo_bpm.default_value, 116);
    EXPECT_EQ(LoadStyleProfile(Subgenre::kSgija)->tempo_bpm.default_value, 114);
}

TEST(StyleProfile, LogDrumSoundDiffersBySubgenre) {
    const auto classic = LoadStyleProfile(Subgenre::kClassic).value().sound;
    const auto school = LoadStyleProfile(Subgenre::kPrivateSchool).value().sound;
    const auto bacardi = LoadStyleProfile(Subgenre::kBacardi).value().sound;
    const auto sgija = LoadStyleProfile(Subgenre::kSgija).value().sound;
    EXPECT_GT(school.log_drum_decay_s, classic.log_drum_decay_s);
    EXPECT_LT(bacardi.log_drum_decay_s, classic.log_drum_decay_s);
    EXPECT_GT(sgija.log_drum_drive, classic.log_drum_drive);
}

TEST(StyleProfile, ClassicContainsTheGenreLogDrumExamples) {
    const StyleProfile style = LoadStyleProfile(Subgenre::kClassic).value();
    for (const char* steps :
         {"x--x--x---x--x--", "--x--x--x--x-x--", "x-x---x-x---x-x-", "x---x---x-x---x-"}) {
        bool found = false;
        for (const StepPattern& p : style.log_drum.patterns) found = found || p.steps == steps;
        EXPECT_TRUE(found) << steps;
    }
}

TEST(StyleProfile, ProgressionsStartOnTheTonicAndGiveItTheMostTime) {
    for (Subgenre subgenre : kAllSubgenres) {
        const StyleProfile style = LoadStyleProfile(subgenre).value();
        for (const auto* pool : {&style.minor_progressions, &style.major_progressions}) {
            for (const ProgressionTemplate& p : *pool) {
                const theory::Key key{
                    0, pool == &style.minor_progressions ? theory::Mode::kMinor : theory::Mode::kMajor};
                std::map<int, double> by_root;
                for (size_t i = 0; i < p.chords.size(); ++i) {
                    by_root[theory::ParseRomanChord(p.chords[i], key).value().root_pc] += p.bars[i];
                }
                EXPECT_EQ(theory::ParseRomanChord(p.chords[0], key).value().root_pc, 0) << p.name;
                for (const auto& [root, bars] : by_root) {
                    if (root != 0) {
                        EXPECT_GT(by_root[0], bars) << style.name << " " << p.name;
                    }
                }
            }
        }
    }
}

TEST(StyleProfile, MalformedDocumentsAreCorruptData) {
    EXPECT_EQ(ParseStyleProfile("not json").error().code, ErrorCode::kCorruptData);
    EXPECT_EQ(ParseStyleProfile("{\"name\": \"x\"}").error().code, ErrorCode::kCorruptData);
}

}  // namespace
}  // namespace amapiano::compose
