// Bass: a deep sub bass under the chord roots — a sine with a touch of second harmonic, smooth
// attack and release, monophonic with legato glides between overlapping notes.
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

class Bass final : public InstrumentEngine {
public:
    Bass(const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    const dsp::SineTable& sine_;
    double sample_rate_hz_;
    float hz_to_phase_;
    float sustain_mult_;
    int64_t attack_frames_;
    int64_t glide_frames_;

    MonoVoice voice_;
    uint32_t phase_ = 0;
    uint32_t inc_ = 0;
};

}  // namespace amapiano::synth
