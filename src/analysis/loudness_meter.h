// LoudnessMeter: EBU R128 / ITU-R BS.1770 loudness of a whole programme, streamed (libebur128).
//
// Measures integrated loudness, loudness range (EBU Tech 3342) and the maxima of momentary (400 ms)
// and short-term (3 s) loudness with libebur128 (the maxima from its 100 ms window energies, sampled
// every 100 ms), and the true peak with the BS.1770-4 Annex 2 interpolator (true_peak.h; libebur128's
// own true-peak mode costs three times the rest together). All of it on the audio at its original
// rate and channel layout — before any downmix or resampling, as a streaming platform measures.
//
//   auto meter = LoudnessMeter::Create(48000, 2);
//   (*meter)->Push(interleaved_block);  ...
//   LoudnessResult r = (*meter)->Finish();   // r.integrated_lufs, r.range_lu, ...
//
// Silence floors every level at kLoudnessFloorLufs (the absolute gate of BS.1770); a programme
// shorter than 400 ms has no gated block and reads as silence. Thread: one instance per thread.
#pragma once

#include <memory>
#include <span>

#include "core/error.h"

namespace amapiano::analysis {

inline constexpr double kLoudnessFloorLufs = -70.0;

struct LoudnessResult final {
    double integrated_lufs = kLoudnessFloorLufs;
    double range_lu = 0.0;
    double true_peak_dbtp = kLoudnessFloorLufs;  // dB relative to full scale, floored like loudness
    double momentary_max_lufs = kLoudnessFloorLufs;
    double short_term_max_lufs = kLoudnessFloorLufs;
};

class LoudnessMeter final {
public:
    // Channel layout: 1 = mono, 2 = L R, 4 = L R Ls Rs, 5 = L R C Ls Rs, 6-8 = L R C LFE Ls Rs and
    // up to two more surrounds (SMPTE order, as FFmpeg decodes). Errors: kUnsupported
    // for rates outside 8–384 kHz or more than 8 channels; kInternal if libebur128 cannot start.
    static Result<std::unique_ptr<LoudnessMeter>> Create(int sample_rate_hz, int channels);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    // Appends interleaved samples (a whole number of frames).
    void Push(std::span<const float> interleaved);
    LoudnessResult Finish();

private:
    struct State;
    explicit LoudnessMeter(std::unique_ptr<State> state);
    void Measure100ms();
    std::unique_ptr<State> state_;
};

}  // namespace amapiano::analysis
