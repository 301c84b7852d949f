// Beat tracking and bar phase: where the beats fall, given the tempo, and which of them start bars.
//
// TrackBeats is Ellis's (2007) dynamic programme: the onset envelope, normalised and smoothed into a
// local score, is walked frame by frame keeping the best cumulative score of a beat sequence ending
// at each frame, where stepping from one beat to the next costs tightness * log(gap / period)^2; the
// best sequence is traced back from the best end within the last period. Beats in the (near-)silence
// before the music starts and after it ends are trimmed, and each beat is placed on the sub-frame
// peak of the local score. Cost: O(frames x period).
//
// FindDownbeats assumes 4/4. Each beat gets a downbeat cue — a chord change (the chroma distance
// between the bar after the beat and the bar before it, counted above a floor so that a drum loop's
// wobbles do not count) and, weighted less, a kick / bass accent (low-band onset; not the overall
// accent, which claps put on beats 2 and 4). A Viterbi pass over the beats then chooses each beat's
// position in the bar (0..3, advancing by one per beat; a rare phase jump is allowed, so that a
// skipped beat in a long mix only disturbs a bar or two) to maximise the cue on the positions 0.
//
//   std::vector<double> beats = TrackBeats(envelope, tempo.period_frames, 5000.0);  // frames, ascending
//   std::vector<size_t> bars = FindDownbeats(beats, env, onsets.frames());       // indices into beats
//
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "analysis/onset_strength.h"

namespace amapiano::analysis {

// Beat positions in frames (sub-frame, latency compensated), ascending; empty for a flat envelope.
// `tightness` 100 is Ellis's (tempo-following); RhythmAnalyzer uses 5000 (a near-rigid grid).
std::vector<double> TrackBeats(std::span<const float> envelope, double period_frames,
                               double tightness = 100.0);

// Indices (into `beat_frames`) of the beats that start a bar.
std::vector<size_t> FindDownbeats(std::span<const double> beat_frames, const OnsetEnvelopes& envelopes,
                                  std::span<const OnsetFrame> frames);

}  // namespace amapiano::analysis
