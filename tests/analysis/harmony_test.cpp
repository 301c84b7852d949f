// Harmony: chord templates on hand-made profiles, then real audio — synthesised chords and Essentia's
// chord-detection recording (24 triads) — through the shared STFT.
#include "analysis/harmony.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "analysis/spectral_frames.h"
#include "support/analysis_audio.h"
#include "support/shared_data.h"

namespace amapiano::analysis {
namespace {

std::array<double, 12> Profile(std::initializer_list<int> pitch_classes, double noise = 0.0) {
    std::array<double, 12> p{};
    p.fill(noise);
    for (int pc : pitch_classes) p[size_t(pc)] = 1.0;
    return p;
}

TEST(FitChord, NamesTriadsAndExtendedChords) {
    const ChordFit c = FitChord(Profile({0, 4, 7}));
    EXPECT_EQ(c.root, 0);
    EXPECT_EQ(c.quality, "maj");
    EXPECT_FALSE(c.extended);
    EXPECT_NEAR(c.similarity, 1.0, 1e-9);

    const ChordFit am9 = FitChord(Profile({9, 0, 4, 7, 11}, 0.1));  // A C E G B
    EXPECT_EQ(am9.root, 9);
    EXPECT_EQ(am9.quality, "m9");
    EXPECT_TRUE(am9.extended);
    EXPECT_GT(am9.extended_similarity, am9.triad_similarity);

    const ChordFit fmaj7 = FitChord(Profile({5, 9, 0, 4}));
    EXPECT_EQ(fmaj7.root, 5);
    EXPECT_EQ(fmaj7.quality, "maj7");
}

TEST(FitChord, ADroneOrSilenceIsNoChord) {
    EXPECT_LT(FitChord(Profile({2})).similarity, kTonalSimilarity);
    EXPECT_LT(FitChord(Profile({2, 9})).similarity, kTonalSimilarity);  // a bare fifth
    EXPECT_EQ(FitChord(Profile({})).similarity, 0.0);
}

// A sustained chord of sawtooth-like tones (six harmonics each), `seconds` long.
std::vector<float> Chord(std::initializer_list<int> midi_notes, double seconds) {
    std::vector<float> out(size_t(seconds * kAnalysisRateHz), 0.0f);
    for (int note : midi_notes) {
        const double f0 = 440.0 * std::pow(2.0, (note - 69) / 12.0);
        for (int h = 1; h <= 6; ++h) {
            const double w = 2.0 * std::numbers::pi * f0 * h / kAnalysisRateHz;
            for (size_t i = 0; i < out.size(); ++i) out[i] += float(0.05 / h * std::sin(w * double(i)));
        }
    }
    return out;
}

HarmonyResult Analyse(const std::vector<float>& mono, const std::vector<double>& segment_starts) {
    HarmonyAnalyzer harmony;
    SpectralFrames stft([&](const SpectrumView& s) { harmony.AddFrame(s); });
    stft.Push(mono);
    stft.Finish();
    return harmony.Finish(segment_starts, double(mono.size()) / kAnalysisRateHz);
}

TEST(HarmonyAnalyzer, HearsNinthChordsAsExtendedAndTriadsAsPlain) {
    std::vector<double> bars;
    for (double t = 0.0; t < 8.0; t += 2.0) bars.push_back(t);
    const HarmonyResult ninths = Analyse(Chord({50, 53, 57, 60, 64}, 8.0), bars);  // Dm9: D F A C E
    EXPECT_EQ(ninths.segments, 4);
    EXPECT_EQ(ninths.tonal_share, 1.0);
    EXPECT_EQ(ninths.extended_share, 1.0);
    EXPECT_GE(ninths.mean_tones, 4.0);

    const HarmonyResult triads = Analyse(Chord({48, 52, 55, 60}, 8.0), bars);  // C major
    EXPECT_EQ(triads.tonal_share, 1.0);
    EXPECT_EQ(triads.extended_share, 0.0);
    EXPECT_EQ(triads.mean_tones, 3.0);

    const HarmonyResult drone = Analyse(Chord({45}, 8.0), bars);  // one low A
    EXPECT_EQ(drone.segments, 4);
    EXPECT_EQ(drone.tonal_share, 0.0);

    const HarmonyResult silence = Analyse(std::vector<float>(8 * kAnalysisRateHz, 0.0f), bars);
    EXPECT_EQ(silence.segments, 0);
    EXPECT_EQ(silence.extended_share, 0.0);
}

TEST(HarmonyAnalyzer, EssentiasChordRecordingIsMostlyTriads) {
    // 24 major and minor triads, one per beat at 80 BPM (the MusicXML score beside the audio).
    const std::vector<float> mono = testing_support::LoadForAnalysis(
        testing_support::EssentiaAudio("generated/synthesised/chord_detection/Chord_Detection_Test.flac"));
    ASSERT_FALSE(mono.empty());
    std::vector<double> beats;
    for (int i = 0; i < 24; ++i) beats.push_back(i * 0.75);
    const HarmonyResult h = Analyse(mono, beats);
    EXPECT_GE(h.tonal_share, 0.8);
    EXPECT_LE(h.extended_share, 0.25);
}

}  // namespace
}  // namespace amapiano::analysis
