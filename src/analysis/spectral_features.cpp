#include "analysis/spectral_features.h"

#include <algorithm>
#include <cmath>

namespace amapiano::analysis {
namespace {

constexpr double kSilentFramePower = 1e-10;  // about -100 dBFS: frames below it carry no timbre
constexpr int kTimbreFrameStride = 4;
constexpr double kLowMinHz = 35.0;
constexpr double kLowMaxHz = 220.0;

float Db(double power) { return float(10.0 * std::log10(std::max(power, 1e-12))); }

int BinOf(double hz) { return std::clamp(int(std::lround(hz / kBinHz)), 0, kSpectrumBins - 1); }

}  // namespace

void SpectralFeatures::AddFrame(const SpectrumView& frame) {
    power_.resize(frame.magnitude.size());
    double total = 0.0;
    for (size_t k = 0; k < frame.magnitude.size(); ++k) {
        power_[k] = frame.magnitude[k] * frame.magnitude[k];
    }
    const int first = BinOf(kBandEdgesHz.front());
    for (int k = first; k < kSpectrumBins; ++k) total += power_[k];

    FrameSummary summary;
    summary.total_db = Db(total);
    for (int b = 0; b < kBandCount; ++b) {
        const int lo = BinOf(kBandEdgesHz[b]);
        const int hi = b + 1 == kBandCount ? kSpectrumBins : BinOf(kBandEdgesHz[b + 1]);
        double e = 0.0;
        for (int k = lo; k < hi; ++k) e += power_[k];
        band_energy_[b] += e;
        summary.band_db[b] = Db(e);
    }

    // Low register: energy, strongest partial and how much of the register it holds.
    const int low_lo = BinOf(kLowMinHz), low_hi = BinOf(kLowMaxHz);
    double low = 0.0;
    int peak = low_lo;
    for (int k = low_lo; k <= low_hi; ++k) {
        low += power_[k];
        if (power_[k] > power_[peak]) peak = k;
    }
    summary.low_db = Db(low);
    // Low-register flux: a new log-drum note shows as new energy in other bins even when the total
    // barely changes (notes overlap), so sum the per-bin rises of log-compressed magnitude.
    low_prev_.resize(size_t(low_hi - low_lo + 1), 0.0f);
    float flux = 0.0f;
    for (int k = low_lo; k <= low_hi; ++k) {
        const float level = std::log1p(1000.0f * frame.magnitude[size_t(k)]);
        flux += std::max(0.0f, level - low_prev_[size_t(k - low_lo)]);
        low_prev_[size_t(k - low_lo)] = level;
    }
    summary.low_flux = flux;
    if (low > kSilentFramePower) {
        const double a = frame.magnitude[peak - 1], b = frame.magnitude[peak], c = frame.magnitude[peak + 1];
        const double denom = a - 2.0 * b + c;
        const double offset = denom < 0.0 ? std::clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0.0;
        summary.low_peak_hz = float(BinFrequencyHz(peak + offset));
        // A Hann window spreads a partial over ~3 bins: count them as the peak.
        const double peak_power = power_[peak - 1] + power_[peak] + power_[peak + 1];
        summary.low_tonality = float(std::min(1.0, peak_power / low));
    }
    frames_.push_back(summary);

    // The timbre means are taken over every 4th frame (46 ms apart): plenty for a track-level mean,
    // and the per-bin logarithms are the most expensive thing here.
    if (total < kSilentFramePower || frame.index % kTimbreFrameStride != 0) return;
    ++voiced_frames_;
    double weighted = 0.0, log_sum = 0.0;
    for (int k = first; k < kSpectrumBins; ++k) {
        weighted += BinFrequencyHz(k) * power_[k];
        log_sum += std::log(double(power_[k]) + 1e-20);
    }
    centroid_sum_ += weighted / total;
    const int bins = kSpectrumBins - first;
    flatness_sum_ += std::min(1.0, std::exp(log_sum / bins) / (total / bins));
    double cumulative = 0.0;
    int k = first;
    for (; k < kSpectrumBins - 1; ++k) {
        cumulative += power_[k];
        if (cumulative >= 0.85 * total) break;
    }
    rolloff_sum_ += BinFrequencyHz(k);
}

SpectralSummary SpectralFeatures::Summary() const {
    SpectralSummary s;
    if (voiced_frames_ == 0) return s;
    s.centroid_hz = centroid_sum_ / double(voiced_frames_);
    s.rolloff_hz = rolloff_sum_ / double(voiced_frames_);
    s.flatness = flatness_sum_ / double(voiced_frames_);
    return s;
}

BandEnergies SpectralFeatures::Bands() const {
    double total = 0.0;
    for (double e : band_energy_) total += e;
    BandEnergies bands;
    if (total < kSilentFramePower) return bands;
    bands.sub = band_energy_[0] / total;
    bands.low = band_energy_[1] / total;
    bands.low_mid = band_energy_[2] / total;
    bands.mid = band_energy_[3] / total;
    bands.high = band_energy_[4] / total;
    return bands;
}

}  // namespace amapiano::analysis
