// The overall score: weighting, the signature criteria, verdicts and subgenre matching.
#include "validate/validator.h"

#include <gtest/gtest.h>

namespace amapiano::validate {
namespace {

using analysis::Analysis;
using compose::Subgenre;

Analysis Track(double bpm, double swing_percent, double log_drum_hits, double log_drum_decay_s = 0.47) {
    Analysis a;
    a.features = analysis::FeatureSet::All();
    a.has_tempo = true;
    a.bpm = bpm;
    a.duration_s = 96 * 240.0 / bpm;
    a.loudness.integrated_lufs = -14.0;
    a.loudness.true_peak_dbtp = -2.0;
    a.bands = {0.2, 0.7, 0.04, 0.03, 0.03};
    a.swing_ratio = swing_percent / (100.0 - swing_percent);
    a.swing_confidence = 0.8;
    a.sixteenth_coverage = 0.9;
    a.log_drum = {true, 0.9, log_drum_hits, 0.7, 300, 80.0, 5.0, 0.5, log_drum_decay_s};
    a.harmony = {100, 0.6, 0.7, 4.2};
    a.sections = {{0, 0, 0, 16, "intro"},
                  {0, 0, 16, 32, "main"},
                  {0, 0, 48, 16, "breakdown"},
                  {0, 0, 64, 24, "main"},
                  {0, 0, 88, 8, "outro"}};
    return a;
}

class ValidatorTest : public ::testing::Test {
protected:
    void SetUp() override {
        Result<GenreKnowledge> loaded = LoadGenreKnowledge();
        ASSERT_TRUE(loaded) << loaded.error().message;
        kb_ = *loaded;
    }
    GenreKnowledge kb_;
};

TEST_F(ValidatorTest, ATypicalTrackIsAuthenticAndMatchesItsSubgenre) {
    const ValidationReport classic = Validate(Track(113, 55, 3.8), kb_);
    EXPECT_GE(classic.score, 90.0);
    EXPECT_EQ(classic.verdict, "authentic");
    EXPECT_EQ(classic.subgenre, "classic");
    EXPECT_EQ(classic.criteria.size(), 9u);
    EXPECT_EQ(classic.subgenre_scores.size(), 4u);
    EXPECT_EQ(classic.subgenre_scores.at("classic"), classic.score);

    EXPECT_EQ(Validate(Track(110, 57, 2.5, 0.65), kb_).subgenre, "private-school");
    EXPECT_EQ(Validate(Track(117, 54, 6.5, 0.3), kb_).subgenre, "bacardi");
    EXPECT_EQ(Validate(Track(114, 54, 4.2, 1.7), kb_).subgenre, "sgija");
    // The log drum's sound tells subgenres apart where tempo and swing cannot.
    EXPECT_EQ(Validate(Track(112, 55, 4.0, 0.47), kb_).subgenre, "classic");
    EXPECT_EQ(Validate(Track(112, 55, 4.0, 1.7), kb_).subgenre, "sgija");
}

TEST_F(ValidatorTest, AskingForASubgenreExplainsThatOne) {
    ValidationOptions options;
    options.subgenre = Subgenre::kBacardi;
    const ValidationReport r = Validate(Track(110, 57, 2.5, 0.65), kb_, options);
    EXPECT_EQ(r.subgenre, "bacardi");
    EXPECT_EQ(r.score, r.subgenre_scores.at("bacardi"));
    EXPECT_LT(r.score, r.subgenre_scores.at("private-school"));
    EXPECT_NE(r.criteria[0].feedback.find("bacardi's 112-120 BPM"), std::string::npos)
        << r.criteria[0].feedback;
}

TEST_F(ValidatorTest, WithoutALogDrumNothingIsAmapiano) {
    Analysis a = Track(113, 55, 3.8);
    a.log_drum = {};
    const ValidationReport r = Validate(a, kb_);
    EXPECT_LE(r.score, 45.0);
    EXPECT_NE(r.verdict, "authentic");
}

TEST_F(ValidatorTest, FarFromAmapianoTempoIsNotAuthentic) {
    const ValidationReport r = Validate(Track(140, 55, 3.8), kb_);
    EXPECT_LT(r.score, 70.0);
    EXPECT_EQ(r.criteria[0].name, "tempo");
    EXPECT_EQ(r.criteria[0].score, 0.0);
}

TEST_F(ValidatorTest, SilenceScoresZero) {
    Analysis silence;
    silence.features = analysis::FeatureSet::All();
    silence.duration_s = 10.0;
    silence.loudness.integrated_lufs = -70.0;
    silence.loudness.true_peak_dbtp = -70.0;
    const ValidationReport r = Validate(silence, kb_);
    EXPECT_EQ(r.score, 0.0);
    EXPECT_EQ(r.verdict, "not_amapiano");
    for (const CriterionResult& c : r.criteria) {
        EXPECT_FALSE(c.feedback.empty()) << c.name;
        EXPECT_EQ(c.score, 0.0) << c.name;
    }
}

TEST_F(ValidatorTest, ScoreFactsCountExtendedChordsByLength) {
    compose::Score score;
    score.harmony = {{0, 12, 9, "Am9"}, {12, 4, 5, "F"}, {16, 8, 2, "Dm7"}, {24, 8, 4, "E"}};
    EXPECT_DOUBLE_EQ(FactsOf(score).extended_chord_share, 20.0 / 32.0);
}

}  // namespace
}  // namespace amapiano::validate
