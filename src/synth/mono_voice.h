// MonoVoice: the one voice of a monophonic legato engine (bass, lead, log drum) — whether it
// sounds, its amplitude envelope and its pitch glide — and the legato rule they share: a note that
// starts while the previous one is still held glides to its pitch instead of re-articulating.
//
//   const bool legato = voice_.Legato();
//   if (legato) voice_.glide.SlideTo(note_hz, glide_frames_); else voice_.glide.JumpTo(note_hz);
//   voice_.Start(peak, attack_frames, gate_frames, sustain_mult);
//
//   MonoVoice voice = voice_;  // Process(): a local copy, so stores to `out` cannot alias it
//   for (float& sample : out) {
//       const float amp = voice.env.Next<ReleaseMode::kCutAttack>();
//       ...
//       if (voice.env.Finished()) { voice.Stop(); break; }
//   }
//   voice_ = voice;
//
// Thread: a plain value owned by one engine; used on the renderer thread only. Never allocates.
#pragma once

#include <cstdint>

#include "synth/glide.h"
#include "synth/note_envelope.h"

namespace amapiano::synth {

struct MonoVoice final {
    bool active = false;
    NoteEnvelope env;
    Glide glide;

    // A note starting now is legato: the previous one still sounds and its key is still held.
    [[nodiscard]] bool Legato() const { return active && env.Held(); }
    // Triggers the envelope (see NoteEnvelope::Trigger) and marks the voice sounding.
    void Start(float peak, int64_t attack_frames, int64_t gate_frames, float sustain_mult) {
        env.Trigger(peak, attack_frames, gate_frames, sustain_mult);
        active = true;
    }
    // Frees the voice; the next note starts from silence.
    void Stop() {
        active = false;
        env.SetLevel(0.0f);
    }
};

}  // namespace amapiano::synth
