// Glide: the pitch of a monophonic legato voice — holds a frequency, or slides log-linearly
// (a constant ratio per frame) to a new one over a fixed number of frames, landing exactly on it.
//
//   Glide glide;
//   glide.JumpTo(110.0);                 // an articulated note
//   glide.SlideTo(220.0, glide_frames);  // a legato note: from the current pitch
//   if (glide.Next()) inc = ...;         // per frame; true while (and when) the pitch moved
//
// Thread: a plain value owned by one voice; used on the renderer thread only. Never allocates.
#pragma once

#include <cmath>
#include <cstdint>

namespace amapiano::synth {

class Glide final {
public:
    // Sets the pitch at once and stops any slide.
    void JumpTo(double hz) {
        hz_ = hz;
        target_hz_ = hz;
        left_ = 0;
    }
    // Slides from the current pitch to `target_hz` over `frames` (>= 1) frames. Not per sample:
    // computes one std::pow.
    void SlideTo(double target_hz, int64_t frames) {
        target_hz_ = target_hz;
        left_ = frames;
        mult_ = std::pow(target_hz / hz_, 1.0 / static_cast<double>(frames));
    }
    // Advances one frame; returns true if the pitch changed on it.
    bool Next() {
        if (left_ <= 0) return false;
        hz_ *= mult_;
        if (--left_ == 0) hz_ = target_hz_;
        return true;
    }
    [[nodiscard]] double Hz() const { return hz_; }

private:
    double hz_ = 0.0;
    double target_hz_ = 0.0;
    double mult_ = 1.0;
    int64_t left_ = 0;
};

}  // namespace amapiano::synth
