#include "analysis/hpcp.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "analysis/spectral_frames.h"

namespace amapiano::analysis {
namespace {

constexpr double kReferenceHz = 440.0;
// Peaks more than this far below the frame's strongest are noise floor, not notes (-60 dB).
constexpr double kRelativeFloor = 1e-3;

double Wrap(double x, double period) {
    x = std::fmod(x, period);
    return x < 0.0 ? x + period : x;
}

// Adds `value` at fractional position `pos` (>= 0) of a circular histogram, split between the two
// nearest bins.
template <size_t N>
void AddCircular(std::array<double, N>& hist, double pos, double value) {
    const size_t lo = size_t(pos);
    const double frac = pos - double(lo);
    const size_t i = lo % N;
    hist[i] += value * (1.0 - frac);
    hist[i + 1 == N ? 0 : i + 1] += value * frac;
}

}  // namespace

HpcpAccumulator::HpcpAccumulator(HpcpOptions options) : options_(options) {
    // Sub-harmonics an octave apart (f/2, f/4) fall on the same pitch class as the peak: merge them.
    for (int h = 1; h <= std::max(1, options_.harmonics); ++h) {
        const double offset = Wrap(12.0 * kBinsPerSemitone * std::log2(double(h)), kFineBins);
        const double weight = std::pow(options_.harmonic_slope, h - 1);
        bool merged = false;
        for (size_t i = 0; i < harmonic_offsets_.size(); ++i) {
            if (std::abs(harmonic_offsets_[i] - offset) < 1e-9) {
                harmonic_weights_[i] += weight;
                merged = true;
            }
        }
        if (!merged) {
            harmonic_offsets_.push_back(offset);
            harmonic_weights_.push_back(weight);
        }
    }
    candidates_.resize(kSpectrumBins);
    flags_.resize(kSpectrumBins);
    peaks_.reserve(kSpectrumBins);
}

void HpcpAccumulator::FindPeaks(std::span<const float> magnitude) {
    peaks_.clear();
    const int n = int(magnitude.size());
    // One bin of margin on each side so that maxima just outside the range can interpolate inwards.
    const int first = std::max(1, int(std::floor(options_.min_hz / kBinHz)));
    const int last = std::min({n - 2, int(flags_.size()) - 2, int(std::ceil(options_.max_hz / kBinHz))});
    if (last < first) return;
    const float floor = float(options_.silence_magnitude * kRelativeFloor);
    // Branch-free scan (whether a bin is a local maximum is unpredictable, and this runs on every bin).
    for (int k = first; k <= last; ++k) {
        const float m = magnitude[k];
        flags_[size_t(k)] = uint8_t(int(m > floor) & int(m > magnitude[k - 1]) & int(m >= magnitude[k + 1]));
    }
    int* const out = candidates_.data();
    size_t count = 0;
    for (int k = first; k <= last; ++k) {
        out[count] = k;
        count += flags_[size_t(k)];
    }
    if (count == 0) return;
    auto louder = [&](int a, int b) {
        return magnitude[a] > magnitude[b] || (magnitude[a] == magnitude[b] && a < b);
    };
    if (count > size_t(options_.max_peaks)) {
        std::nth_element(out, out + options_.max_peaks, out + count, louder);
        count = size_t(options_.max_peaks);
    }
    float strongest = 0.0f;
    for (size_t i = 0; i < count; ++i) strongest = std::max(strongest, magnitude[out[i]]);
    const float relative_floor = strongest * float(kRelativeFloor);
    for (size_t i = 0; i < count; ++i) {
        const int k = out[i];
        if (magnitude[k] < relative_floor) continue;
        // Parabola through the log magnitudes: vertex offset p in bins, and the level at the vertex.
        const double a = std::log(double(magnitude[k - 1]) + 1e-20);
        const double b = std::log(double(magnitude[k]));
        const double c = std::log(double(magnitude[k + 1]) + 1e-20);
        const double denom = a - 2.0 * b + c;
        const double p = denom < 0.0 ? std::clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0.0;
        const double hz = (k + p) * kBinHz;
        if (hz < options_.min_hz || hz > options_.max_hz) continue;
        peaks_.push_back({hz, b - 0.25 * (a - c) * p});
    }
}

void HpcpAccumulator::AddSpectrum(std::span<const float> magnitude) {
    FindPeaks(magnitude);
    if (peaks_.empty()) return;
    double strongest = peaks_.front().log_magnitude;
    for (const Peak& peak : peaks_) strongest = std::max(strongest, peak.log_magnitude);
    if (strongest < std::log(options_.silence_magnitude)) return;
    ++tonal_frames_;

    frame_.fill(0.0);
    for (const Peak& peak : peaks_) {
        // magnitude^exponent relative to the strongest peak of the frame
        const double energy = std::exp(options_.magnitude_exponent * (peak.log_magnitude - strongest));
        // Cents above A4 = 440 Hz, shifted by 16 octaves so that it is positive for any frequency above
        // 0.01 Hz (histogram positions are circular, and AddCircular wants them >= 0).
        const double cents = 1200.0 * std::log2(peak.hz / kReferenceHz) + 1200.0 * 16;
        const double fine = cents / (100.0 / kBinsPerSemitone);
        for (size_t h = 0; h < harmonic_offsets_.size(); ++h) {
            AddCircular(frame_, fine - harmonic_offsets_[h], energy * harmonic_weights_[h]);
        }
        if (peak.hz >= options_.tuning_min_hz) AddCircular(tuning_, cents, energy);
    }

    // Unit maximum, measured as the largest sum over a one-semitone window (so that the scale does
    // not depend on where the tuning puts the notes relative to the bins).
    double window = 0.0;
    for (int i = 0; i < kBinsPerSemitone; ++i) window += frame_[size_t(i)];
    double peak_window = window;
    for (int i = 0; i < kFineBins; ++i) {
        window += frame_[size_t((i + kBinsPerSemitone) % kFineBins)] - frame_[size_t(i)];
        peak_window = std::max(peak_window, window);
    }
    if (peak_window <= 0.0) return;
    const double scale = 1.0 / peak_window;
    for (int i = 0; i < kFineBins; ++i) sum_[size_t(i)] += frame_[size_t(i)] * scale;
}

double HpcpAccumulator::TuningHz() const {
    // Mode of the deviation histogram after light (triangular, +-5 cents) circular smoothing, refined
    // by the weighted mean of the deviations within a quarter tone of it.
    constexpr int kSmooth = 5;
    int best = 0;
    double best_value = 0.0;
    for (int i = 0; i < kTuningBins; ++i) {
        double v = 0.0;
        for (int d = -kSmooth; d <= kSmooth; ++d) {
            v += tuning_[size_t((i + d + kTuningBins) % kTuningBins)] * double(kSmooth + 1 - std::abs(d));
        }
        if (v > best_value) {
            best_value = v;
            best = i;
        }
    }
    if (best_value <= 0.0) return kReferenceHz;
    constexpr int kRefine = 25;
    double weight = 0.0, offset = 0.0;
    for (int d = -kRefine; d <= kRefine; ++d) {
        const double w = tuning_[size_t((best + d + kTuningBins) % kTuningBins)];
        weight += w;
        offset += w * d;
    }
    double cents = best + (weight > 0.0 ? offset / weight : 0.0);
    cents = Wrap(cents + 50.0, 100.0) - 50.0;  // -50 .. 50
    return kReferenceHz * std::exp2(cents / 1200.0);
}

std::array<double, 12> HpcpAccumulator::Chroma(double tuning_hz) const {
    std::array<double, 12> chroma{};
    const double detune_bins = 1200.0 * std::log2(tuning_hz / kReferenceHz) / (100.0 / kBinsPerSemitone);
    const double half_width = options_.window_semitones * kBinsPerSemitone / 2.0;
    for (int pc = 0; pc < 12; ++pc) {
        const double centre = ((pc + 3) % 12) * kBinsPerSemitone + detune_bins;  // bin 0 is A (pc 9)
        double v = 0.0;
        for (int i = 0; i < kFineBins; ++i) {
            const double d = std::abs(Wrap(i - centre + kFineBins / 2.0, kFineBins) - kFineBins / 2.0);
            if (d < half_width) v += sum_[size_t(i)] * std::cos(std::numbers::pi * 0.5 * d / half_width);
        }
        chroma[size_t(pc)] = v;
    }
    const double top = *std::max_element(chroma.begin(), chroma.end());
    if (top > 0.0) {
        for (double& c : chroma) c /= top;
    }
    return chroma;
}

}  // namespace amapiano::analysis
