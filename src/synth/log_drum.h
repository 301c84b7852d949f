// LogDrum: the genre's signature pitched bass drum — a monophonic sine body with a falling pitch
// "knock", exponential decay, an onset click, portamento between overlapping notes, tanh saturation
// and a low-pass, all tuned by compose::SoundDesign.
//
// A note that starts while the previous one is still held glides from the current pitch (no new
// knock or click); otherwise it retriggers, continuing the phase so nothing clicks.
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

class LogDrum final : public InstrumentEngine {
public:
    LogDrum(const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    const dsp::SineTable& sine_;
    double sample_rate_hz_;
    // Per-renderer constants from SoundDesign.
    float decay_mult_;
    float knock_mult_;
    double knock_ratio_;  // start frequency / note frequency
    int64_t glide_frames_;
    float drive_;
    float drive_norm_;
    float click_mult_;
    float hz_to_phase_;
    int64_t attack_frames_;
    dsp::Biquad low_pass_;
    dsp::Noise noise_;

    // Voice state.
    MonoVoice voice_;        // envelope: decay while held, release after
    double knock_hz_ = 0.0;  // extra frequency of the pitch envelope, decays to 0
    float click_amp_ = 0.0f;
    uint32_t phase_ = 0;
};

}  // namespace amapiano::synth
