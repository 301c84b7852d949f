// Each criterion on hand-made analyses: the score moves the right way, and the feedback names the
// measured value and the target (several sentences pinned word for word).
#include "validate/criteria.h"

#include <gtest/gtest.h>

#include <cmath>

#include "validate/validator.h"

namespace amapiano::validate {
namespace {

using analysis::Analysis;
using compose::Subgenre;

// What a well-made classic amapiano track measures like (values as our analyser reports them).
Analysis ClassicTrack() {
    Analysis a;
    a.features = analysis::FeatureSet::All();
    a.has_tempo = true;
    a.bpm = 113.0;
    a.bpm_confidence = 0.9;
    a.duration_s = 97 * 240.0 / 113.0;
    a.loudness.integrated_lufs = -14.0;
    a.loudness.true_peak_dbtp = -2.0;
    a.bands = {0.2, 0.7, 0.04, 0.03, 0.03};
    a.swing_ratio = 55.0 / 45.0;
    a.swing_confidence = 0.8;
    a.sixteenth_coverage = 0.9;
    a.log_drum.present = true;
    a.log_drum.confidence = 0.9;
    a.log_drum.hits_per_bar = 4.0;
    a.log_drum.bar_coverage = 0.7;
    a.log_drum.decay_s = 0.47;
    a.harmony = {100, 0.6, 0.6, 4.1};
    a.sections = {{0, 0, 0, 16, "intro"},
                  {0, 0, 16, 32, "main"},
                  {0, 0, 48, 16, "breakdown"},
                  {0, 0, 64, 24, "main"},
                  {0, 0, 88, 9, "outro"}};
    return a;
}

class Criteria : public ::testing::Test {
protected:
    void SetUp() override {
        Result<GenreKnowledge> loaded = LoadGenreKnowledge();
        ASSERT_TRUE(loaded) << loaded.error().message;
        kb_ = *loaded;
    }
    const SubgenreExpectations& Classic() const { return kb_.For(Subgenre::kClassic); }
    GenreKnowledge kb_;
};

TEST_F(Criteria, AWellMadeTrackPassesEveryOne) {
    const Analysis a = ClassicTrack();
    for (const CriterionResult& c :
         {TempoCriterion(a, Classic(), kb_), LogDrumCriterion(a, Classic(), kb_),
          LogDrumSoundCriterion(a, Classic(), kb_), ShakersCriterion(a, Classic(), kb_),
          GrooveCriterion(a, Classic(), kb_), HarmonicColourCriterion(a, Classic(), kb_, std::nullopt),
          LowEndCriterion(a, Classic(), kb_), ArrangementCriterion(a, Classic(), kb_),
          LoudnessCriterion(a, Classic(), kb_)}) {
        EXPECT_GE(c.score, 0.95) << c.name << ": " << c.feedback;
        EXPECT_TRUE(c.applicable) << c.name;
        EXPECT_TRUE(c.value.has_value()) << c.name;
        EXPECT_GT(c.weight, 0.0) << c.name;
    }
}

TEST_F(Criteria, TempoFarAboveTheRangeFailsAndSaysBy_HowMuch) {
    Analysis a = ClassicTrack();
    a.bpm = 140.0;
    const CriterionResult c = TempoCriterion(a, Classic(), kb_);
    EXPECT_EQ(c.score, 0.0);
    EXPECT_EQ(*c.value, 140.0);
    EXPECT_EQ(*c.expected.min, 110.0);
    EXPECT_EQ(*c.expected.max, 116.0);
    EXPECT_EQ(
        c.feedback,
        "140.0 BPM is 24.0 BPM above classic's 110-116 BPM (sweet spot 113): slow it down to about 113 BPM.");
}

TEST_F(Criteria, TempoDegradesGraduallyAndForgivesHalfTime) {
    Analysis a = ClassicTrack();
    a.bpm = 113.0;
    const double centre = TempoCriterion(a, Classic(), kb_).score;
    a.bpm = 116.0;
    const double edge = TempoCriterion(a, Classic(), kb_).score;
    a.bpm = 119.0;
    const double outside = TempoCriterion(a, Classic(), kb_).score;
    EXPECT_GT(centre, edge);
    EXPECT_GT(edge, outside);
    EXPECT_GT(outside, 0.0);

    a.bpm = 116.3;  // within measuring precision of the range: inside it
    const CriterionResult close = TempoCriterion(a, Classic(), kb_);
    EXPECT_DOUBLE_EQ(close.score, edge);
    EXPECT_EQ(close.feedback, "116.3 BPM sits inside classic's 110-116 BPM (sweet spot 113).");

    a.bpm = 56.5;  // the half-time pulse of a 113 BPM track
    const CriterionResult half = TempoCriterion(a, Classic(), kb_);
    EXPECT_GT(half.score, 0.85);
    EXPECT_NE(half.feedback.find("reads as 113.0 BPM in double time"), std::string::npos) << half.feedback;

    a.has_tempo = false;
    const CriterionResult none = TempoCriterion(a, Classic(), kb_);
    EXPECT_EQ(none.score, 0.0);
    EXPECT_FALSE(none.value.has_value());
}

TEST_F(Criteria, NoLogDrumFailsTheLogDrumCriterion) {
    Analysis a = ClassicTrack();
    a.log_drum.present = false;
    a.log_drum.confidence = 0.2;
    const CriterionResult c = LogDrumCriterion(a, Classic(), kb_);
    EXPECT_LE(c.score, 0.1);
    EXPECT_EQ(*c.value, 0.0);
    EXPECT_EQ(c.feedback.rfind(
                  "No log drum was heard (confidence 0.20): add the pitched, decaying log-drum bass", 0),
              0u)
        << c.feedback;
    EXPECT_NE(c.feedback.find("classic lines put about 3.8 notes per bar between the beats"),
              std::string::npos)
        << c.feedback;
}

TEST_F(Criteria, ALogDrumInFewBarsOrOfTheWrongDensityScoresLess) {
    Analysis a = ClassicTrack();
    const double full = LogDrumCriterion(a, Classic(), kb_).score;
    a.log_drum.bar_coverage = 0.2;
    const CriterionResult sparse = LogDrumCriterion(a, Classic(), kb_);
    EXPECT_LT(sparse.score, full - 0.2);
    EXPECT_NE(
        sparse.feedback.find("in 20 % of the bars; let it play through the main sections (at least 50 %"),
        std::string::npos)
        << sparse.feedback;
    a = ClassicTrack();
    a.log_drum.hits_per_bar = 9.0;
    const CriterionResult busy = LogDrumCriterion(a, Classic(), kb_);
    EXPECT_LT(busy.score, full);
    EXPECT_NE(busy.feedback.find("busier than classic"), std::string::npos) << busy.feedback;
}

TEST_F(Criteria, LogDrumSoundIsComparedOnALogScale) {
    Analysis a = ClassicTrack();
    a.log_drum.decay_s = 1.7;  // a sgija-style distorted, sustained log drum
    const CriterionResult long_one = LogDrumSoundCriterion(a, Classic(), kb_);
    EXPECT_EQ(long_one.score, 0.0);
    EXPECT_EQ(long_one.feedback,
              "The log drum decays in 1.70 s, longer than classic's medium, knocking log drum (0.40-0.55 s): "
              "shorten its decay or ease the distortion.");
    a.log_drum.decay_s = 0.34;  // 0.23 octaves short of 0.40
    const CriterionResult short_one = LogDrumSoundCriterion(a, Classic(), kb_);
    EXPECT_NEAR(short_one.score, 1.0 - std::log2(0.40 / 0.34) / 0.5, 1e-9);
    a.log_drum.present = false;
    EXPECT_FALSE(LogDrumSoundCriterion(a, Classic(), kb_).applicable);
}

TEST_F(Criteria, StraightSixteenthsLoseOnGroove) {
    Analysis a = ClassicTrack();
    const double swung = GrooveCriterion(a, Classic(), kb_).score;
    a.swing_ratio = 1.0;
    const CriterionResult c = GrooveCriterion(a, Classic(), kb_);
    EXPECT_LT(c.score, 0.5);
    EXPECT_LT(c.score, swung - 0.5);
    EXPECT_EQ(c.feedback,
              "The 16ths are straight (50.0 % swing); classic's 53-58 % (about 55 %) gives the lazy amapiano "
              "shuffle: delay every second 16th note.");
}

TEST_F(Criteria, ThinShakersAndPlainTriadsAreNamed) {
    Analysis a = ClassicTrack();
    a.sixteenth_coverage = 0.3;
    const CriterionResult shakers = ShakersCriterion(a, Classic(), kb_);
    EXPECT_EQ(shakers.score, 0.0);
    EXPECT_EQ(shakers.feedback,
              "Only 30 % of the 16th notes carry a shaker or hat hit (target at least 75 %): add a rolling "
              "16th-note shaker, accented on the off-beats, through the groove.");

    a.harmony.extended_share = 0.1;
    const CriterionResult triads = HarmonicColourCriterion(a, Classic(), kb_, std::nullopt);
    EXPECT_LT(triads.score, 0.5);
    EXPECT_NE(triads.feedback.find("only 10 % of the chords are 7ths, 9ths or 11ths"), std::string::npos)
        << triads.feedback;

    a.harmony.tonal_share = 0.05;  // a drone or drums only
    const CriterionResult none = HarmonicColourCriterion(a, Classic(), kb_, std::nullopt);
    EXPECT_EQ(none.score, 0.0);
    EXPECT_NE(none.feedback.find("Hardly any chords were heard"), std::string::npos);

    // Our own tracks: the chords are read from the score.
    const CriterionResult scored = HarmonicColourCriterion(a, Classic(), kb_, ScoreFacts{0.9});
    EXPECT_EQ(scored.source, "score");
    EXPECT_EQ(*scored.value, 90.0);
    EXPECT_EQ(scored.score, 1.0);
}

TEST_F(Criteria, LoudnessForStreaming) {
    Analysis a = ClassicTrack();
    a.loudness.integrated_lufs = -25.4;
    a.loudness.true_peak_dbtp = -11.7;
    const CriterionResult quiet = LoudnessCriterion(a, Classic(), kb_);
    EXPECT_LT(quiet.score, 0.1);
    EXPECT_EQ(
        quiet.feedback,
        "At -25.4 LUFS the master is 9.4 dB quieter than the -16 to -7 LUFS streaming range: raise it.");
    a.loudness.integrated_lufs = -9.0;
    a.loudness.true_peak_dbtp = 0.8;
    const CriterionResult clipping = LoudnessCriterion(a, Classic(), kb_);
    EXPECT_DOUBLE_EQ(clipping.score, 0.8);
    EXPECT_NE(clipping.feedback.find("true peak 0.8 dBTP will clip"), std::string::npos) << clipping.feedback;
}

TEST_F(Criteria, ArrangementNeedsIntroPhrasesAndBreakdown) {
    Analysis a = ClassicTrack();
    EXPECT_EQ(ArrangementCriterion(a, Classic(), kb_).feedback,
              "A DJ-friendly arrangement: a 16-bar intro, changes on the 8-bar grid (4 of 4) and a 16-bar "
              "breakdown at bar 49.");
    a.sections = {{0, 0, 0, 40, "main"}, {0, 0, 40, 13, "main"}, {0, 0, 53, 44, "main"}};
    const CriterionResult flat = ArrangementCriterion(a, Classic(), kb_);
    EXPECT_LT(flat.score, 0.3);
    EXPECT_EQ(*flat.value, 0.0);
    EXPECT_EQ(
        flat.feedback,
        "No intro: build for 16-32 bars before the log drum drops (at least 8), only 1 of 2 section changes "
        "fall on the 8-bar grid and no breakdown: strip the low end for 8-16 bars before the last drop.");

    a.duration_s = 16 * 240.0 / 113.0;  // a loop
    const CriterionResult loop = ArrangementCriterion(a, Classic(), kb_);
    EXPECT_FALSE(loop.applicable);
    EXPECT_EQ(loop.feedback, "Too short to judge the arrangement (16 bars): a full track needs at least 32.");
}

TEST_F(Criteria, LowEndBalance) {
    Analysis a = ClassicTrack();
    a.bands = {0.02, 0.08, 0.3, 0.4, 0.2};
    const CriterionResult thin = LowEndCriterion(a, Classic(), kb_);
    EXPECT_EQ(thin.score, 0.0);
    EXPECT_EQ(*thin.value, 10.0);
    EXPECT_NE(thin.feedback.find("The low end is thin: 10 % of the energy is below 250 Hz (target 60-99 %)"),
              std::string::npos)
        << thin.feedback;
    a.bands = {};
    EXPECT_FALSE(LowEndCriterion(a, Classic(), kb_).value.has_value());
}

}  // namespace
}  // namespace amapiano::validate
