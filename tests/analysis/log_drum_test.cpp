#include "analysis/log_drum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace amapiano::analysis {
namespace {

constexpr double kBpm = 112.0;
constexpr double kBeatS = 60.0 / kBpm;

// Adds a decaying sine whose pitch glides from `hz` towards `hz * glide` (log drum / kick body).
void AddTone(std::vector<float>& out, double at_s, double hz, double glide, double decay_s,
             double amplitude) {
    const size_t start = size_t(at_s * kAnalysisRateHz);
    double phase = 0.0;
    for (size_t i = start; i < out.size() && i < start + size_t(6 * decay_s * kAnalysisRateHz); ++i) {
        const double t = double(i - start) / kAnalysisRateHz;
        const double f = hz * (1.0 + (glide - 1.0) * std::min(1.0, t / 0.15));
        phase += 2.0 * std::numbers::pi * f / kAnalysisRateHz;
        out[i] += float(amplitude * std::exp(-t / decay_s) * std::sin(phase));
    }
}

struct Groove final {
    std::vector<float> audio;
    std::vector<double> beats;
};

Groove Make(int bars, bool kicks, bool log_drums, bool techno_bass = false) {
    Groove g;
    g.audio.assign(size_t((bars * 4 + 1) * kBeatS * kAnalysisRateHz), 0.0f);
    for (int b = 0; b <= bars * 4; ++b) g.beats.push_back(b * kBeatS);
    for (int b = 0; b < bars * 4; ++b) {
        const double beat = b * kBeatS;
        if (kicks) AddTone(g.audio, beat, 110.0, 0.45, 0.04, 0.8);  // short, fast pitch drop
        if (log_drums && b % 2 == 0) {
            // Two syncopated hits per two beats: on the "a" of the beat and the "e" of the next.
            AddTone(g.audio, beat + 0.75 * kBeatS, 55.0, 1.12, 0.18, 0.6);
            AddTone(g.audio, beat + 1.25 * kBeatS, 73.4, 0.95, 0.18, 0.6);
        }
        if (techno_bass) AddTone(g.audio, beat + 0.5 * kBeatS, 49.0, 1.0, 0.08, 0.6);  // every off-beat 8th
    }
    return g;
}

LogDrumResult Detect(const Groove& g) {
    SpectralFeatures features;
    SpectralFrames stft([&](const SpectrumView& view) { features.AddFrame(view); });
    stft.Push(g.audio);
    stft.Finish();
    return DetectLogDrum(features.frames(), g.beats);
}

TEST(LogDrum, OffBeatPitchedHitsOverKicksArePresent) {
    const LogDrumResult r = Detect(Make(16, true, true));
    EXPECT_TRUE(r.present);
    EXPECT_GT(r.confidence, 0.6);
    EXPECT_NEAR(r.hits_per_bar, 4.0, 1.0);
    EXPECT_GT(r.bar_coverage, 0.9);
    EXPECT_GT(r.median_pitch_hz, 45.0);
    EXPECT_LT(r.median_pitch_hz, 90.0);
    EXPECT_NEAR(r.syncopation, 1.0, 0.05);
    EXPECT_GT(r.pitch_range_st, 3.0);
}

TEST(LogDrum, KicksOnTheBeatAloneAreNotALogDrum) {
    const LogDrumResult r = Detect(Make(16, true, false));
    EXPECT_FALSE(r.present);
    EXPECT_LT(r.confidence, 0.2);
}

TEST(LogDrum, OneBassNoteOnEveryOffBeatIsTechnoNotALogDrum) {
    const LogDrumResult r = Detect(Make(16, true, false, true));
    EXPECT_FALSE(r.present);
    EXPECT_LT(r.syncopation, 0.1);
    EXPECT_LT(r.pitch_range_st, 1.0);
    EXPECT_GT(r.hits, 32);  // the hits are found, they just are not a log-drum line
}

TEST(LogDrum, HitsArePlacedOnTheBeatGrid) {
    const Groove g = Make(4, true, true);
    SpectralFeatures features;
    SpectralFrames stft([&](const SpectrumView& view) { features.AddFrame(view); });
    stft.Push(g.audio);
    stft.Finish();
    int on = 0, off = 0;
    for (const LowHit& hit : FindLowHits(features.frames(), g.beats)) {
        (hit.off_beat ? off : on)++;
        if (hit.off_beat) {
            EXPECT_TRUE(std::abs(hit.beat_phase - 0.75) < 0.08 || std::abs(hit.beat_phase - 0.25) < 0.08);
        }
    }
    // A kick right after a ringing log-drum hit may merge with it.
    EXPECT_GE(on, 6);
    EXPECT_GE(off, 14);
}

TEST(LogDrum, NoBeatGridNoLogDrum) {
    const Groove g = Make(8, true, true);
    SpectralFeatures features;
    SpectralFrames stft([&](const SpectrumView& view) { features.AddFrame(view); });
    stft.Push(g.audio);
    stft.Finish();
    EXPECT_FALSE(DetectLogDrum(features.frames(), {}).present);
}

}  // namespace
}  // namespace amapiano::analysis
