// RhythmAnalyzer: tempo, beats, downbeats, onsets and swing of a piece of audio, streamed frame by
// frame from SpectralFrames.
//
// The stages (each in its own header): OnsetStrength keeps a multi-band onset strength and a chroma
// per frame (40 bytes; an hour of audio ~12 MB); at Finish() EstimateTempo picks the beat period
// (comb over the autocorrelation, dance-music octave prior), TrackBeats places the beats (dynamic
// programming), RefinePeriodFromBeats fits the final tempo to them, FindDownbeats chooses the bar
// phase (4/4), PickOnsets lists the onsets and MeasureSwing reads the swing of the 16ths from the
// high band (shakers and hats carry it) against the beat grid.
//
//   RhythmAnalyzer rhythm;
//   SpectralFrames stft([&](const SpectrumView& s) { rhythm.AddFrame(s); });
//   stft.Push(mono_22k);  ...  stft.Finish();
//   RhythmResult r = rhythm.Finish();
//   if (r.has_tempo) Use(r.bpm, r.beats_s, r.downbeats_s);
//
// Less than ~4 s of audio, silence, or an envelope without a steady pulse give has_tempo = false
// (bpm 0, no beats); swing is then 1 with zero confidence. Deterministic. Thread: one instance per
// thread; Finish() may be called more than once.
#pragma once

#include <span>
#include <vector>

#include "analysis/onset_strength.h"
#include "analysis/spectral_frames.h"

namespace amapiano::analysis {

inline constexpr double kMinRhythmSeconds = 4.0;

struct RhythmResult final {
    bool has_tempo = false;
    double bpm = 0.0;
    double bpm_confidence = 0.0;  // 0..1: ~0.8+ for a steady dance track, < 0.3 for noise or rubato
    std::vector<double> beats_s;
    std::vector<double> downbeats_s;  // bar starts (4/4), a subset of beats_s

    std::vector<double> onset_times_s;
    double onset_rate_hz = 0.0;  // onsets per second over the whole duration

    // Long:short ratio of the 16th pairs inside each 8th (1 straight, 2 triplet); 1 when there are no
    // off-16ths to measure (confidence 0).
    double swing_ratio = 1.0;
    double swing_confidence = 0.0;  // 0..1

    // Share of the 16th-note slots of the beat grid with a shaker/hat hit (SixteenthCoverage).
    double sixteenth_coverage = 0.0;
};

struct SwingEstimate final {
    double ratio = 1.0;
    double confidence = 0.0;
    int eighths = 0;  // 8th notes with an off-16th that counted
};

// Swing from an onset envelope (frames) and the beat grid (frames): in every 8th note, where the
// off-16th peaks (searched from 35 to 85 % of the 8th), relative to where the on-16th peaks; the
// weighted median over the track (weights: how far each peak rises above its 8th's mean).
SwingEstimate MeasureSwing(std::span<const float> envelope, std::span<const double> beat_frames);

// Rolling 16ths: the share of the 16th-note slots of the beats (frames) in which the high envelope
// (shakers, hats) has a hit that stands out of its slot — searched from 30 % of a 16th before the
// straight position to 45 % after it, so swung 16ths count. 0 without a usable grid.
double SixteenthCoverage(std::span<const float> high_envelope, std::span<const double> beat_frames);

class RhythmAnalyzer final {
public:
    void AddFrame(const SpectrumView& frame) { onsets_.AddFrame(frame); }
    RhythmResult Finish() const;

    // The per-frame onset data (envelopes, chroma) for analysers that need more than the result.
    const OnsetStrength& onset_strength() const { return onsets_; }

private:
    OnsetStrength onsets_;
};

}  // namespace amapiano::analysis
