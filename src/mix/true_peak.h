// True-peak estimation: 4x oversampling by polyphase FIR interpolation (windowed sinc, 12 taps per
// phase, as in ITU-R BS.1770-4 Annex 2).
//
//   float tp = std::max(sample_peak, StereoTruePeak(mix, 0, frames));
//
// Thread: pure functions, any thread.
#pragma once

#include <cstddef>
#include <span>

namespace amapiano::mix {

inline constexpr int kTruePeakOversampling = 4;

// The largest |value| of the interpolated points strictly between frames t and t+1, for t in
// [begin_frame, end_frame), over both channels of interleaved stereo. The frames themselves are
// not included (combine with the sample peak). Samples outside the buffer count as zero.
float StereoTruePeak(std::span<const float> interleaved_stereo, size_t begin_frame, size_t end_frame);

// The true peak (linear) of a whole interleaved stereo buffer, including the samples.
float StereoTruePeakOfBuffer(std::span<const float> interleaved_stereo);

}  // namespace amapiano::mix
