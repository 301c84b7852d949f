#include "analysis/log_drum.h"

#include <algorithm>
#include <cmath>

namespace amapiano::analysis {
namespace {

constexpr double kMinFlux = 1.0;           // low-register flux of a hit, at least
constexpr double kFluxShareOfPeaks = 0.3;  // ... and this share of the track's strongest hits
constexpr double kFluxLeadS = 0.02;        // the flux peaks this much before the attack
constexpr double kBelowLoudestDb = 30.0;   // ... and reaches within this of the loudest low frames
constexpr double kMinGapS = 0.07;          // two hits closer than this are one
constexpr double kOnBeatPhase = 0.1;       // within +-0.1 beat (0.4 of a 16th) counts as on the beat
constexpr double kMinSustainS = 0.1;
constexpr double kHitWindowS = 0.25;    // a hit is judged over this, or until the next hit
constexpr double kDecayWindowS = 0.12;  // its decay rate over this much after the peak
constexpr float kMinTonality = 0.45f;
constexpr double kPresentCoverage = 0.25;  // it plays in at least a quarter of the bars
constexpr int kMinHits = 8;
constexpr int kMinBars = 4;               // evidence from at least this many bars
constexpr double kMaxPitchHz = 175.0;     // log drum fundamentals: MIDI 33-52 (55-165 Hz) and a little glide
constexpr double kMinSyncopation = 0.2;   // share of hits on 16th positions, not the 8th "and"
constexpr double kMinPitchRangeSt = 2.0;  // or a line that moves (10th-90th percentile, semitones)

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
    std::vector<float> low(static_cast<size_t>(n)), flux(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        low[size_t(i)] = frames[size_t(i)].low_db;
        flux[size_t(i)] = frames[size_t(i)].low_flux;
    }
    const double loudest = Percentile(low, 0.98);
    if (loudest < -90.0) return hits;
    // Hits are peaks of the low-register flux: new energy in the 35-220 Hz bins, which a new note
    // brings even when it overlaps the previous one and the total level hardly rises.
    const double threshold = std::max(kMinFlux, kFluxShareOfPeaks * Percentile(flux, 0.98));

    const int min_gap = Frames(kMinGapS);
    int last_hit = -min_gap;
    for (int i = 2; i + 2 < n; ++i) {
        const float f = flux[size_t(i)];
        if (f < threshold || i - last_hit < min_gap) continue;
        if (f < flux[size_t(i - 1)] || f < flux[size_t(i - 2)] || f <= flux[size_t(i + 1)] ||
            f <= flux[size_t(i + 2)]) {
            continue;
        }
        // The hit's level: the peak of the next few frames (the attack straddles frames).
        int peak = i;
        for (int j = i; j < std::min(n, i + 5); ++j) {
            if (low[size_t(j)] > low[size_t(peak)]) peak = j;
        }
        if (low[size_t(peak)] < loudest - kBelowLoudestDb) continue;
        last_hit = i;

        LowHit hit;
        // A frame sees an attack half a window before its centre reaches it: the flux peaks ~2
        // frames early.
        hit.time_s = FrameTimeSeconds(i) + kFluxLeadS;
        const double phase = BeatPhase(beats_s, hit.time_s);
        if (phase < 0.0) continue;
        hit.beat_phase = phase;
        hit.off_beat = phase > kOnBeatPhase && phase < 1.0 - kOnBeatPhase;

        // Until the next hit (or 250 ms): how long it lasts and whether it dies away.
        int next = i + 1;
        while (next < n && next < peak + Frames(kHitWindowS) &&
               !(flux[size_t(next)] >= threshold && next - i >= min_gap)) {
            ++next;
        }
        const float level = low[size_t(peak)];
        int end = peak;
        while (end + 1 < next && low[size_t(end + 1)] > level - 12.0f) ++end;
        hit.sustain_s = double(end - i + 1) / kFrameRateHz;
        // Decay: least-squares slope of the level (dB) from the peak until the next hit, over at most
        // kDecayWindowS.
        const int decay_end = std::min(next - 1, peak + Frames(kDecayWindowS));
        if (decay_end - peak >= 3) {
            double st = 0.0, sl = 0.0, stt = 0.0, stl = 0.0;
            const int count = decay_end - peak + 1;
            for (int j = peak; j <= decay_end; ++j) {
                const double t = double(j - peak) / kFrameRateHz, l = low[size_t(j)];
                st += t;
                sl += l;
                stt += t * t;
                stl += t * l;
            }
            const double denom = count * stt - st * st;
            if (denom > 0.0) hit.decay_db_per_s = -(count * stl - st * sl) / denom;
        }

        std::vector<float> pitches;
        float tonality = 0.0f;
        const int tone_begin = std::min(peak + 1, n - 1);
        const int tone_end = std::max(tone_begin, std::min(next - 1, peak + Frames(0.1)));
        for (int j = tone_begin; j <= tone_end; ++j) {
            tonality += frames[size_t(j)].low_tonality;
            if (frames[size_t(j)].low_peak_hz > 0.0f) pitches.push_back(frames[size_t(j)].low_peak_hz);
        }
        tonality /= float(tone_end - tone_begin + 1);
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
    std::vector<float> pitches, decays;
    int off_beat_hits = 0, syncopated = 0;
    for (const LowHit& hit : hits) {
        if (!hit.off_beat) continue;
        ++off_beat_hits;
        if (!hit.tonal || hit.sustain_s < kMinSustainS || hit.pitch_hz > kMaxPitchHz) continue;
        const auto beat = std::upper_bound(beats_s.begin(), beats_s.end(), hit.time_s) - beats_s.begin() - 1;
        per_bar[std::min(size_t(bars - 1), size_t(beat / 4))]++;
        pitches.push_back(float(hit.pitch_hz));
        if (hit.decay_db_per_s > 0.0) decays.push_back(float(hit.decay_db_per_s));
        if (std::abs(hit.beat_phase - 0.5) > kOnBeatPhase) ++syncopated;
        ++result.hits;
    }
    const int bars_with = int(std::count_if(per_bar.begin(), per_bar.end(), [](int c) { return c > 0; }));
    result.bar_coverage = double(bars_with) / bars;
    result.hits_per_bar = bars_with > 0 ? double(result.hits) / bars_with : 0.0;
    if (!pitches.empty()) {
        result.median_pitch_hz = Percentile(pitches, 0.5);
        result.pitch_range_st = 12.0 * std::log2(Percentile(pitches, 0.9) / Percentile(pitches, 0.1));
        result.syncopation = double(syncopated) / double(result.hits);
    }
    if (!decays.empty()) {
        // A level falling by r dB per second is exp(-t / tau) with tau = 20 log10(e) / r.
        result.decay_s = 8.685889638 / std::max(1.0, Percentile(decays, 0.5));
    }
    // Confidence: how much of the track it covers (saturating at half the bars) times how many of
    // the off-beat low hits have the log drum's sound, times how much it behaves like a log-drum
    // line rather than an off-beat techno bass (one note on every "and").
    const double sound_share = off_beat_hits > 0 ? double(result.hits) / off_beat_hits : 0.0;
    const double line = std::clamp(
        std::max(result.syncopation / kMinSyncopation, result.pitch_range_st / kMinPitchRangeSt), 0.0, 1.0);
    result.confidence = std::min(1.0, result.bar_coverage / (2.0 * kPresentCoverage)) * sound_share * line;
    result.present = result.hits >= kMinHits && bars_with >= kMinBars &&
                     result.bar_coverage >= kPresentCoverage && sound_share >= 0.4 && line >= 1.0;
    return result;
}

}  // namespace amapiano::analysis
