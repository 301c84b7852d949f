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
    float release_mult_;
    int64_t attack_frames_;
    int64_t glide_frames_;

    bool active_ = false;
    int64_t gate_left_ = 0;
    int64_t attack_left_ = 0;
    float amp_ = 0.0f;
    float attack_step_ = 0.0f;
    float amp_mult_ = 1.0f;
    double freq_hz_ = 0.0;
    double target_hz_ = 0.0;
    double glide_mult_ = 1.0;
    int64_t glide_left_ = 0;
    uint32_t phase_ = 0;
    uint32_t inc_ = 0;
};

}  // namespace amapiano::synth
