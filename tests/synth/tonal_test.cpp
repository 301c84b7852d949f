// Keys, pad, bass and lead: pitch, chords and envelopes.
#include <gtest/gtest.h>

#include <cmath>

#include "synth/track_renderer.h"
#include "synth_test_util.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;
using namespace testing;

double Cents(double hz, double ref_hz) { return 1200.0 * std::log2(hz / ref_hz); }

TEST(Keys, ChordContainsRequestedPitches) {
    const std::vector<int> chord = {57, 60, 64, 67, 71};  // Am9
    std::vector<compose::NoteEvent> events;
    for (int p : chord) events.push_back(Note(0.0, 0.5, p, 0.8f));
    const auto out = Render(MakeTrack(Instrument::kKeys, events), MakeScore(), 0.6);
    const auto window = Window(out, 0.05, 0.45);
    double weakest_chord_tone = 1e9;
    for (int p : chord) weakest_chord_tone = std::min(weakest_chord_tone, GoertzelPower(window, NoteHz(p)));
    double strongest_other = 0.0;
    for (int p : {56, 58, 59, 61, 62, 63, 65, 66, 68}) {
        strongest_other = std::max(strongest_other, GoertzelPower(window, NoteHz(p)));
    }
    EXPECT_GT(weakest_chord_tone, 10.0 * strongest_other);
}

TEST(Keys, PitchMatchesMidiNote) {
    for (int note : {48, 60, 69, 76}) {
        const auto out = Render(MakeTrack(Instrument::kKeys, {Note(0.0, 1.0, note)}), MakeScore(), 0.9);
        const double hz = PeakHz(Window(out, 0.05, 0.85), NoteHz(note) * 0.94, NoteHz(note) * 1.06, 0.25);
        EXPECT_NEAR(Cents(hz, NoteHz(note)), 0.0, 5.0) << "note " << note;
    }
}

double HarmonicRatio(const std::vector<float>& out, int note) {
    const auto w = Window(out, 0.01, 0.1);
    double upper = 0.0;
    for (int h = 2; h <= 5; ++h) upper += GoertzelPower(w, NoteHz(note) * h);
    return upper / GoertzelPower(w, NoteHz(note));
}

TEST(Keys, VelocityAndBrightnessAddHarmonics) {
    const compose::Score score = MakeScore();
    const auto soft = Render(MakeTrack(Instrument::kKeys, {Note(0.0, 0.5, 60, 0.3f)}), score, 0.2);
    const auto hard = Render(MakeTrack(Instrument::kKeys, {Note(0.0, 0.5, 60, 1.0f)}), score, 0.2);
    EXPECT_GT(HarmonicRatio(hard, 60), 2.0 * HarmonicRatio(soft, 60));
    compose::Score dark = MakeScore();
    dark.sound.keys_brightness = 0.0;
    compose::Score bright = MakeScore();
    bright.sound.keys_brightness = 1.0;
    const auto track = MakeTrack(Instrument::kKeys, {Note(0.0, 0.5, 60, 0.7f)});
    EXPECT_GT(HarmonicRatio(Render(track, bright, 0.2), 60),
              2.0 * HarmonicRatio(Render(track, dark, 0.2), 60));
}

TEST(Keys, ReleaseDampsQuickly) {
    const auto out = Render(MakeTrack(Instrument::kKeys, {Note(0.0, 0.25, 60, 1.0f)}), MakeScore(), 1.0);
    EXPECT_GT(Rms(Window(out, 0.1, 0.2)), 0.02);
    EXPECT_LT(Rms(Window(out, 0.7, 1.0)), 1e-3 * Rms(Window(out, 0.1, 0.2)) + 1e-6);
}

TEST(Pad, SwellsInSlowlyAndReleasesInAboutASecond) {
    const auto out =
        Render(MakeTrack(Instrument::kPad, {Note(0.0, 1.5, 60), Note(0.0, 1.5, 64)}), MakeScore(), 3.5);
    const double sustained = Rms(Window(out, 1.0, 1.4));
    EXPECT_GT(sustained, 0.02);
    EXPECT_LT(Rms(Window(out, 0.0, 0.05)), 0.2 * sustained);
    EXPECT_GT(Rms(Window(out, 1.7, 1.8)), 0.1 * sustained);   // still releasing
    EXPECT_LT(Rms(Window(out, 3.0, 3.5)), 0.02 * sustained);  // gone a couple of seconds later
}

TEST(Pad, PitchMatchesMidiNote) {
    const auto out = Render(MakeTrack(Instrument::kPad, {Note(0.0, 1.5, 57)}), MakeScore(), 1.5);
    const double hz = PeakHz(Window(out, 0.5, 1.4), NoteHz(57) * 0.94, NoteHz(57) * 1.06, 0.25);
    EXPECT_NEAR(Cents(hz, NoteHz(57)), 0.0, 6.0);
}

TEST(Bass, FundamentalMatchesNote) {
    for (int note : {28, 36, 43}) {
        const auto out = Render(MakeTrack(Instrument::kBass, {Note(0.0, 1.0, note)}), MakeScore(), 1.0);
        EXPECT_NEAR(ZeroCrossingHz(Window(out, 0.05, 0.9)), NoteHz(note), NoteHz(note) * 0.005)
            << "note " << note;
        EXPECT_LT(EnergyFractionAbove(Window(out, 0.05, 0.9), 200.0), 0.1);
    }
}

TEST(Bass, LegatoGlidesWithoutDip) {
    const auto out =
        Render(MakeTrack(Instrument::kBass, {Note(0.0, 0.55, 36), Note(0.5, 0.5, 38)}), MakeScore(), 1.0);
    // No re-attack from silence: the level around the join stays close to the held level.
    const double held = Rms(Window(out, 0.3, 0.45));
    for (double t = 0.45; t < 0.6; t += 0.02) EXPECT_GT(Rms(Window(out, t, t + 0.03)), 0.7 * held) << t;
    EXPECT_NEAR(ZeroCrossingHz(Window(out, 0.65, 0.95)), NoteHz(38), NoteHz(38) * 0.01);
}

TEST(Lead, PitchMatchesMidiNoteAndAttackIsSoft) {
    for (int note : {62, 74}) {
        const auto out = Render(MakeTrack(Instrument::kLead, {Note(0.0, 0.8, note)}), MakeScore(), 0.8);
        const double hz = PeakHz(Window(out, 0.05, 0.7), NoteHz(note) * 0.94, NoteHz(note) * 1.06, 0.25);
        EXPECT_NEAR(Cents(hz, NoteHz(note)), 0.0, 8.0) << "note " << note;
        EXPECT_LT(Rms(Window(out, 0.0, 0.008)), 0.5 * Rms(Window(out, 0.05, 0.1)));
    }
}

}  // namespace
}  // namespace amapiano::synth
