// The knowledge base: per-subgenre expectations come from the composer's style profiles (one source
// of truth), genre-wide thresholds from content/validation.json, and bad data is refused clearly.
#include "validate/genre_knowledge.h"

#include <gtest/gtest.h>

#include "compose/embedded_content.h"

namespace amapiano::validate {
namespace {

TEST(GenreKnowledge, SubgenreRangesAreTheComposersOwn) {
    const Result<GenreKnowledge> kb = LoadGenreKnowledge();
    ASSERT_TRUE(kb) << kb.error().message;
    ASSERT_EQ(kb->subgenres.size(), 4u);
    for (compose::Subgenre subgenre : compose::kAllSubgenres) {
        const Result<compose::StyleProfile> profile = compose::LoadStyleProfile(subgenre);
        ASSERT_TRUE(profile);
        const SubgenreExpectations& e = kb->For(subgenre);
        EXPECT_EQ(e.name, compose::SubgenreName(subgenre));
        EXPECT_EQ(e.tempo_bpm.min, profile->tempo_bpm.min);
        EXPECT_EQ(e.tempo_bpm.max, profile->tempo_bpm.max);
        EXPECT_EQ(e.tempo_bpm.default_value, profile->tempo_bpm.default_value);
        EXPECT_EQ(e.swing_percent.min, profile->swing_percent.min);
        EXPECT_EQ(e.swing_percent.max, profile->swing_percent.max);
    }
    // What the profiles say about the subgenres, as the validator reads it: private school's log
    // drum is sparser than bacardi's, and its chords are jazzier.
    const SubgenreExpectations& school = kb->For(compose::Subgenre::kPrivateSchool);
    const SubgenreExpectations& bacardi = kb->For(compose::Subgenre::kBacardi);
    EXPECT_LT(school.log_drum_offbeat_hits_per_bar + 2.0, bacardi.log_drum_offbeat_hits_per_bar);
    EXPECT_GT(school.extended_chord_share, bacardi.extended_chord_share);
    EXPECT_GT(school.extended_chord_share, 0.9);
}

TEST(GenreKnowledge, CountsOffBeatLogDrumNotesAndExtendedChordsFromTheProfile) {
    Result<compose::StyleProfile> profile = compose::LoadStyleProfile(compose::Subgenre::kClassic);
    ASSERT_TRUE(profile);
    profile->log_drum.patterns = {{"a", "x--x--x---x--x--", 1.0}, {"b", "x---x---x---x---", 1.0}};
    profile->log_drum.extra_hit_probability = 0.0;
    profile->log_drum.drop_hit_probability = 0.0;
    profile->minor_progressions = {{"p", {"i9", "iv", "VImaj7", "v"}, {2, 1, 3, 2}, 1.0}};
    profile->major_progressions.clear();
    const SubgenreExpectations e = ExpectationsOf(*profile, compose::Subgenre::kClassic);
    // Pattern a: 3, 6, 10, 13 are off the beat (0 is on it); pattern b is all on the beat.
    EXPECT_DOUBLE_EQ(e.log_drum_offbeat_hits_per_bar, 2.0);
    // i9 (2 bars) and VImaj7 (3 bars) of 8 bars are extended.
    EXPECT_DOUBLE_EQ(e.extended_chord_share, 5.0 / 8.0);
}

TEST(GenreKnowledge, EveryCriterionHasAWeight) {
    const Result<GenreKnowledge> kb = LoadGenreKnowledge();
    ASSERT_TRUE(kb);
    for (const char* name : {"tempo", "log_drum", "shakers_16ths", "groove", "harmonic_colour", "low_end",
                             "arrangement", "loudness"}) {
        const CriterionSpec* c = kb->Criterion(name);
        ASSERT_NE(c, nullptr) << name;
        EXPECT_GT(c->weight, 0.0) << name;
    }
    EXPECT_EQ(kb->Param("loudness", "min_lufs"), -16.0);
    EXPECT_LT(kb->borderline_from, kb->authentic_from);
}

TEST(GenreKnowledge, RefusesBrokenData) {
    const std::string good(content::Find("validation.json"));
    ASSERT_FALSE(good.empty());
    EXPECT_TRUE(ParseGenreKnowledge(good));

    const Result<GenreKnowledge> not_json = ParseGenreKnowledge("{\"verdicts\": ");
    ASSERT_FALSE(not_json);
    EXPECT_EQ(not_json.error().code, ErrorCode::kCorruptData);

    std::string missing = good;
    missing.replace(missing.find("\"groove\""), 8, "\"grove\"");
    const Result<GenreKnowledge> no_groove = ParseGenreKnowledge(missing);
    ASSERT_FALSE(no_groove);
    EXPECT_NE(no_groove.error().message.find("'groove' is missing"), std::string::npos)
        << no_groove.error().message;

    std::string no_param = good;
    no_param.replace(no_param.find("\"min_lufs\""), 10, "\"min_luf\"");
    const Result<GenreKnowledge> bad = ParseGenreKnowledge(no_param);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("needs 'min_lufs'"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace amapiano::validate
