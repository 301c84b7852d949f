// True-peak estimation (ITU-R BS.1770-4 Annex 2): 4x oversampling by polyphase FIR interpolation
// (windowed sinc, 12 taps per phase). Used by the analysis loudness report and by mastering's limiter.
//
//   TruePeakMeter meter(2);            // streaming, any channel count
//   meter.Push(block);  ...  float tp = meter.Peak();    // linear; 20*log10 for dBTP
//
//   float tp = std::max(sample_peak, StereoTruePeak(mix, 0, frames));   // one stereo buffer
//
// Thread: pure functions, any thread; a TruePeakMeter belongs to one thread.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace amapiano::analysis {

inline constexpr int kTruePeakOversampling = 4;

// The largest |value| of the interpolated points strictly between frames t and t+1, for t in
// [begin_frame, end_frame), over every channel of interleaved audio. The frames themselves are
// not included (combine with the sample peak). Samples outside the buffer count as zero.
float InterleavedTruePeak(std::span<const float> interleaved, int channels, size_t begin_frame,
                          size_t end_frame);

// The same for interleaved stereo (mastering's hot path).
float StereoTruePeak(std::span<const float> interleaved_stereo, size_t begin_frame, size_t end_frame);

// The true peak (linear) of a whole interleaved stereo buffer, including the samples.
float StereoTruePeakOfBuffer(std::span<const float> interleaved_stereo);

// True peak of a stream of interleaved blocks of any size: the same figure as measuring the whole
// signal at once (silence before the first and after the last sample).
class TruePeakMeter final {
public:
    explicit TruePeakMeter(int channels);
    void Push(std::span<const float> interleaved);
    // Linear peak of everything pushed (samples and interpolated points, the tail included).
    float Peak() const;

private:
    int channels_;
    std::vector<float> buffer_;  // the last frames still needed by the interpolator, then the new block
    size_t done_frames_ = 0;     // frames of buffer_ whose following gap has been measured
    float peak_ = 0.0f;
};

}  // namespace amapiano::analysis
