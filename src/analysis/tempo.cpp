#include "analysis/tempo.h"

#include <algorithm>
#include <cmath>

namespace amapiano::analysis {
namespace {

constexpr int kHarmonics = 4;
constexpr int kWhitenRadius = 16;  // frames either side of the local mean (~0.19 s)
constexpr int kMaxCandidates = 5;

// The envelope minus its local mean, half-wave rectified, then made zero-mean: peaks, not levels.
std::vector<float> Whiten(std::span<const float> envelope) {
    const int n = int(envelope.size());
    std::vector<double> prefix(size_t(n) + 1, 0.0);
    for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + envelope[i];
    std::vector<float> out(static_cast<size_t>(n));
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        const int lo = std::max(0, i - kWhitenRadius), hi = std::min(n, i + kWhitenRadius + 1);
        const double local = (prefix[hi] - prefix[lo]) / (hi - lo);
        out[i] = float(std::max(0.0, envelope[i] - local));
        sum += out[i];
    }
    const float mean = float(sum / std::max(1, n));
    for (float& v : out) v -= mean;
    return out;
}

// Unbiased autocorrelation for lags 0..max_lag (direct: the lag range is short).
std::vector<double> Autocorrelation(std::span<const float> x, int max_lag) {
    const int n = int(x.size());
    std::vector<double> acf(size_t(max_lag) + 1, 0.0);
    constexpr int kBlock = 4096;  // float partial sums, accumulated in double
    for (int lag = 0; lag <= max_lag && lag < n; ++lag) {
        double total = 0.0;
        const int count = n - lag;
        for (int start = 0; start < count; start += kBlock) {
            const int end = std::min(count, start + kBlock);
            float partial = 0.0f;
            const float* a = x.data() + start;
            const float* b = x.data() + start + lag;
            for (int i = 0; i < end - start; ++i) partial += a[i] * b[i];
            total += partial;
        }
        acf[lag] = total / count;
    }
    return acf;
}

// Peak of `acf` within [lo, hi] with parabolic interpolation; returns {position, value}, or
// {-1, 0} when the maximum sits on the edge of the range (no peak there).
std::pair<double, double> PeakIn(const std::vector<double>& acf, int lo, int hi) {
    lo = std::max(lo, 1);
    hi = std::min(hi, int(acf.size()) - 2);
    if (lo > hi) return {-1.0, 0.0};
    int best = lo;
    for (int i = lo; i <= hi; ++i) {
        if (acf[i] > acf[best]) best = i;
    }
    const double a = acf[best - 1], b = acf[best], c = acf[best + 1];
    if (a > b || c > b) return {-1.0, 0.0};
    const double denom = a - 2.0 * b + c;
    const double offset = denom < 0.0 ? std::clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0.0;
    return {best + offset, b - 0.25 * (a - c) * offset};
}

}  // namespace

TempoEstimate EstimateTempo(std::span<const float> envelope, const TempoOptions& options) {
    TempoEstimate estimate;
    const int n = int(envelope.size());
    const int min_lag = std::max(2, int(std::floor(PeriodOfBpm(options.max_bpm))));
    const int max_lag = int(std::ceil(PeriodOfBpm(options.min_bpm)));
    if (n < 2 * max_lag) return estimate;

    const std::vector<float> white = Whiten(envelope);
    const int acf_lags = std::min(n - 1, kHarmonics * max_lag + kHarmonics);
    const std::vector<double> acf = Autocorrelation(white, acf_lags);
    if (acf[0] <= 1e-12) return estimate;

    // Comb salience of every integer lag: the autocorrelation at the lag and its multiples (each
    // multiple h searched within ±h/2 frames, the slack of an integer lag's true period).
    std::vector<double> score(size_t(max_lag) + 1, 0.0), comb(size_t(max_lag) + 1, 0.0);
    for (int lag = min_lag; lag <= max_lag; ++lag) {
        double sum = 0.0;
        int used = 0;
        for (int h = 1; h <= kHarmonics; ++h) {
            const int centre = h * lag;
            const int lo = centre - h / 2, hi = centre + h / 2;
            if (hi > acf_lags) break;
            double best = acf[centre];
            for (int i = lo; i <= hi; ++i) best = std::max(best, acf[i]);
            sum += best;
            ++used;
        }
        comb[lag] = used > 0 ? std::max(0.0, sum / (used * acf[0])) : 0.0;
        const double octaves = std::log2(BpmOfPeriod(lag) / options.prior_bpm) / options.prior_octaves;
        score[lag] = comb[lag] * std::exp(-0.5 * octaves * octaves);
    }

    // Candidates: local maxima of the score, best first.
    std::vector<int> peaks;
    for (int lag = min_lag; lag <= max_lag; ++lag) {
        const double left = lag > min_lag ? score[lag - 1] : -1.0;
        const double right = lag < max_lag ? score[lag + 1] : -1.0;
        if (score[lag] > 0.0 && score[lag] > left && score[lag] >= right) peaks.push_back(lag);
    }
    if (peaks.empty()) return estimate;
    std::stable_sort(peaks.begin(), peaks.end(), [&](int a, int b) { return score[a] > score[b]; });
    const int best = peaks.front();
    for (size_t i = 0; i < peaks.size() && i < size_t(kMaxCandidates); ++i) {
        estimate.candidates.push_back({BpmOfPeriod(peaks[i]), score[peaks[i]] / score[best]});
    }

    // Sub-frame period from the autocorrelation peaks near T, 2T, .., 4T (weighted by h: a peak
    // at 4T pins T four times as finely).
    double weighted = 0.0, weights = 0.0;
    double lag_estimate = best;
    for (int h = 1; h <= kHarmonics; ++h) {
        const double centre = h * lag_estimate;
        const int lo = int(std::floor(centre - 0.5 * h - 1.0)), hi = int(std::ceil(centre + 0.5 * h + 1.0));
        if (hi > acf_lags - 1) break;
        const auto [position, value] = PeakIn(acf, lo, hi);
        if (position < 0.0 || value <= 0.0) continue;
        const double period = position / h;
        if (std::abs(period - lag_estimate) > 0.75) continue;
        weighted += h * period;
        weights += h;
        lag_estimate = weighted / weights;  // later multiples search around the sharper estimate
    }
    estimate.found = true;
    estimate.period_frames = weights > 0.0 ? weighted / weights : double(best);
    estimate.bpm = BpmOfPeriod(estimate.period_frames);
    estimate.periodicity = std::clamp(comb[best], 0.0, 1.0);
    return estimate;
}

double RefinePeriodFromBeats(std::span<const double> beat_frames, double period_frames) {
    if (beat_frames.size() < 8 || period_frames <= 0.0) return period_frames;
    // Whole-period index of every beat; a gap that is no whole number of periods starts a new run.
    std::vector<double> index(beat_frames.size(), 0.0);
    std::vector<int> run(beat_frames.size(), 0);
    for (size_t i = 1; i < beat_frames.size(); ++i) {
        const double periods = (beat_frames[i] - beat_frames[i - 1]) / period_frames;
        const double whole = std::round(periods);
        if (whole >= 1.0 && whole <= 4.0 && std::abs(periods - whole) < 0.25) {
            index[i] = index[i - 1] + whole;
            run[i] = run[i - 1];
        } else {
            index[i] = 0.0;
            run[i] = run[i - 1] + 1;
        }
    }
    std::vector<bool> keep(beat_frames.size(), true);
    double period = period_frames;
    for (int pass = 0; pass < 2; ++pass) {
        // Per-run means, then the pooled slope.
        const int runs = run.back() + 1;
        std::vector<double> mean_index(size_t(runs), 0.0), mean_time(size_t(runs), 0.0),
            count(size_t(runs), 0.0);
        for (size_t i = 0; i < beat_frames.size(); ++i) {
            if (!keep[i]) continue;
            mean_index[run[i]] += index[i];
            mean_time[run[i]] += beat_frames[i];
            count[run[i]] += 1.0;
        }
        for (int r = 0; r < runs; ++r) {
            if (count[r] > 0.0) {
                mean_index[r] /= count[r];
                mean_time[r] /= count[r];
            }
        }
        double sxy = 0.0, sxx = 0.0;
        int used = 0;
        for (size_t i = 0; i < beat_frames.size(); ++i) {
            if (!keep[i] || count[run[i]] < 2.0) continue;
            const double dx = index[i] - mean_index[run[i]];
            sxy += dx * (beat_frames[i] - mean_time[run[i]]);
            sxx += dx * dx;
            ++used;
        }
        if (used < 8 || sxx <= 0.0) return period_frames;
        period = sxy / sxx;
        if (std::abs(period / period_frames - 1.0) > 0.04) return period_frames;
        if (pass == 0) {
            for (size_t i = 0; i < beat_frames.size(); ++i) {
                const double predicted = mean_time[run[i]] + (index[i] - mean_index[run[i]]) * period;
                keep[i] = std::abs(beat_frames[i] - predicted) < 0.1 * period;
            }
        }
    }
    return period;
}

}  // namespace amapiano::analysis
