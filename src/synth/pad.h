// Pad: a warm sustained chord pad — two slightly detuned polyBLEP saws per note through a gentle
// per-note low-pass, with a slow attack and a long release. Polyphonic.
//
// Thread: see InstrumentEngine (one renderer thread; no allocation in NoteOn/Process).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "compose/score.h"
#include "synth/dsp.h"
#include "synth/instrument_engine.h"
#include "synth/note_envelope.h"
#include "synth/voice_pool.h"

namespace amapiano::synth {

class Pad final : public InstrumentEngine {
public:
    Pad(const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    static constexpr int kVoices = 24;
    static constexpr int kSaws = 2;

    struct Voice final {
        bool active = false;
        NoteEnvelope env;
        std::array<dsp::BlepSaw, kSaws> saws{};
        dsp::Biquad low_pass;
    };

    void ProcessVoice(Voice& voice, std::span<float> out);

    double sample_rate_hz_;
    double brightness_;
    float tail_mult_;
    VoicePool<Voice, kVoices> voices_;
};

}  // namespace amapiano::synth
