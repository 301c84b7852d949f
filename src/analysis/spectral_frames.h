// SpectralFrames: the short-time Fourier transform every frame-based analyser shares.
//
// The analysis engine works on mono audio at kAnalysisRateHz (callers resample with
// audio::MonoResampler). Samples arrive in blocks of any size; every kHopFrames samples a
// Hann-windowed kFftSize-point frame is transformed (FFTW, single precision) and its magnitude
// spectrum (kSpectrumBins values, linear amplitude) is handed to the callback. Frame i is centred
// on sample i * kHopFrames (the signal is zero-padded by half a frame at both ends), so its time is
// FrameTimeSeconds(i). Finish() flushes the frames that overlap the end of the signal.
//
//   SpectralFrames frames([&](const SpectrumView& s) { onsets.AddFrame(s); key.AddFrame(s); });
//   frames.Push(block);  ...  frames.Finish();
//
// Thread: one instance per thread. Memory: O(kFftSize), whatever the length of the signal.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace amapiano::analysis {

class RealFft;

inline constexpr int kAnalysisRateHz = 22050;
inline constexpr int kFftSize = 2048;                                         // 92.9 ms, 10.77 Hz per bin
inline constexpr int kHopFrames = 256;                                        // 11.6 ms
inline constexpr int kSpectrumBins = kFftSize / 2 + 1;                        // DC .. Nyquist
inline constexpr double kFrameRateHz = double(kAnalysisRateHz) / kHopFrames;  // 86.13 frames per second
inline constexpr double kBinHz = double(kAnalysisRateHz) / kFftSize;

inline double FrameTimeSeconds(int64_t frame_index) { return double(frame_index) / kFrameRateHz; }
inline double BinFrequencyHz(double bin) { return bin * kBinHz; }

struct SpectrumView final {
    int64_t index = 0;                 // frame number, 0-based
    std::span<const float> magnitude;  // kSpectrumBins linear magnitudes (window sum normalised to 1)
    std::span<const float> samples;    // the kFftSize time-domain samples before windowing
};

class SpectralFrames final {
public:
    using Callback = std::function<void(const SpectrumView&)>;
    explicit SpectralFrames(Callback on_frame);
    ~SpectralFrames();
    SpectralFrames(const SpectralFrames&) = delete;
    SpectralFrames& operator=(const SpectralFrames&) = delete;

    // Appends mono samples at kAnalysisRateHz; emits every frame that is now complete.
    void Push(std::span<const float> mono);
    // Emits the remaining frames (those whose centre lies inside the signal). Call once.
    void Finish();

    int64_t samples_pushed() const { return samples_pushed_; }
    int64_t frames_emitted() const { return frames_emitted_; }

private:
    void EmitFrame();

    Callback on_frame_;
    std::unique_ptr<RealFft> fft_;
    std::vector<float> window_;
    std::vector<float> ring_;  // the last kFftSize samples (linear, shifted by kHopFrames)
    std::vector<float> magnitude_;
    int fill_ = 0;  // samples in ring_ valid so far (starts at kFftSize / 2: zero padding)
    int64_t samples_pushed_ = 0;
    int64_t frames_emitted_ = 0;
};

}  // namespace amapiano::analysis
