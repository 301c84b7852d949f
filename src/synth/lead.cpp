#include "synth/lead.h"

#include <algorithm>
#include <cmath>

namespace amapiano::synth {
namespace {

constexpr double kAttack_s = 0.03;
constexpr double kRelease_s = 0.06;
constexpr double kSustainDecay_s = 8.0;
constexpr double kGlide_s = 0.045;
constexpr double kVibratoDelay_s = 0.2;
constexpr double kVibratoRamp_s = 0.35;
constexpr double kVibratoHz = 5.3;
constexpr double kVibratoCents = 22.0;
constexpr double kBreathDecay_s = 0.08;
constexpr float kBreathFloor = 0.05f;
constexpr float kBreathAttack = 0.25f;
constexpr float kSawLevel = 0.55f;
constexpr float kSineLevel = 0.45f;
constexpr float kOutputGain = 0.6f;

}  // namespace

Lead::Lead(const compose::SoundDesign& /*sound*/, double sample_rate_hz)
    : sine_(dsp::SineTable::Get()),
      sample_rate_hz_(sample_rate_hz),
      sustain_mult_(dsp::DecayMultiplier(kSustainDecay_s, sample_rate_hz)),
      breath_mult_(dsp::DecayMultiplier(kBreathDecay_s, sample_rate_hz)),
      attack_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sample_rate_hz))),
      glide_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kGlide_s, sample_rate_hz))),
      vibrato_delay_frames_(dsp::SecondsToFrames(kVibratoDelay_s, sample_rate_hz)),
      vibrato_max_depth_(static_cast<float>(std::pow(2.0, kVibratoCents / 1200.0) - 1.0)),
      vibrato_ramp_step_(vibrato_max_depth_ / static_cast<float>(kVibratoRamp_s * sample_rate_hz)),
      vibrato_inc_(dsp::PhaseIncrement(kVibratoHz, sample_rate_hz)) {
    breath_filter_.Set(dsp::FilterKind::kBandPass, 2600.0, 0.8, sample_rate_hz);
    voice_.env.SetReleaseMultiplier(dsp::DecayMultiplier(kRelease_s, sample_rate_hz));
}

void Lead::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) {
    const double sr = sample_rate_hz_;
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 24, 108));
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    const bool legato = voice_.Legato();
    if (legato) {
        voice_.glide.SlideTo(note_hz, glide_frames_);
    } else {
        if (!voice_.active) {
            saw_.Set(note_hz, sr, 0.0f);
            sine_phase_ = 0;
            tone_.Reset();
            breath_filter_.Reset();
        }
        voice_.glide.JumpTo(note_hz);
        age_ = 0;
        vibrato_depth_ = 0.0f;
        vibrato_phase_ = 0;
        breath_ = kBreathAttack;
        noise_.Seed(seed);
    }
    saw_.SetFrequency(voice_.glide.Hz(), sr);
    sine_inc_ = static_cast<float>(voice_.glide.Hz() / sr * dsp::kPhaseUnitsPerCycle);
    // Brighter when blown harder; the cutoff follows the note so every register sounds alike.
    const double cutoff_hz = std::clamp(note_hz * (3.0 + 4.0 * velocity), 900.0, 6000.0);
    tone_.Set(dsp::FilterKind::kLowPass, cutoff_hz, 0.9, sr);
    const float peak = static_cast<float>((0.45 + 0.55 * velocity) * kOutputGain);
    voice_.Start(peak, legato ? attack_frames_ / 3 + 1 : attack_frames_,
                 std::max<int64_t>(1, duration_frames), sustain_mult_);
}

void Lead::Process(std::span<float> out) {
    if (!voice_.active) return;
    const double sr = sample_rate_hz_;
    // Envelope and pitch in locals: stores to `out` could otherwise alias them and force reloads.
    MonoVoice voice = voice_;
    for (float& sample : out) {
        const float amp = voice.env.Next<ReleaseMode::kCutAttack>();
        if (voice.glide.Next()) {
            // Only while gliding: a division per frame is fine for one monophonic voice.
            saw_.SetFrequency(voice.glide.Hz(), sr);
            sine_inc_ = static_cast<float>(voice.glide.Hz() / sr * dsp::kPhaseUnitsPerCycle);
        }
        ++age_;
        if (age_ > vibrato_delay_frames_ && vibrato_depth_ < vibrato_max_depth_) {
            vibrato_depth_ = std::min(vibrato_max_depth_, vibrato_depth_ + vibrato_ramp_step_);
        }
        vibrato_phase_ += vibrato_inc_;
        const float ratio = 1.0f + vibrato_depth_ * sine_.At(vibrato_phase_);
        sine_phase_ += static_cast<uint32_t>(sine_inc_ * ratio);
        const float tone = kSawLevel * saw_.NextScaled(ratio) + kSineLevel * sine_.At(sine_phase_);
        breath_ = kBreathFloor + (breath_ - kBreathFloor) * breath_mult_;
        const float breath = breath_filter_.Process(noise_.Next()) * breath_;
        sample += amp * (tone_.Process(tone) + breath);
        if (voice.env.Finished()) {
            voice.Stop();
            break;
        }
    }
    voice_ = voice;
}

}  // namespace amapiano::synth
