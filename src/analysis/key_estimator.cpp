#include "analysis/key_estimator.h"

#include <algorithm>
#include <numeric>

namespace amapiano::analysis {
namespace {

// Less sound than this (in seconds of non-silent frames) is not enough to name a key.
constexpr double kMinTonalSeconds = 0.5;

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

}  // namespace

KeyEstimator::KeyEstimator(const KeyEstimatorOptions& options)
    : options_(options), hpcp_(options.hpcp) {
    options_.frame_stride = std::max(1, options_.frame_stride);
}

void KeyEstimator::AddFrame(const SpectrumView& frame) {
    if (frame.index % options_.frame_stride != 0) return;
    hpcp_.AddSpectrum(frame.magnitude);
}

KeyEstimate KeyEstimator::Finish() const {
    KeyEstimate out;
    out.tuning_hz = hpcp_.TuningHz();
    out.chroma = hpcp_.Chroma(out.tuning_hz);
    const double tonal_seconds = double(hpcp_.tonal_frames() * options_.frame_stride) / kFrameRateHz;
    if (tonal_seconds < kMinTonalSeconds) return out;

    std::array<double, 12> gated = out.chroma;
    for (double& c : gated) c = c < options_.pcp_threshold ? 0.0 : c;
    const KeyRanking r = RankKeys(gated, Profile(options_.profile));
    if (r.best.correlation <= 0.0) return out;
    out.has_key = true;
    out.tonic_pc = r.best.key.tonic_pc;
    out.mode = r.best.key.mode;

    // Shape: how far the chroma is from flat (noise gives ~0.1, a chord progression ~0.5 or more).
    const double mean = std::accumulate(out.chroma.begin(), out.chroma.end(), 0.0) / 12.0;
    const double shape = Clamp01((1.0 - mean) / 0.5);
    // Fit: the correlation with the winning key; margin: how clearly it beats the runner-up.
    const double fit = Clamp01(r.best.correlation);
    const double margin = Clamp01((r.best.correlation - r.runner_up.correlation) / 0.1);
    out.confidence = Clamp01(shape * fit * (0.5 + 0.5 * margin));
    return out;
}

}  // namespace amapiano::analysis
