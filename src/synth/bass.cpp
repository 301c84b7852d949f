#include "synth/bass.h"

#include <algorithm>

namespace amapiano::synth {
namespace {

constexpr double kAttack_s = 0.008;
constexpr double kRelease_s = 0.045;
constexpr double kSustainDecay_s = 3.0;
constexpr double kGlide_s = 0.035;
constexpr float kSecondHarmonic = 0.14f;  // audible on small speakers, still "sub"
constexpr float kOutputGain = 0.85f;

}  // namespace

Bass::Bass(const compose::SoundDesign& /*sound*/, double sample_rate_hz)
    : sine_(dsp::SineTable::Get()),
      sample_rate_hz_(sample_rate_hz),
      hz_to_phase_(static_cast<float>(dsp::kPhaseUnitsPerCycle / sample_rate_hz)),
      sustain_mult_(dsp::DecayMultiplier(kSustainDecay_s, sample_rate_hz)),
      attack_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sample_rate_hz))),
      glide_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kGlide_s, sample_rate_hz))) {
    voice_.env.SetReleaseMultiplier(dsp::DecayMultiplier(kRelease_s, sample_rate_hz));
}

void Bass::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t /*seed*/) {
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 12, 72));
    const float peak = std::clamp(event.velocity, 0.0f, 1.0f) * kOutputGain;
    const bool legato = voice_.Legato();
    if (legato) {
        voice_.glide.SlideTo(note_hz, glide_frames_);
    } else {
        if (!voice_.active) phase_ = 0;  // otherwise keep the phase: the release tail flows into the new note
        voice_.glide.JumpTo(note_hz);
        inc_ = dsp::PhaseIncrement(note_hz, sample_rate_hz_);
    }
    voice_.Start(peak, attack_frames_, std::max<int64_t>(1, duration_frames), sustain_mult_);
}

void Bass::Process(std::span<float> out) {
    if (!voice_.active) return;
    // Hot state in locals: stores to `out` could otherwise alias the members and force reloads.
    MonoVoice voice = voice_;
    uint32_t phase = phase_;
    uint32_t inc = inc_;
    const float hz_to_phase = hz_to_phase_;
    const dsp::SineTable& sine = sine_;
    for (float& sample : out) {
        const float amp = voice.env.Next<ReleaseMode::kCutAttack>();
        if (voice.glide.Next()) {
            inc = static_cast<uint32_t>(static_cast<float>(voice.glide.Hz()) * hz_to_phase);
        }
        phase += inc;
        sample += amp * (sine.At(phase) + kSecondHarmonic * sine.At(phase * 2u)) *
                  (1.0f / (1.0f + kSecondHarmonic));
        if (voice.env.Finished()) {
            voice.Stop();
            break;
        }
    }
    voice_ = voice;
    phase_ = phase;
    inc_ = inc;
}

}  // namespace amapiano::synth
