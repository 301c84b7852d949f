// InstrumentEngine: the sound of one instrument family — a pool of voices that the track renderer
// triggers at exact frames and asks for audio between triggers.
//
// The renderer splits each Render() block at event onsets, so an engine only sees "start this note
// now" and "add the next n frames". Engines advance their state strictly frame by frame, which is
// what makes the output independent of block sizes.
//
// Thread: owned and called by one TrackRenderer, on one thread at a time. NoteOn() and Process()
// never allocate, lock, log or throw: voice pools are reserved in the constructor.
#pragma once

#include <cstdint>
#include <span>

#include "compose/score.h"

namespace amapiano::synth {

class InstrumentEngine {
public:
    virtual ~InstrumentEngine() = default;
    // Starts `event` at the current frame. `duration_frames` (>= 1) is how long the key is held;
    // `seed` is a per-event value for the voice's noise source.
    virtual void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) = 0;
    // Adds the next out.size() frames of every sounding voice to `out`.
    virtual void Process(std::span<float> out) = 0;
};

}  // namespace amapiano::synth
