// MonoResampler: turns interleaved float audio at any rate and channel count into mono at one rate.
//
// The analysis engine works on mono at 22050 Hz; this is the step between AudioDecoder and it.
// Channels are averaged with equal weights (so 4 or 6 channels downmix as sanely as stereo), then
// libswresample converts the rate with a windowed-sinc filter that removes what lies above the new
// Nyquist frequency (flat to 0.41 x the output rate, > 90 dB down from 0.59 x). The output is
// aligned with the input (its first sample is the first input instant, no filter latency) and, after
// Flush(), holds exactly round(n * output_rate / input_rate) samples for n input frames. Equal rates
// only downmix. Streaming: feed blocks of any size; the result does not depend on how the input was
// cut.
//
//   auto resampler = MonoResampler::Create(44100, 2, 22050);
//   if (!resampler) return resampler.error();
//   std::vector<float> mono;
//   (*resampler)->Push(block, mono);   // appends; repeat per decoded block
//   (*resampler)->Flush(mono);         // the last few samples
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/error.h"

namespace amapiano::audio {

class MonoResampler final {
public:
    // Rates in (0, 768000] Hz at most 256 times apart, channels in [1, 64]. Errors:
    // kInvalidArgument naming the bad value; kInternal if libswresample cannot be set up.
    static Result<std::unique_ptr<MonoResampler>> Create(int input_rate_hz, int channels, int output_rate_hz);
    ~MonoResampler();
    MonoResampler(const MonoResampler&) = delete;
    MonoResampler& operator=(const MonoResampler&) = delete;

    // Downmixes and resamples `interleaved` (a whole number of frames; a trailing partial frame is
    // ignored) and appends the samples that are ready to `mono_out`.
    void Push(std::span<const float> interleaved, std::vector<float>& mono_out);
    // Appends the samples still held by the filter. The stream is then complete; a later Push()
    // starts a new one.
    void Flush(std::vector<float>& mono_out);

    int input_rate_hz() const;
    int channels() const;
    int output_rate_hz() const;

private:
    struct Impl;
    explicit MonoResampler(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::audio
