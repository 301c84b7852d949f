// SpectralFeatures: timbre and energy descriptors, streamed frame by frame from SpectralFrames.
//
// For the whole signal: mean spectral centroid, 85 % roll-off and flatness (Wiener entropy) over
// the non-silent frames, and the share of energy in five bands — sub (20–60 Hz), low (60–250),
// low-mid (250–500), mid (500–2000) and high (2000 Hz–Nyquist). For later stages it keeps a compact
// summary of every frame (FrameSummary, 40 bytes) — enough for the log-drum detector and the
// section finder — so an hour of audio costs ~12 MB.
//
//   SpectralFeatures features;
//   SpectralFrames stft([&](const SpectrumView& s) { features.AddFrame(s); });
//   ...
//   SpectralSummary summary = features.Summary();  BandEnergies bands = features.Bands();
//
// Thread: one instance per thread.
#pragma once

#include <array>
#include <vector>

#include "analysis/spectral_frames.h"

namespace amapiano::analysis {

inline constexpr int kBandCount = 5;
inline constexpr std::array<double, kBandCount + 1> kBandEdgesHz = {20.0,  60.0,   250.0,
                                                                    500.0, 2000.0, kAnalysisRateHz / 2.0};

struct SpectralSummary final {
    double centroid_hz = 0.0;
    double rolloff_hz = 0.0;  // frequency below which 85 % of the energy lies
    double flatness = 0.0;    // 0 = pure tones .. 1 = white noise
};

// Fractions of the total energy (20 Hz–Nyquist), summing to 1; all zero for silence.
struct BandEnergies final {
    double sub = 0.0, low = 0.0, low_mid = 0.0, mid = 0.0, high = 0.0;
};

// What later stages need of one frame.
struct FrameSummary final {
    std::array<float, kBandCount> band_db{};  // energy per band, dB (floor -120)
    float total_db = -120.0f;                 // energy of the frame, dB
    float low_db = -120.0f;                   // energy 35–220 Hz (log drum / kick register), dB
    float low_peak_hz = 0.0f;                 // strongest partial in 35–220 Hz (interpolated)
    float low_tonality = 0.0f;                // share of the low register's energy in that peak (0..1)
    float low_flux = 0.0f;                    // new energy in the low register (log-magnitude rises)
};

class SpectralFeatures final {
public:
    void AddFrame(const SpectrumView& frame);

    SpectralSummary Summary() const;
    BandEnergies Bands() const;
    const std::vector<FrameSummary>& frames() const { return frames_; }

private:
    std::vector<FrameSummary> frames_;
    std::array<double, kBandCount> band_energy_{};
    double centroid_sum_ = 0.0, rolloff_sum_ = 0.0, flatness_sum_ = 0.0;
    int64_t voiced_frames_ = 0;
    std::vector<float> power_;     // scratch
    std::vector<float> low_prev_;  // the previous frame's low-register log magnitudes
};

}  // namespace amapiano::analysis
