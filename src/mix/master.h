// Mastering: loudness normalisation to a target (EBU R128 integrated loudness) and
// a true-peak limiter, applied in place to a whole stereo mix.
//
//   Result<MasterReport> report = MasterInPlace(mix, 44100.0, -14.0, -1.0);
//   // report->integrated_lufs within +-0.5 of -14, report->true_peak_dbtp <= -1
//
// A fast BS.1770 meter over 32-frame chunks steers the gain search and the limiter (tests hold it to
// libebur128 within 0.01 LU); MeasureIntegratedLoudness gives libebur128's own figure for reports.
#pragma once

#include <span>

#include "core/error.h"

namespace amapiano::mix {

struct MasterReport final {
    double input_lufs = 0.0;        // integrated loudness before mastering
    double integrated_lufs = 0.0;   // after
    double true_peak_dbtp = 0.0;    // after (4x oversampled)
    double gain_db = 0.0;           // static gain applied before the limiter
    double max_reduction_db = 0.0;  // deepest limiter gain reduction
};

// Normalises `interleaved_stereo` to `target_lufs` with true peak <= `ceiling_dbtp`.
// Silence (no gated blocks) is left untouched and reported as -70 LUFS.
// Errors: kInvalidArgument for an odd sample count or a non-positive sample rate; kInternal when
// libebur128 cannot be initialised.
Result<MasterReport> MasterInPlace(std::span<float> interleaved_stereo, double sample_rate_hz,
                                   double target_lufs, double ceiling_dbtp);

// EBU R128 integrated loudness of interleaved stereo, measured by libebur128; -70 LUFS for silence.
// Errors: kInternal when libebur128 cannot be initialised.
Result<double> MeasureIntegratedLoudness(std::span<const float> interleaved_stereo, double sample_rate_hz);

}  // namespace amapiano::mix
