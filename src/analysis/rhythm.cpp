#include "analysis/rhythm.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "analysis/beat_tracker.h"
#include "analysis/tempo.h"

namespace amapiano::analysis {
namespace {

// The beat tracker's tightness. Far above Ellis's 100: the tempo is known to a fraction of a percent,
// and a stiff grid keeps the beat phase of drum-less intros and breakdowns (where off-beat hats are
// the loudest thing) consistent with the kick-driven body of the track, while tempo drifts of a few
// percent over several beats still cost little.
constexpr double kBeatTightness = 5000.0;
// Weight of the low-band (kick) envelope added to the all-band one for beat tracking: in dance music
// the kick marks the beat, while hats and shakers, spread over many bands, would otherwise pull the
// tracker onto the off-beats.
constexpr float kBeatLowWeight = 0.5f;
// Tempo confidence from the comb periodicity p of the onset envelope: 1 - exp(-(p - 0.04) / 0.12),
// times a gate on how far the tracked beats stand above the envelope's mean. Measured p: white noise
// 0.02, randomly timed notes 0.04, flamenco (rubato) 0.06, a steadily played sax scale 0.2-0.4,
// generated amapiano 0.45-0.55, dubstep 0.52, a techno loop 0.85.
constexpr double kNoPeriodicity = 0.04;
constexpr double kPeriodicityScale = 0.12;
// Below this tempo confidence the pulse is not trusted: has_tempo is false.
constexpr double kMinTempoConfidence = 0.1;
// A shaker or hat hit in a 16th slot rises this far (in units of the high envelope's track mean)
// above the slot's floor.
constexpr double kSixteenthRise = 0.5;

struct Weighted final {
    double value = 0.0;
    double weight = 0.0;
};

// Weighted quantile (0..1) of `items` (sorted in place by value).
double WeightedQuantile(std::vector<Weighted>& items, double q) {
    std::sort(items.begin(), items.end(),
              [](const Weighted& a, const Weighted& b) { return a.value < b.value; });
    double total = 0.0;
    for (const Weighted& w : items) total += w.weight;
    double running = 0.0;
    for (const Weighted& w : items) {
        running += w.weight;
        if (running >= q * total) return w.value;
    }
    return items.empty() ? 0.0 : items.back().value;
}

// The sub-frame peak of `x` inside frames [lo, hi] if it is a local maximum: {position, value}.
std::pair<double, double> PeakInWindow(std::span<const float> x, double lo, double hi) {
    const int n = int(x.size());
    const int a = std::max(1, int(std::ceil(lo))), b = std::min(n - 2, int(std::floor(hi)));
    if (a > b) return {-1.0, 0.0};
    int best = a;
    for (int i = a; i <= b; ++i) {
        if (x[i] > x[best]) best = i;
    }
    const double l = x[best - 1], m = x[best], r = x[best + 1];
    if (l >= m || r > m) return {-1.0, 0.0};
    const double denom = l - 2.0 * m + r;
    const double offset = denom < 0.0 ? std::clamp(0.5 * (l - r) / denom, -0.5, 0.5) : 0.0;
    return {best + offset, m - 0.25 * (l - r) * offset};
}

double MeanIn(std::span<const float> x, double lo, double hi) {
    const int a = std::max(0, int(std::lround(lo))), b = std::min(int(x.size()), int(std::lround(hi)));
    if (a >= b) return 0.0;
    double sum = 0.0;
    for (int i = a; i < b; ++i) sum += x[i];
    return sum / (b - a);
}

struct Gaps final {
    std::vector<double> gaps;  // between consecutive beats
    double median = 0.0;
};

// The gaps between consecutive beats and their median (at least two beats).
Gaps BeatGaps(std::span<const double> beat_frames) {
    Gaps out;
    for (size_t i = 1; i < beat_frames.size(); ++i) out.gaps.push_back(beat_frames[i] - beat_frames[i - 1]);
    std::vector<double> sorted = out.gaps;
    std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
    out.median = sorted[sorted.size() / 2];
    return out;
}

// How clearly the beats sit on onsets: mean envelope peak at the beats over the envelope's mean.
double BeatContrast(std::span<const float> envelope, std::span<const double> beats) {
    if (beats.empty()) return 0.0;
    double mean = 0.0;
    for (float v : envelope) mean += v;
    mean /= double(envelope.size());
    if (mean <= 0.0) return 0.0;
    double at_beats = 0.0;
    for (double b : beats) {
        const int c = int(std::lround(b));
        float best = 0.0f;
        for (int i = std::max(0, c - 1); i <= std::min(int(envelope.size()) - 1, c + 1); ++i) {
            best = std::max(best, envelope[i]);
        }
        at_beats += best;
    }
    return at_beats / double(beats.size()) / mean;
}

}  // namespace

SwingEstimate MeasureSwing(std::span<const float> envelope, std::span<const double> beat_frames) {
    SwingEstimate estimate;
    if (beat_frames.size() < 4 || envelope.empty()) return estimate;
    const auto [gaps, median_gap] = BeatGaps(beat_frames);

    double track_mean = 0.0;
    for (float v : envelope) track_mean += v;
    track_mean /= double(envelope.size());

    std::vector<Weighted> on, off;
    int eighths = 0;
    for (size_t i = 0; i + 1 < beat_frames.size(); ++i) {
        if (std::abs(gaps[i] / median_gap - 1.0) > 0.15) continue;
        const double eighth = gaps[i] / 2.0;
        for (int j = 0; j < 2; ++j) {
            const double start = beat_frames[i] + j * eighth;
            ++eighths;
            const double mean = MeanIn(envelope, start - 0.25 * eighth, start + 0.75 * eighth);
            const auto [on_at, on_value] =
                PeakInWindow(envelope, start - 0.15 * eighth, start + 0.15 * eighth);
            const auto [off_at, off_value] =
                PeakInWindow(envelope, start + 0.35 * eighth, start + 0.85 * eighth);
            if (on_at >= 0.0 && on_value > mean) on.push_back({(on_at - start) / eighth, on_value - mean});
            // An off-16th counts when it stands out of its 8th and of the track's general level.
            if (off_at >= 0.0 && off_value > mean && off_value > 0.5 * track_mean) {
                off.push_back({(off_at - start) / eighth, off_value - mean});
            }
        }
    }
    if (eighths == 0 || off.size() < 8) return estimate;
    const double on_phase = on.size() >= 8 ? WeightedQuantile(on, 0.5) : 0.0;
    const double off_phase = WeightedQuantile(off, 0.5);
    const double spread = WeightedQuantile(off, 0.75) - WeightedQuantile(off, 0.25);
    // The share of the 8th before the off-16th, within what the word "swing" covers (40-75 %).
    const double first = std::clamp(off_phase - on_phase, 0.4, 0.75);
    estimate.ratio = first / (1.0 - first);
    estimate.eighths = int(off.size());
    const double coverage = std::min(1.0, 2.0 * double(off.size()) / eighths);
    estimate.confidence = std::clamp(coverage * (1.0 - spread / 0.2), 0.0, 1.0);
    if (estimate.confidence <= 0.0) estimate.ratio = 1.0;
    return estimate;
}

double SixteenthCoverage(std::span<const float> high_envelope, std::span<const double> beat_frames) {
    if (beat_frames.size() < 4 || high_envelope.empty()) return 0.0;
    const auto [gaps, median_gap] = BeatGaps(beat_frames);
    int slots = 0, hits = 0;
    for (size_t i = 0; i + 1 < beat_frames.size(); ++i) {
        if (std::abs(gaps[i] / median_gap - 1.0) > 0.15) continue;
        const double sixteenth = gaps[i] / 4.0;
        for (int j = 0; j < 4; ++j) {
            const double at = beat_frames[i] + j * sixteenth;
            ++slots;
            const auto [peak_at, peak] =
                PeakInWindow(high_envelope, at - 0.3 * sixteenth, at + 0.45 * sixteenth);
            if (peak_at < 0.0) continue;
            // The envelope's floor around the slot: a hit rises well above it.
            const int a = std::max(0, int(std::floor(at - 0.5 * sixteenth)));
            const int b = std::min(int(high_envelope.size()), int(std::ceil(at + 0.5 * sixteenth)) + 1);
            float floor = peak;
            for (int k = a; k < b; ++k) floor = std::min(floor, high_envelope[size_t(k)]);
            if (peak - floor >= kSixteenthRise && peak >= kSixteenthRise) ++hits;
        }
    }
    return slots > 0 ? double(hits) / slots : 0.0;
}

RhythmResult RhythmAnalyzer::Finish() const {
    RhythmResult result;
    const OnsetEnvelopes env = onsets_.Envelopes();
    const size_t frames = env.all.size();
    const double duration_s = double(frames) * kHopFrames / kAnalysisRateHz;
    if (env.silent || frames == 0) return result;

    for (double at : PickOnsets(env.all)) result.onset_times_s.push_back(std::max(0.0, at / kFrameRateHz));
    result.onset_rate_hz = duration_s > 0.0 ? double(result.onset_times_s.size()) / duration_s : 0.0;
    if (duration_s < kMinRhythmSeconds) return result;

    const TempoEstimate tempo = EstimateTempo(env.all);
    if (!tempo.found) return result;
    std::vector<float> beat_envelope(env.all);
    for (size_t i = 0; i < frames; ++i) beat_envelope[i] += kBeatLowWeight * env.low[i];
    const std::vector<double> beats = TrackBeats(beat_envelope, tempo.period_frames, kBeatTightness);
    const double period = RefinePeriodFromBeats(beats, tempo.period_frames);

    // Confidence: a periodic envelope (comb salience) whose tracked beats land on clear onsets.
    const double contrast = BeatContrast(env.all, beats);
    const double confidence =
        (1.0 - std::exp(-std::max(0.0, tempo.periodicity - kNoPeriodicity) / kPeriodicityScale)) *
        std::clamp((contrast - 1.3) / 1.0, 0.0, 1.0);
    result.bpm_confidence = confidence;
    if (confidence < kMinTempoConfidence || beats.size() < 4) return result;

    result.has_tempo = true;
    result.bpm = BpmOfPeriod(period);
    for (double b : beats) result.beats_s.push_back(std::max(0.0, b / kFrameRateHz));
    for (size_t i : FindDownbeats(beats, env, onsets_.frames()))
        result.downbeats_s.push_back(result.beats_s[i]);

    const SwingEstimate swing = MeasureSwing(env.high, beats);
    result.swing_ratio = swing.ratio;
    result.swing_confidence = swing.confidence;
    result.sixteenth_coverage = SixteenthCoverage(env.high, beats);
    return result;
}

}  // namespace amapiano::analysis
