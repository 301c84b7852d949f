// Humanisation: swing, micro-timing and velocity variation applied to the grid events.
//
// Swing: off-16ths (odd steps: the "e" and "a" of each beat) are delayed by
//   (swing_percent - 50) / 200 beats,
// i.e. in a pair of 16ths the second one starts at swing_percent % of the 8th note (50 % =
// straight, 66.7 % = triplet feel, the MPC convention). At 113 BPM and 55 % that is 0.025 beats,
// about 13 ms. The kick is never moved (it keeps the grid and the tempo unambiguous); every other
// part swings. Micro-timing adds a small Gaussian offset per note (a few ms; the clap and log drum
// least, keys and lead most), and velocity varies by a few percent. NoteEvent::step keeps the grid
// position; start_beats becomes the performed onset, clamped to [0, limit_beats).
#pragma once

#include <vector>

#include "compose/instrument.h"
#include "compose/score.h"
#include "core/random.h"

namespace amapiano::compose {

// The swing delay of grid step `step`, in beats.
double SwingOffsetBeats(int64_t step, double swing_percent);

void Humanize(Instrument instrument, double swing_percent, double bpm, double limit_beats, Rng& rng,
              std::vector<NoteEvent>& events);

}  // namespace amapiano::compose
