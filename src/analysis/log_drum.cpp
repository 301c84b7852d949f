#include "analysis/log_drum.h"

#include <algorithm>
#include <cmath>

namespace amapiano::analysis {
namespace {

constexpr double kMinRiseDb = 6.0;        // a hit raises the low register by at least this much
constexpr double kBelowLoudestDb = 30.0;  // ... and reaches within this of the loudest low frames
constexpr double kMinGapS = 0.07;         // two hits closer than this are one
constexpr double kOnBeatPhase = 0.1;      // within +-0.1 beat (0.4 of a 16th) counts as on the beat
constexpr double kMinSustainS = 0.1;
constexpr double kDecayWindowS = 0.25;  // a held note loses less than kMinDecayDb over this
constexpr double kMinDecayDb = 3.0;
constexpr float kMinTonality = 0.45f;
constexpr double kPresentCoverage = 0.25;  // it plays in at least a quarter of the bars
constexpr int kMinHits = 8;

int Frames(double seconds) { return std::max(1, int(std::lround(seconds * kFrameRateHz))); }

double Percentile(std::vector<float> values, double q) {
    if (values.empty()) return -120.0;
    const size_t at = std::min(values.size() - 1, size_t(q * double(values.size())));
    std::nth_element(values.begin(), values.begin() + long(at), values.end());
    return values[at];
}

// Where `t` falls inside its beat: 0 on the beat, 0.5 halfway to the next one.
double BeatPhase(std::span<const double> beats, double t) {
    const auto next = std::upper_bound(beats.begin(), beats.end(), t);
    if (next == beats.begin() || next == beats.end()) return -1.0;  // outside the grid
    const double start = *(next - 1);
    return (t - start) / (*next - start);
}

}  // namespace

std::vector<LowHit> FindLowHits(std::span<const FrameSummary> frames, std::span<const double> beats_s) {
    std::vector<LowHit> hits;
    const int n = int(frames.size());
    if (n < 8 || beats_s.size() < 2) return hits;
    std::vector<float> low(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) low[size_t(i)] = frames[size_t(i)].low_db;
    const double loudest = Percentile(low, 0.98);
    if (loudest < -90.0) return hits;

    // Rise of the low register over the previous three frames, peak-picked.
    std::vector<float> rise(static_cast<size_t>(n), 0.0f);
    for (int i = 3; i < n; ++i) {
        const float before = std::min({low[size_t(i - 1)], low[size_t(i - 2)], low[size_t(i - 3)]});
        rise[size_t(i)] = std::max(0.0f, low[size_t(i)] - before);
    }
    const int min_gap = Frames(kMinGapS);
    int last_hit = -min_gap;
    for (int i = 3; i + 1 < n; ++i) {
        if (rise[size_t(i)] < kMinRiseDb || rise[size_t(i)] < rise[size_t(i - 1)] ||
            rise[size_t(i)] < rise[size_t(i + 1)] || i - last_hit < min_gap) {
            continue;
        }
        // The hit's level: the peak of the next few frames (the attack may straddle frames).
        int peak = i;
        for (int j = i; j < std::min(n, i + 4); ++j) {
            if (low[size_t(j)] > low[size_t(peak)]) peak = j;
        }
        if (low[size_t(peak)] < loudest - kBelowLoudestDb) continue;
        last_hit = i;

        LowHit hit;
        hit.time_s = FrameTimeSeconds(i - 1);  // the rise is measured against earlier frames
        const double phase = BeatPhase(beats_s, hit.time_s);
        if (phase < 0.0) continue;
        hit.beat_phase = phase;
        hit.off_beat = phase > kOnBeatPhase && phase < 1.0 - kOnBeatPhase;

        // Sustain: until the register falls 12 dB below the hit or the next hit starts.
        const float level = low[size_t(peak)];
        int end = peak;
        while (end + 1 < n && low[size_t(end + 1)] > level - 12.0f && rise[size_t(end + 1)] < kMinRiseDb)
            ++end;
        hit.sustain_s = double(end - i + 1) / kFrameRateHz;
        const int decay_at = std::min(n - 1, peak + Frames(kDecayWindowS));
        hit.decaying = end < decay_at || low[size_t(decay_at)] < level - kMinDecayDb;

        std::vector<float> pitches;
        float tonality = 0.0f;
        const int tone_end = std::min(end, peak + Frames(0.1));
        for (int j = peak; j <= tone_end; ++j) {
            tonality += frames[size_t(j)].low_tonality;
            if (frames[size_t(j)].low_peak_hz > 0.0f) pitches.push_back(frames[size_t(j)].low_peak_hz);
        }
        tonality /= float(tone_end - peak + 1);
        hit.tonal = tonality >= kMinTonality && !pitches.empty();
        hit.pitch_hz = pitches.empty() ? 0.0 : Percentile(pitches, 0.5);
        hits.push_back(hit);
    }
    return hits;
}

LogDrumResult DetectLogDrum(std::span<const FrameSummary> frames, std::span<const double> beats_s) {
    LogDrumResult result;
    if (beats_s.size() < 8) return result;
    const std::vector<LowHit> hits = FindLowHits(frames, beats_s);
    const int bars = std::max(1, int(beats_s.size() - 1) / 4);
    std::vector<int> per_bar(size_t(bars), 0);
    std::vector<float> pitches;
    int off_beat_hits = 0;
    for (const LowHit& hit : hits) {
        if (!hit.off_beat) continue;
        ++off_beat_hits;
        if (!hit.tonal || !hit.decaying || hit.sustain_s < kMinSustainS) continue;
        const auto beat = std::upper_bound(beats_s.begin(), beats_s.end(), hit.time_s) - beats_s.begin() - 1;
        per_bar[std::min(size_t(bars - 1), size_t(beat / 4))]++;
        pitches.push_back(float(hit.pitch_hz));
        ++result.hits;
    }
    const int bars_with = int(std::count_if(per_bar.begin(), per_bar.end(), [](int c) { return c > 0; }));
    result.bar_coverage = double(bars_with) / bars;
    result.hits_per_bar = bars_with > 0 ? double(result.hits) / bars_with : 0.0;
    result.median_pitch_hz = pitches.empty() ? 0.0 : Percentile(pitches, 0.5);
    // Confidence: how much of the track it covers (saturating at half the bars) times how many of
    // the off-beat low hits have the log drum's sound.
    const double sound_share = off_beat_hits > 0 ? double(result.hits) / off_beat_hits : 0.0;
    result.confidence = std::min(1.0, result.bar_coverage / (2.0 * kPresentCoverage)) * sound_share;
    result.present = result.hits >= kMinHits && result.bar_coverage >= kPresentCoverage && sound_share >= 0.4;
    return result;
}

}  // namespace amapiano::analysis
