#include "analysis/beat_tracker.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace amapiano::analysis {
namespace {

// Downbeat cues. The chord change is the cosine distance between the bar of chroma after a beat and
// the bar before: chord changes measure 0.2-0.6, a drum loop's "changes" stay below 0.08, so
// distances are counted above a floor, in units of 0.1. The kick / bass accent is a z-score over the
// beats and weighs less (amapiano and bacardi kicks are often even or broken). The overall accent is
// no cue at all: claps and snares make beats 2 and 4 the loudest.
constexpr double kChordChangeFloor = 0.05;
constexpr double kChordChangeUnit = 0.1;
constexpr double kChordChangeWeight = 1.0;
constexpr double kLowAccentWeight = 0.6;
constexpr size_t kChordWindowBeats = 4;
constexpr double kPhaseJumpCost = 12.0;  // in cue units: about a dozen bars of contrary evidence
constexpr int kAccentRadius = 2;         // frames either side of a beat searched for its accent
constexpr double kTrimShare = 0.1;       // edge beats weaker than this share of the RMS beat strength go

double SubFramePeak(std::span<const float> x, int at) {
    const int n = int(x.size());
    int best = std::clamp(at, 0, n - 1);
    for (int i = std::max(0, at - 1); i <= std::min(n - 1, at + 1); ++i) {
        if (x[i] > x[best]) best = i;
    }
    if (best == 0 || best == n - 1) return best;
    const double a = x[best - 1], b = x[best], c = x[best + 1];
    const double denom = a - 2.0 * b + c;
    return best + (denom < 0.0 ? std::clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0.0);
}

// z-scores over the beats (zeros when constant).
void Standardise(std::vector<double>& v) {
    if (v.empty()) return;
    double mean = 0.0, var = 0.0;
    for (double x : v) mean += x;
    mean /= double(v.size());
    for (double x : v) var += (x - mean) * (x - mean);
    const double sd = std::sqrt(var / double(v.size()));
    for (double& x : v) x = sd > 1e-9 ? (x - mean) / sd : 0.0;
}

float MaxAround(std::span<const float> x, double at) {
    const int n = int(x.size());
    const int c = int(std::lround(at));
    float best = 0.0f;
    for (int i = std::max(0, c - kAccentRadius); i <= std::min(n - 1, c + kAccentRadius); ++i) {
        best = std::max(best, x[i]);
    }
    return best;
}

std::array<double, 12> MeanChroma(std::span<const OnsetFrame> frames, double from, double to) {
    std::array<double, 12> sum{};
    const int lo = std::max(0, int(std::lround(from)));
    const int hi = std::min(int(frames.size()), int(std::lround(to)));
    for (int i = lo; i < hi; ++i) {
        const double weight = frames[i].ChromaWeight();  // loud (chordal) frames count, quiet ones hardly
        for (int pc = 0; pc < 12; ++pc) sum[pc] += weight * frames[i].chroma[pc];
    }
    return sum;
}

double CosineDistance(const std::array<double, 12>& a, const std::array<double, 12>& b) {
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (int pc = 0; pc < 12; ++pc) {
        ab += a[pc] * b[pc];
        aa += a[pc] * a[pc];
        bb += b[pc] * b[pc];
    }
    if (aa <= 0.0 || bb <= 0.0) return 0.0;
    return 1.0 - ab / std::sqrt(aa * bb);
}

}  // namespace

std::vector<double> TrackBeats(std::span<const float> envelope, double period_frames, double tightness) {
    std::vector<double> beats;
    const int n = int(envelope.size());
    if (n < 4 || period_frames < 2.0) return beats;
    double mean = 0.0, var = 0.0;
    for (float v : envelope) mean += v;
    mean /= n;
    for (float v : envelope) var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / (n - 1));
    if (sd <= 1e-12) return beats;

    // Local score: the normalised envelope smoothed by a Gaussian of period / 32.
    const double sigma = period_frames / 32.0;
    const int radius = std::max(1, int(std::ceil(4.0 * sigma)));
    std::vector<float> kernel(size_t(2 * radius + 1));
    for (int k = -radius; k <= radius; ++k)
        kernel[k + radius] = float(std::exp(-0.5 * (k / sigma) * (k / sigma)));
    std::vector<float> local(size_t(n), 0.0f);
    for (int t = 0; t < n; ++t) {
        float sum = 0.0f;
        for (int k = std::max(-radius, -t); k <= std::min(radius, n - 1 - t); ++k) {
            sum += kernel[k + radius] * envelope[t + k];
        }
        local[t] = float(sum / sd);
    }

    // Dynamic programme.
    const int min_gap = std::max(1, int(std::lround(period_frames / 2.0)));
    const int max_gap = std::max(min_gap, int(std::lround(2.0 * period_frames)));
    std::vector<double> transition(size_t(max_gap) + 1, 0.0);
    for (int d = min_gap; d <= max_gap; ++d) {
        const double l = std::log(d / period_frames);
        transition[d] = -tightness * l * l;
    }
    std::vector<double> cumulative(size_t(n), 0.0);
    std::vector<int> back(size_t(n), -1);
    for (int t = 0; t < n; ++t) {
        double best = -std::numeric_limits<double>::infinity();
        int from = -1;
        for (int d = min_gap; d <= std::min(max_gap, t); ++d) {
            const double s = cumulative[t - d] + transition[d];
            if (s > best) {
                best = s;
                from = t - d;
            }
        }
        if (from >= 0 && best > 0.0) {
            cumulative[t] = local[t] + best;
            back[t] = from;
        } else {
            cumulative[t] = local[t];
        }
    }

    // The last beat: the best-scoring end within the final period (every path has a beat there; a
    // stiff tracker cannot switch phase, so the end decides the phase of the whole path). Silence
    // after the music is trimmed below.
    int last = -1;
    for (int t = std::max(0, n - int(std::ceil(period_frames))); t < n; ++t) {
        if (last < 0 || cumulative[t] > cumulative[last]) last = t;
    }
    if (last < 0) return beats;
    std::vector<int> frames;
    for (int t = last; t >= 0; t = back[t]) frames.push_back(t);
    std::reverse(frames.begin(), frames.end());

    // Trim weak beats at both ends (silence or a fade before and after the music).
    std::vector<double> strength(frames.size(), 0.0);
    double energy = 0.0;
    for (size_t i = 0; i < frames.size(); ++i) {
        // Hann(5) smoothing over neighbouring beats: 0.25, 0.75, 1, 0.75, 0.25.
        constexpr double kWeights[5] = {0.25, 0.75, 1.0, 0.75, 0.25};
        double s = 0.0;
        for (int j = -2; j <= 2; ++j) {
            const long k = long(i) + j;
            if (k >= 0 && k < long(frames.size())) s += kWeights[j + 2] * local[frames[size_t(k)]];
        }
        strength[i] = s;
        energy += s * s;
    }
    const double floor = kTrimShare * std::sqrt(energy / double(frames.size()));
    size_t first = 0, end = frames.size();
    while (first < end && strength[first] < floor) ++first;
    while (end > first && strength[end - 1] < floor) --end;
    for (size_t i = first; i < end; ++i)
        beats.push_back(SubFramePeak(local, frames[i]) + kOnsetLatencyFrames);
    return beats;
}

std::vector<size_t> FindDownbeats(std::span<const double> beat_frames, const OnsetEnvelopes& envelopes,
                                  std::span<const OnsetFrame> frames) {
    const size_t count = beat_frames.size();
    std::vector<size_t> downbeats;
    if (count == 0) return downbeats;
    std::vector<double> low(count), change(count, 0.0);
    for (size_t i = 0; i < count; ++i) {
        low[i] = MaxAround(envelopes.low, beat_frames[i]);
        if (i >= 1 && i + 1 < count) {
            // A bar either side: a riff that repeats every bar looks the same from every beat, so
            // only a change of harmony stands out, at the beat where it happens.
            const size_t before = i >= kChordWindowBeats ? i - kChordWindowBeats : 0;
            const size_t after = std::min(count - 1, i + kChordWindowBeats);
            change[i] = CosineDistance(MeanChroma(frames, beat_frames[before], beat_frames[i]),
                                       MeanChroma(frames, beat_frames[i], beat_frames[after]));
        }
    }
    Standardise(low);
    std::vector<double> cue(count);
    for (size_t i = 0; i < count; ++i) {
        const double chord = std::max(0.0, change[i] - kChordChangeFloor) / kChordChangeUnit;
        cue[i] = kLowAccentWeight * low[i] + kChordChangeWeight * chord;
    }

    // Viterbi over bar positions 0..3.
    constexpr int kStates = 4;
    std::vector<std::array<int, kStates>> from(count);
    std::array<double, kStates> score{};
    for (int s = 0; s < kStates; ++s) score[s] = s == 0 ? cue[0] : 0.0;
    for (size_t i = 1; i < count; ++i) {
        std::array<double, kStates> next{};
        for (int s = 0; s < kStates; ++s) {
            double best = -std::numeric_limits<double>::infinity();
            for (int p = 0; p < kStates; ++p) {
                const double v = score[p] + ((p + 1) % kStates == s ? 0.0 : -kPhaseJumpCost);
                if (v > best) {
                    best = v;
                    from[i][s] = p;
                }
            }
            next[s] = best + (s == 0 ? cue[i] : 0.0);
        }
        score = next;
    }
    int state = int(std::max_element(score.begin(), score.end()) - score.begin());
    std::vector<int> position(count);
    for (size_t i = count; i-- > 0;) {
        position[i] = state;
        if (i > 0) state = from[i][state];
    }
    for (size_t i = 0; i < count; ++i) {
        if (position[i] == 0) downbeats.push_back(i);
    }
    return downbeats;
}

}  // namespace amapiano::analysis
