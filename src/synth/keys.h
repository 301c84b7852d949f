// Keys: a jazzy electric piano (Rhodes-like) for chord stabs and riffs — polyphonic two-operator FM
// (1:1 modulator whose index falls after the strike) plus a fast-decaying high modulator for the
// tine's bell-like attack. Velocity raises the modulation index (the "bark"); keys_brightness scales
// it. Keys decay slowly while held and are damped quickly on release.
//
// Thread: see InstrumentEngine (one renderer thread; no allocation in NoteOn/Process).
#pragma once

#include <cstdint>
#include <span>

#include "compose/score.h"
#include "synth/dsp.h"
#include "synth/instrument_engine.h"
#include "synth/note_envelope.h"
#include "synth/voice_pool.h"

namespace amapiano::synth {

class Keys final : public InstrumentEngine {
public:
    Keys(const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    static constexpr int kVoices = 32;

    struct Voice final {
        bool active = false;
        int pitch = 0;
        NoteEnvelope env;
        uint32_t carrier_phase = 0;
        uint32_t carrier_inc = 0;
        uint32_t mod_phase = 0;
        uint32_t mod_inc = 0;
        uint32_t tine_phase = 0;
        uint32_t tine_inc = 0;
        float index = 0.0f;  // decaying part of the 1:1 modulation index, in phase units
        float index_floor = 0.0f;
        float index_mult = 1.0f;
        float tine_index = 0.0f;  // high modulator, in phase units
        float tine_mult = 1.0f;
    };

    void ProcessVoice(Voice& voice, std::span<float> out);

    const dsp::SineTable& sine_;
    double sample_rate_hz_;
    double brightness_;
    float damp_mult_;
    float tail_mult_;
    VoicePool<Voice, kVoices> voices_;
};

}  // namespace amapiano::synth
