// Tempo: the beat period of an onset-strength envelope, with a dance-music choice of metrical level.
//
// EstimateTempo is in the spirit of Percival & Tzanetakis (2014) and Davies' comb filters, with a
// prior in place of their octave classifier: the envelope is whitened (local mean removed, half-wave
// rectified) and autocorrelated, over the whole signal, at the lags of 60–200 BPM and their
// multiples (a direct sum: the lag range is short); each candidate period T is scored
// by a harmonic comb, the autocorrelation at T, 2T, 3T and 4T (a true beat period is confirmed by
// its multiples, an off-beat or 3:2 lag is not), times a log-Gaussian prior on the tempo centred on
// 118 BPM (0.6 octave wide) that picks the metrical level a dancer would, between half- and
// double-time readings. The best period is then located to a small fraction of a frame from the
// peaks of the autocorrelation near T..4T. RefinePeriodFromBeats sharpens it further with a least-
// squares fit of the tracked beats (which sit on the envelope's peaks, not on a lag grid).
//
//   TempoEstimate t = EstimateTempo(envelopes.all);
//   if (t.found) beats = TrackBeats(envelopes.all, t.period_frames);
//   double period = RefinePeriodFromBeats(beats, t.period_frames);   // BpmOfPeriod(period)
//
// Cost: O(frames x 350) multiply-adds (~2 M per minute of audio). Pure functions; any thread.
#pragma once

#include <span>
#include <vector>

#include "analysis/spectral_frames.h"

namespace amapiano::analysis {

struct TempoOptions final {
    double min_bpm = 60.0;
    double max_bpm = 200.0;
    double prior_bpm = 118.0;    // centre of the metrical-level prior
    double prior_octaves = 0.6;  // its standard deviation, in octaves
};

struct TempoCandidate final {
    double bpm = 0.0;
    double score = 0.0;  // comb salience x prior (relative: the best is 1)
};

struct TempoEstimate final {
    bool found = false;
    double period_frames = 0.0;  // beat period in envelope frames, sub-frame precision
    double bpm = 0.0;
    // Normalised autocorrelation of the whitened envelope at the period and its multiples (0 for
    // noise, towards 1 for a strictly periodic pulse).
    double periodicity = 0.0;
    std::vector<TempoCandidate> candidates;  // local maxima of the score, best first (at most 5)
};

inline double BpmOfPeriod(double period_frames) { return 60.0 * kFrameRateHz / period_frames; }
inline double PeriodOfBpm(double bpm) { return 60.0 * kFrameRateHz / bpm; }

// Needs at least two periods of the slowest tempo; `found` is false for a flat envelope.
TempoEstimate EstimateTempo(std::span<const float> envelope, const TempoOptions& options = {});

// The beat period that best fits the beat positions (frames): each gap is counted as a whole number
// of periods near `period_frames` (so skipped beats do not bias it), gaps that fit no whole number
// split the beats into runs, and one period is fitted over all runs (each with its own phase), twice,
// dropping beats more than a tenth of a period off the first fit. Returns `period_frames` when
// fewer than 8 beats fit or the fit strays more than 4 % from it.
double RefinePeriodFromBeats(std::span<const double> beat_frames, double period_frames);

}  // namespace amapiano::analysis
