// TrackRenderer: turns one Track of a Score into a mono float signal, block by block.
//
// Our own DSP for every instrument (log drum, kick, shaker, clap, hats, rim, percussion, keys, pad,
// bass, lead). Rendering is deterministic: the same Track, Score and sample rate give bit-identical
// samples, whatever block sizes the caller uses.
//
//   auto renderer = synth::CreateTrackRenderer(score.tracks[0], score, 44100.0);
//   std::vector<float> block(1024);
//   renderer->Render(block);   // frames 0..1023
//   renderer->Render(block);   // frames 1024..2047
//
// Thread: one renderer is used by one thread at a time. Render() does not allocate, lock, log or
// throw; all memory is reserved at creation. The Track and Score must outlive the renderer.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "compose/score.h"

namespace amapiano::synth {

class TrackRenderer {
public:
    virtual ~TrackRenderer() = default;
    // Overwrites `out` with the next out.size() frames of this track (full-scale float, peaks
    // roughly within +-1), continuing where the previous call stopped.
    virtual void Render(std::span<float> out) = 0;
};

// A renderer for `track` (sound chosen by track.instrument, tuned by score.sound), starting at frame 0.
std::unique_ptr<TrackRenderer> CreateTrackRenderer(const compose::Track& track, const compose::Score& score,
                                                   double sample_rate_hz);

// The frame at which an event at `beats` starts: llround(beats * 60 / bpm * sample_rate_hz).
int64_t BeatsToFrame(double beats, double bpm, double sample_rate_hz);

}  // namespace amapiano::synth
