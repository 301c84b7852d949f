// NoteEnvelope: the amplitude envelope of one synth voice — a linear attack ramp to a peak, an
// exponential decay while the key is held, a (faster) exponential release after the gate ends, and
// for polyphonic voices a quick fade once the tail is inaudible so the voice can be freed.
//
// What happens when the gate ends differs between instruments and is chosen at compile time with
// ReleaseMode, so the per-sample step stays a handful of inline operations with no branches on it:
//
//   NoteEnvelope env = voice.env;  // local copy in the hot loop
//   for (float& sample : out) {
//       const float amp = env.Next<ReleaseMode::kCutAttack>();
//       sample += amp * Oscillator();
//       if (env.FadeTail(kTailLevel, tail_mult)) { voice.active = false; break; }
//   }
//   voice.env = env;
//
// Thread: a plain value owned by one voice; used on the renderer thread only. Never allocates.
#pragma once

#include <algorithm>
#include <cstdint>

#include "synth/dsp.h"

namespace amapiano::synth {

// What the envelope does on the frame the gate (the held key) ends.
enum class ReleaseMode {
    // The release multiplier replaces the held decay; an unfinished attack still completes (log drum).
    kAfterAttack,
    // The release multiplier replaces the held decay and the attack stops where it is (pad, bass, lead).
    kCutAttack,
    // The faster of the current multiplier and the release one; the attack completes (keys, whose
    // held decay may already be a fast same-key damp).
    kFasterOfDecayAndRelease,
};

class NoteEnvelope final {
public:
    // Starts a note from the current level: ramps linearly to `peak` over `attack_frames` (>= 1),
    // then decays by `sustain_mult` per frame until `gate_frames` have passed since the trigger.
    void Trigger(float peak, int64_t attack_frames, int64_t gate_frames, float sustain_mult) {
        attack_left_ = attack_frames;
        attack_step_ = (peak - amp_) / static_cast<float>(attack_frames);
        gate_left_ = gate_frames;
        amp_mult_ = sustain_mult;
    }
    // Per-frame multiplier applied after the gate ends (see ReleaseMode).
    void SetReleaseMultiplier(float release_mult) { release_mult_ = release_mult; }
    // Sets the current level (e.g. 0 for a voice that starts from silence).
    void SetLevel(float amp) { amp_ = amp; }
    // Ends the gate now and decays by `mult` per frame from here on (a re-struck key's damper).
    void Damp(float mult) {
        gate_left_ = 0;
        amp_mult_ = mult;
    }

    // Advances one frame and returns its amplitude.
    template <ReleaseMode kMode>
    float Next() {
        if (attack_left_ > 0) {
            amp_ += attack_step_;
            --attack_left_;
        } else {
            amp_ *= amp_mult_;
        }
        if (gate_left_ > 0 && --gate_left_ == 0) {
            if constexpr (kMode == ReleaseMode::kFasterOfDecayAndRelease) {
                amp_mult_ = std::min(amp_mult_, release_mult_);
            } else {
                amp_mult_ = release_mult_;
                if constexpr (kMode == ReleaseMode::kCutAttack) attack_left_ = 0;
            }
        }
        return amp_;
    }

    // Call after Next(): once past the attack and below `tail_level`, decays at least as fast as
    // `tail_mult`. Returns true when the level is below dsp::kSilence and the voice may be freed.
    bool FadeTail(float tail_level, float tail_mult) {
        if (attack_left_ == 0 && amp_ < tail_level) {
            amp_mult_ = std::min(amp_mult_, tail_mult);
            if (amp_ < dsp::kSilence) return true;
        }
        return false;
    }

    // Past the attack and below dsp::kSilence.
    [[nodiscard]] bool Finished() const { return attack_left_ == 0 && amp_ < dsp::kSilence; }
    // The key is still held.
    [[nodiscard]] bool Held() const { return gate_left_ > 0; }
    [[nodiscard]] float Level() const { return amp_; }

private:
    int64_t attack_left_ = 0;
    int64_t gate_left_ = 0;
    float amp_ = 0.0f;
    float attack_step_ = 0.0f;
    float amp_mult_ = 1.0f;
    float release_mult_ = 1.0f;
};

}  // namespace amapiano::synth
