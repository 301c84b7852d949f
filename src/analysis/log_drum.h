// Log drum detection: is amapiano's signature pitched bass drum playing, and how busy is it?
//
// The log drum (GENRE.md) is a pitched, decaying, often gliding low-frequency hit (40–180 Hz) that
// plays syncopated lines *between* the beats, while the kick stays on them. The detector finds the
// hits in the low register (35–180 Hz) from the per-frame summaries, places each on the beat grid,
// and keeps the off-beat ones that sound like a log drum: a fresh attack in the register (flux),
// tonal (one partial dominates) and sounding for at least ~100 ms. A log-drum *line* is syncopated
// (hits on the 16ths around the beat, not only on the 8th "and") or melodic (it moves by a few
// semitones or octaves); one note on every off-beat 8th is a techno bass, not a log drum.
//
//   LogDrumResult r = DetectLogDrum(features.frames(), rhythm.beats_s);
//   if (r.present) ...  r.hits_per_bar  // in the bars where it plays
//
// Without a beat grid (no tempo) nothing can be "between the beats": the result is absent with
// zero confidence. Pure function; any thread.
#pragma once

#include <span>
#include <vector>

#include "analysis/spectral_features.h"

namespace amapiano::analysis {

struct LogDrumResult final {
    bool present = false;
    double confidence = 0.0;    // 0..1
    double hits_per_bar = 0.0;  // mean off-beat log-drum hits per bar, over the bars where it plays
    double bar_coverage = 0.0;  // share of the track's bars with at least one hit
    int hits = 0;               // off-beat log-drum hits found
    double median_pitch_hz = 0.0;
    double pitch_range_st = 0.0;  // spread of the hits' pitches (10th to 90th percentile), semitones
    double syncopation = 0.0;     // share of the hits on 16th positions rather than the 8th "and"
    double decay_s = 0.0;         // median time constant of the hits' decay (exp(-t / decay_s)), seconds
};

struct LowHit final {
    double time_s = 0.0;
    double beat_phase = 0.0;  // position inside its beat, 0 = on the beat .. 1 = next beat
    bool off_beat = false;
    bool tonal = false;
    double sustain_s = 0.0;
    double pitch_hz = 0.0;
    double decay_db_per_s = 0.0;  // how fast the low register falls over the first ~120 ms after the peak
};

// The low-register hits, each with its place on the beat grid and its sound (exposed for tests and
// for the validator's explanations).
std::vector<LowHit> FindLowHits(std::span<const FrameSummary> frames, std::span<const double> beats_s);

LogDrumResult DetectLogDrum(std::span<const FrameSummary> frames, std::span<const double> beats_s);

}  // namespace amapiano::analysis
