// Lead: a sax/flute-like melodic voice — a polyBLEP saw blended with a sine through a per-note
// low-pass, breath noise, delayed vibrato, a ~30 ms attack, monophonic with legato glides.
//
// Thread: see InstrumentEngine (one renderer thread; no allocation in NoteOn/Process).
#pragma once

#include <cstdint>
#include <span>

#include "compose/score.h"
#include "synth/dsp.h"
#include "synth/instrument_engine.h"
#include "synth/mono_voice.h"

namespace amapiano::synth {

class Lead final : public InstrumentEngine {
public:
    Lead(const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    const dsp::SineTable& sine_;
    double sample_rate_hz_;
    float sustain_mult_;
    float breath_mult_;
    int64_t attack_frames_;
    int64_t glide_frames_;
    int64_t vibrato_delay_frames_;
    float vibrato_max_depth_;  // frequency ratio - 1 at full vibrato
    float vibrato_ramp_step_;
    uint32_t vibrato_inc_;

    MonoVoice voice_;
    int64_t age_ = 0;      // frames since the last articulated (non-legato) note
    float breath_ = 0.0f;  // extra breath at the attack, decays
    float vibrato_depth_ = 0.0f;
    uint32_t vibrato_phase_ = 0;
    uint32_t sine_phase_ = 0;
    float sine_inc_ = 0.0f;  // phase units per frame, before vibrato
    dsp::BlepSaw saw_;
    dsp::Biquad tone_;
    dsp::Biquad breath_filter_;
    dsp::Noise noise_;
};

}  // namespace amapiano::synth
