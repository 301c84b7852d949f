#include "analysis/key_estimator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "analysis/key_profiles.h"
#include "analysis/spectral_frames.h"
#include "support/analysis_audio.h"
#include "support/shared_data.h"
#include "theory/key.h"

namespace amapiano::analysis {
namespace {

using theory::Key;
using theory::Mode;

KeyEstimate Estimate(const std::vector<float>& mono, const KeyEstimatorOptions& options = {}) {
    KeyEstimator estimator(options);
    SpectralFrames stft([&](const SpectrumView& s) { estimator.AddFrame(s); });
    stft.Push(mono);
    stft.Finish();
    return estimator.Finish();
}

std::string Name(const KeyEstimate& k) {
    return k.has_key ? theory::KeyName(Key{k.tonic_pc, k.mode}) : std::string("(none)");
}

// ---- Synthetic chord progressions -------------------------------------------------------------

// Adds a tone of six partials (amplitude 1/h) with a 10 ms attack and an exponential decay. Sines by
// the Chebyshev recurrence sin((n+1)w) = 2 cos(w) sin(nw) - sin((n-1)w): the tests synthesise minutes
// of audio, and this is several times faster than calling std::sin per sample.
void AddTone(std::vector<float>& out, size_t start, size_t length, double hz, double amplitude) {
    constexpr int kHarmonics = 6;
    const double attack = 0.01 * kAnalysisRateHz;
    const double decay = std::exp(-1.5 / kAnalysisRateHz);
    length = std::min(length, out.size() - std::min(out.size(), start));
    for (int h = 1; h <= kHarmonics; ++h) {
        const double f = hz * h;
        if (f > kAnalysisRateHz / 2.0 - 500.0) break;
        const double w = 2.0 * std::numbers::pi * f / kAnalysisRateHz;
        const double two_cos = 2.0 * std::cos(w);
        double s0 = 0.0, s1 = std::sin(w);  // sin(0), sin(w)
        double gain = amplitude / h;
        for (size_t i = 0; i < length; ++i) {
            out[start + i] += float(gain * std::min(1.0, double(i) / attack) * s0);
            const double s2 = two_cos * s1 - s0;
            s0 = s1;
            s1 = s2;
            gain *= decay;
        }
    }
}

double MidiHz(int midi, double a4_hz) { return a4_hz * std::exp2((midi - 69) / 12.0); }

// i-iv-V-i (harmonic minor: the V is major) or I-IV-V-I, one chord per second, each a root-position
// triad around middle C with its root two octaves lower in the bass; played twice.
std::vector<float> Cadence(const Key& key, double a4_hz = 440.0) {
    const double seconds_per_chord = 1.0;
    const size_t chord_length = size_t(seconds_per_chord * kAnalysisRateHz);
    const bool minor = key.mode == Mode::kMinor;
    struct Chord {
        int root;  // semitones above the tonic
        bool minor_third;
    };
    const Chord progression[] = {{0, minor}, {5, minor}, {7, false}, {0, minor}};
    std::vector<float> out(chord_length * 8, 0.0f);
    size_t at = 0;
    for (int pass = 0; pass < 2; ++pass) {
        for (const Chord& chord : progression) {
            const int root = 60 + (key.tonic_pc + chord.root) % 12;  // C4 .. B4
            for (int interval : {0, chord.minor_third ? 3 : 4, 7}) {
                AddTone(out, at, chord_length, MidiHz(root + interval, a4_hz), 0.12);
            }
            AddTone(out, at, chord_length, MidiHz(root - 24, a4_hz), 0.2);
            at += chord_length;
        }
    }
    return out;
}

TEST(KeyEstimator, CadencesInAll24Keys) {
    int correct = 0;
    for (Mode mode : {Mode::kMajor, Mode::kMinor}) {
        for (int tonic = 0; tonic < 12; ++tonic) {
            const Key key{tonic, mode};
            const KeyEstimate k = Estimate(Cadence(key));
            EXPECT_TRUE(k.has_key);
            EXPECT_EQ(Name(k), theory::KeyName(key));
            EXPECT_NEAR(k.tuning_hz, 440.0, 1.0) << theory::KeyName(key);
            EXPECT_GT(k.confidence, 0.3) << theory::KeyName(key);
            correct += Name(k) == theory::KeyName(key);
        }
    }
    EXPECT_EQ(correct, 24);
}

// Amapiano-style extended chords over a root bass, as (semitones above the tonic, chord tones above
// the root, beats) at 120 BPM; the progression is played twice.
struct JazzChord {
    int root;
    std::vector<int> tones;
    int beats;
};

std::vector<float> JazzProgression(int tonic_pc, const std::vector<JazzChord>& chords) {
    const size_t beat = size_t(0.5 * kAnalysisRateHz);
    size_t total = 0;
    for (const JazzChord& c : chords) total += beat * size_t(c.beats);
    std::vector<float> out(total * 2, 0.0f);
    size_t at = 0;
    for (int pass = 0; pass < 2; ++pass) {
        for (const JazzChord& c : chords) {
            const int root = 57 + (tonic_pc + c.root + 3) % 12;  // A3 .. G#4 (MIDI 57 is A)
            for (int tone : c.tones)
                AddTone(out, at, beat * size_t(c.beats), MidiHz(root + tone, 440.0), 0.08);
            AddTone(out, at, beat * size_t(c.beats), MidiHz(root - 24, 440.0), 0.2);
            at += beat * size_t(c.beats);
        }
    }
    return out;
}

TEST(KeyEstimator, MajorNinthChordsMostlyDoNotPullTheKeyToTheDominant) {
    // Imaj9 (12 beats) vi9 (4) ii9 (8) V13 (8): the tonic chord contains the dominant's triad (Cmaj9 =
    // C E G B D), so only F against F# separates C major from G major — hard for any profile method.
    // Measured: 9 of 12 keys right (misses: D -> Bm, Eb -> Cm, Bb -> F, all with confidence < 0.3);
    // Essentia's KeyExtractor (edma) gets 5 of 12, mostly the dominant.
    const std::vector<JazzChord> progression = {{0, {0, 4, 7, 11, 14}, 12},
                                                {9, {0, 3, 7, 10, 14}, 4},
                                                {2, {0, 3, 7, 10, 14}, 8},
                                                {7, {4, 10, 14, 21}, 8}};
    int correct = 0;
    for (int tonic = 0; tonic < 12; ++tonic) {
        const KeyEstimate k = Estimate(JazzProgression(tonic, progression));
        const bool right = Name(k) == theory::KeyName(Key{tonic, Mode::kMajor});
        if (!right) {
            EXPECT_LT(k.confidence, 0.3) << Name(k);
        }
        correct += right;
    }
    EXPECT_GE(correct, 9);
}

TEST(KeyEstimator, MinorSeventhGrooveIsNotTheSubdominant) {
    // i7 (16 beats) iv7 (8) i11 (4) bVImaj7 (2) V7sus4 (2), log-drum style root bass.
    const std::vector<JazzChord> progression = {{0, {0, 3, 7, 10}, 16},
                                                {5, {0, 3, 7, 10}, 8},
                                                {0, {0, 3, 10, 14, 17}, 4},
                                                {8, {0, 4, 7, 11}, 2},
                                                {7, {0, 5, 7, 10}, 2}};
    for (int tonic = 0; tonic < 12; ++tonic) {
        const Key key{tonic, Mode::kMinor};
        EXPECT_EQ(Name(Estimate(JazzProgression(tonic, progression))), theory::KeyName(key));
    }
}

TEST(KeyEstimator, DetunedToA446StillFindsKeyAndTuning) {
    for (const char* name : {"C", "F#", "Bb", "Am", "Ebm", "G#m"}) {
        const Key key = *theory::ParseKey(name);
        const KeyEstimate k = Estimate(Cadence(key, 446.0));
        EXPECT_EQ(Name(k), theory::KeyName(key));
        EXPECT_NEAR(k.tuning_hz, 446.0, 1.0) << name;
    }
}

TEST(KeyEstimator, ChromaOfACadenceIsNormalisedAndPeaksOnTheTonicTriad) {
    const KeyEstimate k = Estimate(Cadence(Key{0, Mode::kMajor}));
    double top = 0.0;
    for (double c : k.chroma) {
        EXPECT_GE(c, 0.0);
        top = std::max(top, c);
    }
    EXPECT_DOUBLE_EQ(top, 1.0);
    // C, E and G (the tonic triad, twice as long as the others) outweigh the notes outside the key.
    for (int outside : {1, 3, 6, 8, 10}) {
        EXPECT_GT(k.chroma[0], k.chroma[outside]);
        EXPECT_GT(k.chroma[7], k.chroma[outside]);
    }
}

TEST(KeyEstimator, SilenceAndEmptyInputHaveNoKey) {
    const KeyEstimate silent = Estimate(std::vector<float>(10 * kAnalysisRateHz, 0.0f));
    EXPECT_FALSE(silent.has_key);
    EXPECT_EQ(silent.confidence, 0.0);
    EXPECT_DOUBLE_EQ(silent.tuning_hz, 440.0);
    for (double c : silent.chroma) EXPECT_EQ(c, 0.0);

    EXPECT_FALSE(Estimate({}).has_key);
    // A click is not enough to name a key.
    std::vector<float> click(10 * kAnalysisRateHz, 0.0f);
    click[5000] = 1.0f;
    EXPECT_FALSE(Estimate(click).has_key);
}

TEST(KeyEstimator, WhiteNoiseHasLowConfidence) {
    std::mt19937 rng(7);
    std::normal_distribution<float> gauss(0.0f, 0.1f);
    std::vector<float> noise(20 * kAnalysisRateHz);
    for (float& x : noise) x = gauss(rng);
    const KeyEstimate k = Estimate(noise);
    EXPECT_LT(k.confidence, 0.15) << Name(k);
    EXPECT_NEAR(k.tuning_hz, 440.0, 440.0 * (std::exp2(50.0 / 1200.0) - 1.0) + 1e-9);
}

TEST(KeyEstimator, IsDeterministic) {
    const std::vector<float> signal = Cadence(Key{2, Mode::kMinor}, 443.0);
    const KeyEstimate a = Estimate(signal);
    const KeyEstimate b = Estimate(signal);
    EXPECT_EQ(a.has_key, b.has_key);
    EXPECT_EQ(a.tonic_pc, b.tonic_pc);
    EXPECT_EQ(a.mode, b.mode);
    EXPECT_EQ(a.confidence, b.confidence);
    EXPECT_EQ(a.tuning_hz, b.tuning_hz);
    EXPECT_EQ(a.chroma, b.chroma);
}

TEST(KeyEstimator, EveryProfileFindsASimpleCadence) {
    for (KeyProfileType type : {KeyProfileType::kEdma, KeyProfileType::kBgate, KeyProfileType::kTemperley,
                                KeyProfileType::kKrumhansl, KeyProfileType::kShaath}) {
        KeyEstimatorOptions options;
        options.profile = type;
        EXPECT_EQ(Name(Estimate(Cadence(Key{7, Mode::kMajor}), options)), "G") << KeyProfileName(type);
        EXPECT_EQ(Name(Estimate(Cadence(Key{4, Mode::kMinor}), options)), "Em") << KeyProfileName(type);
    }
}

TEST(KeyProfiles, EachProfileRanksItsOwnKeyFirst) {
    const KeyProfile& edma = Profile(KeyProfileType::kEdma);
    for (int tonic = 0; tonic < 12; ++tonic) {
        std::array<double, 12> chroma{};
        for (int i = 0; i < 12; ++i) chroma[size_t((tonic + i) % 12)] = edma.minor[size_t(i)];
        const KeyRanking r = RankKeys(chroma, edma);
        EXPECT_EQ(r.best.key, (Key{tonic, Mode::kMinor}));
        EXPECT_NEAR(r.best.score, 1.0, 1e-12);
        EXPECT_LT(r.runner_up.score, 1.0);
        EXPECT_EQ(r.best_minor.key, r.best.key);
    }
    // The chroma of a generated C-major track built on Cmaj9 / Dm9 / G13 / Am9: the profile alone
    // prefers G major, the key-signature term (F 0.48 against F# 0.24) restores C major.
    const std::array<double, 12> jazz = {0.99, 0.27, 0.96, 0.27, 0.78, 0.48,
                                         0.24, 1.00, 0.25, 0.58, 0.30, 0.59};
    EXPECT_EQ(RankKeys(jazz, edma, 0.0).best.key, (Key{7, Mode::kMajor}));
    EXPECT_EQ(RankKeys(jazz, edma, 1.0).best.key, (Key{0, Mode::kMajor}));
    const KeyRanking flat = RankKeys(std::array<double, 12>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, edma);
    EXPECT_EQ(flat.best.score, 0.0);
}

// ---- Real recordings (Essentia's test audio) ----------------------------------------------------

KeyEstimate EstimateRecording(const std::string& relative) {
    return Estimate(testing_support::LoadForAnalysis(testing_support::EssentiaAudio("recorded/" + relative)));
}

TEST(KeyEstimatorRecorded, TenorSaxScaleNamedEMajorIsReallyEFlatMajor) {
    // expected.json: the concert pitches are an E-flat major scale (Essentia agrees).
    const KeyEstimate k = EstimateRecording("359500__mtg__sax-tenor-e-major.wav");
    EXPECT_EQ(Name(k), "Eb");
    EXPECT_GT(k.confidence, 0.5);
}

TEST(KeyEstimatorRecorded, TenorSaxDHarmonicMinorScale) {
    const KeyEstimate k = EstimateRecording("359628__mtg__sax-tenor-d-minor.wav");
    EXPECT_EQ(Name(k), "Dm");
    EXPECT_GT(k.confidence, 0.5);
}

}  // namespace
}  // namespace amapiano::analysis
