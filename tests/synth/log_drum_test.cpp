#include <gtest/gtest.h>

#include <cmath>

#include "synth/track_renderer.h"
#include "synth_test_util.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;
using namespace testing;

TEST(LogDrum, FundamentalMatchesNote) {
    const compose::Score score = MakeScore();
    for (int note : {33, 38, 45, 52}) {
        const auto track = MakeTrack(Instrument::kLogDrum, {Note(0.0, 1.0, note, 0.9f)});
        const auto out = Render(track, score, 0.6);
        const double hz = ZeroCrossingHz(Window(out, 0.12, 0.45));
        EXPECT_NEAR(hz, NoteHz(note), NoteHz(note) * 0.01) << "note " << note;
    }
}

TEST(LogDrum, PitchEnvelopeStartsAboveNoteAndSettles) {
    compose::Score score = MakeScore();
    score.sound.log_drum_pitch_drop_st = 18.0;
    score.sound.log_drum_pitch_time_s = 0.03;
    const int note = 40;
    const auto out = Render(MakeTrack(Instrument::kLogDrum, {Note(0.0, 1.0, note)}), score, 0.5);
    const auto crossings = UpwardCrossings(Window(out, 0.0, 0.5));
    ASSERT_GE(crossings.size(), 3u);
    // The onset starts at phase 0, so the first crossing ends the first cycle.
    const double first_cycle_hz = kSampleRate / crossings[0];
    EXPECT_GT(first_cycle_hz, 1.5 * NoteHz(note));
    const double settled_hz = ZeroCrossingHz(Window(out, 0.06, 0.2));
    EXPECT_NEAR(settled_hz, NoteHz(note), NoteHz(note) * 0.015);
}

// Per-cycle frequencies (Hz) and the time of each cycle's end (s).
struct Cycle {
    double t_s;
    double hz;
};
std::vector<Cycle> Cycles(const std::vector<float>& out) {
    const auto t = UpwardCrossings(out);
    std::vector<Cycle> cycles;
    for (size_t i = 1; i < t.size(); ++i)
        cycles.push_back({t[i] / kSampleRate, kSampleRate / (t[i] - t[i - 1])});
    return cycles;
}

TEST(LogDrum, OverlappingNoteGlidesWithoutRetrigger) {
    compose::Score score = MakeScore();
    score.sound.log_drum_glide_s = 0.08;
    const double second_onset_s = 0.2;
    // First note still held when the second starts: portamento 45 (110 Hz) -> 40 (82.4 Hz).
    const auto track = MakeTrack(Instrument::kLogDrum, {Note(0.0, 0.4, 45), Note(second_onset_s, 0.4, 40)});
    const auto cycles = Cycles(Render(track, score, 0.6));
    double previous_hz = 0.0;
    int intermediate = 0;
    for (const Cycle& c : cycles) {
        if (c.t_s < second_onset_s - 0.03 || c.t_s > second_onset_s + 0.2) continue;
        EXPECT_LT(c.hz, NoteHz(45) * 1.03) << "no knock at " << c.t_s;  // no retriggered pitch envelope
        EXPECT_GT(c.hz, NoteHz(40) * 0.97) << "no undershoot at " << c.t_s;
        if (previous_hz > 0.0) {
            EXPECT_LT(c.hz, previous_hz * 1.01) << "monotonic at " << c.t_s;
        }
        if (c.hz < NoteHz(45) * 0.97 && c.hz > NoteHz(40) * 1.03) ++intermediate;
        previous_hz = c.hz;
    }
    EXPECT_GE(intermediate, 3) << "the pitch should pass through the frequencies in between";
    EXPECT_NEAR(previous_hz, NoteHz(40), NoteHz(40) * 0.015);
}

TEST(LogDrum, SeparateNoteRetriggersKnock) {
    const compose::Score score = MakeScore();
    const double second_onset_s = 0.3;
    const auto track = MakeTrack(Instrument::kLogDrum, {Note(0.0, 0.2, 45), Note(second_onset_s, 0.4, 40)});
    const auto cycles = Cycles(Render(track, score, 0.6));
    double max_hz_after = 0.0;
    for (const Cycle& c : cycles) {
        if (c.t_s > second_onset_s && c.t_s < second_onset_s + 0.015)
            max_hz_after = std::max(max_hz_after, c.hz);
    }
    EXPECT_GT(max_hz_after, 1.5 * NoteHz(40));
}

double MeasuredDecaySeconds(double decay_s) {
    compose::Score score = MakeScore();
    score.sound.log_drum_decay_s = decay_s;
    // Low velocity keeps the saturation nearly linear, so the envelope shows through.
    const auto out = Render(MakeTrack(Instrument::kLogDrum, {Note(0.0, 3.0, 45, 0.2f)}), score, 2.0);
    const double t1 = 0.1, t2 = 0.1 + decay_s;
    const double window_s = 4.0 / NoteHz(45);
    const double r1 = Rms(Window(out, t1, t1 + window_s));
    const double r2 = Rms(Window(out, t2, t2 + window_s));
    return (t2 - t1) / std::log(r1 / r2);
}

TEST(LogDrum, DecayFollowsSoundDesign) {
    for (double decay_s : {0.2, 0.35, 0.7}) {
        EXPECT_NEAR(MeasuredDecaySeconds(decay_s), decay_s, decay_s * 0.2) << "decay " << decay_s;
    }
}

TEST(LogDrum, ReleasedNoteEndsSoonAfterDuration) {
    compose::Score score = MakeScore();
    score.sound.log_drum_decay_s = 0.8;
    const auto out = Render(MakeTrack(Instrument::kLogDrum, {Note(0.0, 0.15, 40, 1.0f)}), score, 1.2);
    EXPECT_GT(Rms(Window(out, 0.05, 0.1)), 0.1);
    EXPECT_LT(Rms(Window(out, 0.9, 1.2)), 1e-3);
}

TEST(LogDrum, EnergyMostlyInTheBass) {
    const compose::Score score = MakeScore();
    const auto out = Render(MakeTrack(Instrument::kLogDrum, {Note(0.0, 0.5, 38, 1.0f)}), score, 0.4);
    // Saturation adds odd harmonics (the woody bark), but the body carries most of the energy.
    EXPECT_LT(EnergyFractionAbove(out, 160.0), 0.3);
    EXPECT_GT(1.0 - EnergyFractionAbove(out, 160.0), 0.7);
}

}  // namespace
}  // namespace amapiano::synth
