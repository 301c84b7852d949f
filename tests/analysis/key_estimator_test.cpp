#include "analysis/key_estimator.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "analysis/key_profiles.h"
#include "analysis/spectral_frames.h"
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

// Adds a tone of six partials (amplitude 1/h) with a short attack and an exponential decay.
void AddTone(std::vector<float>& out, size_t start, size_t length, double hz, double amplitude) {
    constexpr int kHarmonics = 6;
    const double attack = 0.01 * kAnalysisRateHz;
    for (int h = 1; h <= kHarmonics; ++h) {
        const double f = hz * h;
        if (f > kAnalysisRateHz / 2.0 - 500.0) break;
        const double step = 2.0 * std::numbers::pi * f / kAnalysisRateHz;
        const double a = amplitude / h;
        for (size_t i = 0; i < length && start + i < out.size(); ++i) {
            const double env = std::min(1.0, double(i) / attack) * std::exp(-1.5 * double(i) / kAnalysisRateHz);
            out[start + i] += float(a * env * std::sin(step * double(i)));
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
            EXPECT_GT(k.confidence, 0.5) << theory::KeyName(key);
            correct += Name(k) == theory::KeyName(key);
        }
    }
    EXPECT_EQ(correct, 24);
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
        EXPECT_NEAR(r.best.correlation, 1.0, 1e-12);
        EXPECT_LT(r.runner_up.correlation, 1.0);
        EXPECT_EQ(r.best_minor.key, r.best.key);
    }
    const KeyRanking flat = RankKeys(std::array<double, 12>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, edma);
    EXPECT_EQ(flat.best.correlation, 0.0);
}

// ---- Real recordings (Essentia's test audio) ----------------------------------------------------

std::filesystem::path SharedData() {
    if (const char* env = std::getenv("AMAPIANO_SHARED_DATA"); env != nullptr && *env != '\0') return env;
    return std::filesystem::path(__FILE__).parent_path() / "../../../shared/data";
}

// Test-only resampling to kAnalysisRateHz: windowed-sinc interpolation (Blackman window, 64 taps at
// the input rate, cut-off at 90 % of the output Nyquist). Slow and simple; the product resamples
// with its own resampler before analysis.
std::vector<float> ResampleForAnalysis(const std::vector<float>& in, int in_rate) {
    const double ratio = double(in_rate) / kAnalysisRateHz;  // input samples per output sample
    const double cutoff = 0.9 * 0.5 / std::max(1.0, ratio);  // cycles per input sample
    constexpr int kHalf = 32;
    std::vector<float> out(size_t(double(in.size()) / ratio));
    for (size_t n = 0; n < out.size(); ++n) {
        const double x = double(n) * ratio;
        const long centre = long(std::floor(x));
        double acc = 0.0;
        for (long k = centre - kHalf + 1; k <= centre + kHalf; ++k) {
            if (k < 0 || k >= long(in.size())) continue;
            const double d = x - double(k);
            const double arg = 2.0 * cutoff * d;
            const double sinc = arg == 0.0 ? 1.0 : std::sin(std::numbers::pi * arg) / (std::numbers::pi * arg);
            const double w = 0.42 + 0.5 * std::cos(std::numbers::pi * d / kHalf) +
                             0.08 * std::cos(2.0 * std::numbers::pi * d / kHalf);
            acc += in[size_t(k)] * 2.0 * cutoff * sinc * w;
        }
        out[n] = float(acc);
    }
    return out;
}

// Reads a sound file with libsndfile, downmixes to mono and resamples to kAnalysisRateHz.
std::vector<float> LoadForAnalysis(const std::filesystem::path& path) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (file == nullptr) {
        ADD_FAILURE() << "cannot open " << path << ": " << sf_strerror(nullptr);
        return {};
    }
    std::vector<float> interleaved(size_t(info.frames) * size_t(info.channels));
    const sf_count_t frames_read = sf_readf_float(file, interleaved.data(), info.frames);
    sf_close(file);
    std::vector<float> mono(static_cast<size_t>(frames_read));
    for (size_t i = 0; i < mono.size(); ++i) {
        double sum = 0.0;
        for (int c = 0; c < info.channels; ++c) sum += interleaved[i * size_t(info.channels) + size_t(c)];
        mono[i] = float(sum / info.channels);
    }
    return ResampleForAnalysis(mono, info.samplerate);
}

KeyEstimate EstimateRecording(const std::string& relative) {
    const std::filesystem::path path = SharedData() / "essentia-audio/recorded" / relative;
    if (!std::filesystem::exists(path)) {
        ADD_FAILURE() << "missing shared test data " << path
                      << " (set AMAPIANO_SHARED_DATA to the shared data directory, default ../shared/data)";
        return {};
    }
    return Estimate(LoadForAnalysis(path));
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
