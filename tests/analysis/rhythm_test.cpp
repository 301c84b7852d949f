#include "analysis/rhythm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "analysis/beat_tracker.h"
#include "analysis/onset_strength.h"
#include "analysis/tempo.h"

namespace amapiano::analysis {
namespace {

constexpr double kRate = kAnalysisRateHz;

// Deterministic white noise in [-1, 1].
class Noise final {
public:
    explicit Noise(uint32_t seed) : state_(seed) {}
    float Next() {
        state_ = state_ * 1664525u + 1013904223u;
        return float(int32_t(state_)) / 2147483648.0f;
    }

private:
    uint32_t state_;
};

struct Track final {
    std::vector<float> audio;
    explicit Track(double seconds) : audio(size_t(seconds * kRate), 0.0f) {}
    double seconds() const { return double(audio.size()) / kRate; }

    // A sine whose pitch falls from `from_hz` to `to_hz` in `glide_s`, decaying exponentially:
    // a kick (fast, deep drop) or a log drum (small knock, long decay).
    void Tone(double at_s, double from_hz, double to_hz, double glide_s, double decay_s, double amplitude) {
        const size_t start = size_t(at_s * kRate);
        const size_t end = std::min(audio.size(), start + size_t(6.0 * decay_s * kRate));
        double phase = 0.0;
        for (size_t i = start; i < end; ++i) {
            const double t = double(i - start) / kRate;
            const double f = to_hz + (from_hz - to_hz) * std::exp(-t / glide_s);
            phase += 2.0 * std::numbers::pi * f / kRate;
            const double attack = std::min(1.0, t / 0.002);
            audio[i] += float(amplitude * attack * std::exp(-t / decay_s) * std::sin(phase));
        }
    }
    void Kick(double at_s, double amplitude = 0.8) { Tone(at_s, 160.0, 50.0, 0.02, 0.12, amplitude); }
    void LogDrum(double at_s, double hz, double amplitude = 0.5) {
        Tone(at_s, 2.0 * hz, hz, 0.015, 0.3, amplitude);
    }

    // High-passed noise with an exponential decay: hats (short), shakers (softer attack), crashes (long).
    void Burst(double at_s, double attack_s, double decay_s, double amplitude, uint32_t seed) {
        Noise noise(seed);
        const size_t start = size_t(at_s * kRate);
        const size_t end = std::min(audio.size(), start + size_t((attack_s + 6.0 * decay_s) * kRate));
        float previous = 0.0f;
        for (size_t i = start; i < end; ++i) {
            const double t = double(i - start) / kRate;
            const float white = noise.Next();
            const float high = white - previous;  // first difference: mostly above 5 kHz
            previous = white;
            const double env = t < attack_s ? t / attack_s : std::exp(-(t - attack_s) / decay_s);
            audio[i] += float(amplitude * env * high);
        }
    }
    void Hat(double at_s, double amplitude = 0.25) {
        Burst(at_s, 0.001, 0.025, amplitude, uint32_t(at_s * 1000) + 7);
    }
    void Shaker(double at_s, double amplitude = 0.2) {
        Burst(at_s, 0.004, 0.035, amplitude, uint32_t(at_s * 977) + 3);
    }
    void Crash(double at_s, double amplitude = 0.3) {
        Burst(at_s, 0.001, 0.6, amplitude, uint32_t(at_s * 911) + 5);
    }

    // A held chord (sines at the given MIDI notes) from `at_s` for `length_s`, with soft edges.
    void Chord(double at_s, double length_s, std::initializer_list<int> notes, double amplitude = 0.06) {
        const size_t start = size_t(at_s * kRate);
        const size_t end = std::min(audio.size(), start + size_t(length_s * kRate));
        for (int note : notes) {
            const double hz = 440.0 * std::pow(2.0, (note - 69) / 12.0);
            for (size_t i = start; i < end; ++i) {
                const double t = double(i - start) / kRate, left = double(end - i) / kRate;
                const double env = std::min({1.0, t / 0.01, left / 0.01});
                audio[i] += float(amplitude * env * std::sin(2.0 * std::numbers::pi * hz * t));
            }
        }
    }
};

RhythmResult Analyse(const std::vector<float>& audio) {
    RhythmAnalyzer rhythm;
    SpectralFrames stft([&](const SpectrumView& s) { rhythm.AddFrame(s); });
    for (size_t at = 0; at < audio.size(); at += 4096) {
        stft.Push(std::span(audio).subspan(at, std::min<size_t>(4096, audio.size() - at)));
    }
    stft.Finish();
    return rhythm.Finish();
}

// Median distance (s) from each detected beat after `lead_in_s` to the nearest true beat.
double MedianBeatError(const std::vector<double>& beats, double bpm, double lead_in_s,
                       double first_beat_s = 0.0) {
    const double period = 60.0 / bpm;
    std::vector<double> errors;
    for (double b : beats) {
        if (b < lead_in_s) continue;
        const double k = std::round((b - first_beat_s) / period);
        errors.push_back(std::abs(b - first_beat_s - k * period));
    }
    if (errors.empty()) return 1e9;
    std::nth_element(errors.begin(), errors.begin() + errors.size() / 2, errors.end());
    return errors[errors.size() / 2];
}

// Four-on-the-floor kick with a click on every beat.
Track KickTrack(double bpm, double seconds) {
    Track track(seconds);
    for (double t = 0.0; t < seconds - 0.2; t += 60.0 / bpm) {
        track.Kick(t);
        track.Hat(t, 0.15);
    }
    return track;
}

// An amapiano-like groove: kick on the quarters, a shaker on every 16th (accents on the "e" and "a",
// the off-16ths late by `swing_percent`), log-drum hits between the beats, a clap on 2 and 4.
Track Groove(double bpm, double swing_percent, double seconds) {
    Track track(seconds);
    const double beat = 60.0 / bpm, eighth = beat / 2.0;
    const int beats = int((seconds - 0.5) / beat);
    // Log-drum steps (16ths in the bar) and pitches: off the beats, answering the kick.
    const int log_steps[] = {3, 6, 10, 13};
    const double log_hz[] = {55.0, 65.4, 49.0, 73.4};
    for (int b = 0; b < beats; ++b) {
        const double t = b * beat;
        track.Kick(t);
        if (b % 2 == 1) track.Burst(t, 0.002, 0.08, 0.15, uint32_t(b) + 11);  // clap
        for (int e = 0; e < 2; ++e) {
            const double start = t + e * eighth;
            track.Shaker(start, 0.12);
            track.Shaker(start + eighth * swing_percent / 100.0, 0.2);
        }
        if (b % 4 == 0) {
            for (int i = 0; i < 4; ++i) {
                const int step = log_steps[i];
                const double at = t + (step / 2) * eighth + (step % 2) * eighth * swing_percent / 100.0;
                track.LogDrum(at, log_hz[i]);
            }
        }
    }
    return track;
}

TEST(Rhythm, KickTracksTempoAndBeats) {
    for (double bpm : {100.0, 108.0, 112.5, 118.0, 124.0, 128.0}) {
        const Track track = KickTrack(bpm, 40.0);
        const RhythmResult r = Analyse(track.audio);
        ASSERT_TRUE(r.has_tempo) << bpm;
        EXPECT_NEAR(r.bpm, bpm, 0.005 * bpm) << bpm;
        EXPECT_GT(r.bpm_confidence, 0.7) << bpm;
        EXPECT_LT(MedianBeatError(r.beats_s, bpm, 2.0), 0.015) << bpm;
        EXPECT_GT(double(r.beats_s.size()), 0.9 * 40.0 * bpm / 60.0) << bpm;
    }
}

TEST(Rhythm, KickTrackTempoIsFinerThanAFrame) {
    // 124 BPM is 41.7 frames per beat: one frame of lag would be 2.4 %.
    const RhythmResult r = Analyse(KickTrack(124.0, 60.0).audio);
    ASSERT_TRUE(r.has_tempo);
    EXPECT_NEAR(r.bpm, 124.0, 0.1);
}

TEST(Rhythm, AmapianoGrooveTempoAndSwing) {
    const Track swung = Groove(112.0, 58.0, 45.0);
    const RhythmResult r = Analyse(swung.audio);
    ASSERT_TRUE(r.has_tempo);
    EXPECT_NEAR(r.bpm, 112.0, 0.005 * 112.0);
    EXPECT_LT(MedianBeatError(r.beats_s, 112.0, 2.0), 0.015);
    EXPECT_NEAR(r.swing_ratio, 58.0 / 42.0, 0.1);
    EXPECT_GT(r.swing_confidence, 0.5);

    const RhythmResult straight = Analyse(Groove(112.0, 50.0, 45.0).audio);
    ASSERT_TRUE(straight.has_tempo);
    EXPECT_NEAR(straight.bpm, 112.0, 0.005 * 112.0);
    EXPECT_NEAR(straight.swing_ratio, 1.0, 0.1);
}

TEST(Rhythm, SwingAcrossTheGeneratorsRange) {
    for (double percent : {54.0, 62.0, 66.0}) {
        const RhythmResult r = Analyse(Groove(116.0, percent, 40.0).audio);
        ASSERT_TRUE(r.has_tempo) << percent;
        EXPECT_NEAR(r.swing_ratio, percent / (100.0 - percent), 0.1) << percent;
    }
}

TEST(Rhythm, EighthHatsDoNotDoubleTheTempo) {
    // Kick on 1 and 3, clap on 2 and 4, closed hats on every 8th at 120 BPM.
    const double bpm = 120.0, beat = 60.0 / bpm;
    Track track(40.0);
    for (int b = 0; b * beat < 39.5; ++b) {
        if (b % 2 == 0) track.Kick(b * beat);
        if (b % 2 == 1) track.Burst(b * beat, 0.002, 0.08, 0.2, uint32_t(b));
        track.Hat(b * beat);
        track.Hat(b * beat + beat / 2.0);
    }
    const RhythmResult r = Analyse(track.audio);
    ASSERT_TRUE(r.has_tempo);
    EXPECT_NEAR(r.bpm, 120.0, 0.6);
}

TEST(Rhythm, SparseSlowKickWithEighthHatsReadsAsDanceTempo) {
    // A kick every beat at 62 BPM with hats on its 8ths: heard (and counted by Essentia) as 124.
    const double beat = 60.0 / 62.0;
    Track track(40.0);
    for (int b = 0; b * beat < 39.5; ++b) {
        track.Kick(b * beat);
        track.Hat(b * beat);
        track.Hat(b * beat + beat / 2.0);
    }
    const RhythmResult r = Analyse(track.audio);
    ASSERT_TRUE(r.has_tempo);
    EXPECT_NEAR(r.bpm, 124.0, 0.62);
}

TEST(Rhythm, DownbeatsFollowTheAccentAndTheChordChange) {
    const double bpm = 118.0, beat = 60.0 / bpm, bar = 4.0 * beat;
    // Bars start 0.3 s in, so the bar phase is not the track's first frame.
    const double first = 0.3;
    Track track(45.0);
    const std::initializer_list<int> chords[] = {{57, 60, 64}, {53, 57, 60}, {48, 52, 55}, {55, 59, 62}};
    int bars = 0;
    for (double start = first; start + bar < 44.5; start += bar, ++bars) {
        track.Chord(start, bar, chords[bars % 4]);
        track.Crash(start, 0.15);
        for (int b = 0; b < 4; ++b) {
            track.Kick(start + b * beat, b == 0 ? 0.9 : 0.5);
            track.Hat(start + b * beat + beat / 2.0);
        }
    }
    const RhythmResult r = Analyse(track.audio);
    ASSERT_TRUE(r.has_tempo);
    EXPECT_NEAR(r.bpm, bpm, 0.005 * bpm);
    ASSERT_GE(r.downbeats_s.size(), size_t(bars - 2));
    int on_bar = 0;
    for (double d : r.downbeats_s) {
        const double k = std::round((d - first) / bar);
        if (std::abs(d - first - k * bar) < 0.03) ++on_bar;
    }
    EXPECT_GE(on_bar, int(r.downbeats_s.size()) - 1);
}

TEST(Rhythm, SilenceHasNoTempoAndNoOnsets) {
    const RhythmResult r = Analyse(std::vector<float>(size_t(10 * kRate), 0.0f));
    EXPECT_FALSE(r.has_tempo);
    EXPECT_EQ(r.bpm, 0.0);
    EXPECT_TRUE(r.beats_s.empty());
    EXPECT_TRUE(r.downbeats_s.empty());
    EXPECT_TRUE(r.onset_times_s.empty());
    EXPECT_EQ(r.onset_rate_hz, 0.0);
    EXPECT_EQ(r.swing_ratio, 1.0);
    EXPECT_EQ(r.swing_confidence, 0.0);
}

TEST(Rhythm, WhiteNoiseHasLowConfidence) {
    Noise noise(42);
    std::vector<float> audio(size_t(20 * kRate));
    for (float& s : audio) s = 0.3f * noise.Next();
    const RhythmResult r = Analyse(audio);
    EXPECT_LT(r.bpm_confidence, 0.3);
    EXPECT_LT(r.swing_confidence, 0.5);
    if (!r.has_tempo) {
        EXPECT_TRUE(r.beats_s.empty());
        EXPECT_EQ(r.bpm, 0.0);
    }
}

TEST(Rhythm, TooShortForATempo) {
    Track track(0.5);
    for (double t : {0.05, 0.2, 0.35}) track.Kick(t);
    const RhythmResult r = Analyse(track.audio);
    EXPECT_FALSE(r.has_tempo);
    EXPECT_EQ(r.bpm, 0.0);
    EXPECT_TRUE(r.beats_s.empty());
    EXPECT_EQ(r.onset_times_s.size(), size_t(3));  // the onsets are still there
}

TEST(Rhythm, EmptyInput) {
    RhythmAnalyzer rhythm;
    const RhythmResult r = rhythm.Finish();
    EXPECT_FALSE(r.has_tempo);
    EXPECT_TRUE(r.onset_times_s.empty());
}

TEST(Rhythm, OnsetsOfAClickTrack) {
    // Hats every 250 ms, alternating loud and soft, after 1 s of silence.
    Track track(11.0);
    std::vector<double> truth;
    for (double t = 1.0; t < 10.5; t += 0.25) {
        track.Hat(t, truth.size() % 2 == 0 ? 0.3 : 0.08);
        truth.push_back(t);
    }
    const RhythmResult r = Analyse(track.audio);
    ASSERT_EQ(r.onset_times_s.size(), truth.size());
    for (size_t i = 0; i < truth.size(); ++i) EXPECT_NEAR(r.onset_times_s[i], truth[i], 0.012) << i;
    EXPECT_NEAR(r.onset_rate_hz, double(truth.size()) / track.seconds(), 0.05);
}

TEST(Rhythm, OnsetsKeepTheMinimumGap) {
    Track track(6.0);
    for (double t = 0.5; t < 5.5; t += 0.5) {
        track.Hat(t);
        track.Hat(t + 0.012);  // a flam: one onset
    }
    const RhythmResult r = Analyse(track.audio);
    for (size_t i = 1; i < r.onset_times_s.size(); ++i) {
        EXPECT_GE(r.onset_times_s[i] - r.onset_times_s[i - 1], 0.03);
    }
    EXPECT_EQ(r.onset_times_s.size(), size_t(10));
}

TEST(Rhythm, Deterministic) {
    const Track track = Groove(113.0, 56.0, 20.0);
    const RhythmResult a = Analyse(track.audio), b = Analyse(track.audio);
    EXPECT_EQ(a.bpm, b.bpm);
    EXPECT_EQ(a.bpm_confidence, b.bpm_confidence);
    EXPECT_EQ(a.beats_s, b.beats_s);
    EXPECT_EQ(a.downbeats_s, b.downbeats_s);
    EXPECT_EQ(a.onset_times_s, b.onset_times_s);
    EXPECT_EQ(a.swing_ratio, b.swing_ratio);
    EXPECT_EQ(a.swing_confidence, b.swing_confidence);
}

TEST(Rhythm, MemoryPerFrameIsBounded) {
    static_assert(sizeof(OnsetFrame) <= 20 * sizeof(float));
    RhythmAnalyzer rhythm;
    SpectralFrames stft([&](const SpectrumView& s) { rhythm.AddFrame(s); });
    const std::vector<float> audio = KickTrack(120.0, 5.0).audio;
    stft.Push(audio);
    stft.Finish();
    EXPECT_EQ(int64_t(rhythm.onset_strength().frames().size()), stft.frames_emitted());
}

TEST(Tempo, RefinePeriodSurvivesSkippedBeatsAndOutliers) {
    std::vector<double> beats;
    const double period = 43.3;
    for (int i = 0; i < 100; ++i) {
        if (i == 40 || i == 41) continue;  // two skipped beats
        beats.push_back(10.0 + i * period + (i % 3 == 0 ? 0.4 : -0.2));
    }
    beats[70] += 12.0;  // one beat badly off
    EXPECT_NEAR(RefinePeriodFromBeats(beats, 42.9), period, 0.01);
    EXPECT_EQ(RefinePeriodFromBeats(std::vector<double>{1.0, 2.0}, 42.9), 42.9);
}

TEST(Tempo, FlatEnvelopeHasNoTempo) {
    EXPECT_FALSE(EstimateTempo(std::vector<float>(2000, 1.0f)).found);
    EXPECT_FALSE(EstimateTempo(std::vector<float>(50, 0.0f)).found);
}

TEST(BeatTracker, FollowsAnImpulseTrain) {
    std::vector<float> envelope(3000, 0.0f);
    for (int i = 100; i < 2900; i += 40) envelope[size_t(i)] = 1.0f;
    const std::vector<double> beats = TrackBeats(envelope, 40.2);
    ASSERT_GT(beats.size(), size_t(65));
    for (double b : beats) EXPECT_NEAR(std::remainder(b - 100.0 - kOnsetLatencyFrames, 40.0), 0.0, 0.6);
}

}  // namespace
}  // namespace amapiano::analysis
