// HpcpAccumulator: the harmonic pitch-class profile (HPCP) and the tuning frequency of a whole signal,
// accumulated one magnitude spectrum at a time.
//
// Per spectrum: the strongest local maxima between min_hz and max_hz (frequency and level refined by
// a parabola through the log magnitudes of the three bins around each maximum) are the spectral
// peaks. Each peak adds its weight (magnitude^exponent relative to the frame's strongest peak) to a
// fine pitch-class histogram (10 cents per bin) at its own pitch and, scaled by slope^(h-1), at the
// pitches of its sub-harmonics f/h, h = 2 .. harmonics — as if the peak were the h-th harmonic of a
// lower note (Essentia's HPCP "harmonics"). The frame's histogram is scaled to unit maximum, so loud
// and quiet passages count alike, and added to the running sum; frames with no peak above the
// silence level are skipped. Separately, each peak's deviation from 440-Hz equal temperament goes
// into a 1-cent tuning histogram.
//
// At the end, TuningHz() is the weighted mode of the deviations, and Chroma() folds the fine
// histogram to 12 pitch classes around the tuned semitone centres with a cosine window 4/3 semitone
// wide (as Essentia's HPCP), so detuned recordings map to the right notes without a second pass.
//
//   HpcpAccumulator hpcp;
//   SpectralFrames stft([&](const SpectrumView& s) { hpcp.AddSpectrum(s.magnitude); });
//   stft.Push(mono);  stft.Finish();
//   const double a4 = hpcp.TuningHz();                        // e.g. 440.0
//   const std::array<double, 12> chroma = hpcp.Chroma(a4);   // C .. B, maximum 1
//
// Cost: 5-8 us per spectrum (60 peaks). Memory: O(1) whatever the length of the signal. Thread: one
// instance per thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace amapiano::analysis {

struct HpcpOptions final {
    double min_hz = 60.0;  // peaks outside [min_hz, max_hz] are ignored
    double max_hz = 5000.0;
    int max_peaks = 60;                   // the strongest peaks of each frame are kept
    double magnitude_exponent = 1.0;      // a peak weighs magnitude^exponent (Essentia: 2, energy)
    int harmonics = 5;                    // sub-harmonics f/2 .. f/harmonics also receive the peak
    double harmonic_slope = 0.5;          // weight of sub-harmonic f/h is slope^(h-1)
    double window_semitones = 4.0 / 3.0;  // width of the cosine folding window
    double silence_magnitude = 1e-4;      // a frame whose strongest peak is weaker is silence (~-74 dBFS)
    double tuning_min_hz = 100.0;         // lower peaks are too coarsely resolved to judge tuning
};

class HpcpAccumulator final {
public:
    static constexpr int kBinsPerSemitone = 10;  // fine histogram: 10 cents per bin
    static constexpr int kFineBins = 12 * kBinsPerSemitone;
    static constexpr int kTuningBins = 100;  // 1 cent per bin, bin 0 = in tune with A = 440 Hz

    explicit HpcpAccumulator(HpcpOptions options = {});

    // Adds one magnitude spectrum (kSpectrumBins values from SpectralFrames).
    void AddSpectrum(std::span<const float> magnitude);

    // Frames that had at least one peak above the silence level.
    int64_t tonal_frames() const { return tonal_frames_; }

    // Reference frequency of A4 that best fits the peaks heard (within +-50 cents of 440 Hz);
    // 440 when nothing was heard.
    double TuningHz() const;

    // Pitch-class profile (index 0 = C) for the given tuning, scaled to maximum 1; all zero when
    // nothing was heard.
    std::array<double, 12> Chroma(double tuning_hz) const;

private:
    struct Peak {
        double hz;
        double log_magnitude;  // natural log of the linear magnitude
    };
    void FindPeaks(std::span<const float> magnitude);

    HpcpOptions options_;
    std::vector<double> harmonic_offsets_;  // fine bins below the peak, per sub-harmonic pitch class
    std::vector<double> harmonic_weights_;
    std::vector<uint8_t> flags_;   // scratch: 1 where a bin is a local maximum
    std::vector<int> candidates_;  // scratch: bins of local maxima
    std::vector<Peak> peaks_;      // scratch: this frame's peaks
    std::array<double, kFineBins> frame_{};
    std::array<double, kFineBins> sum_{};
    std::array<double, kTuningBins> tuning_{};
    int64_t tonal_frames_ = 0;
};

}  // namespace amapiano::analysis
