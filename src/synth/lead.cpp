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
      release_mult_(dsp::DecayMultiplier(kRelease_s, sample_rate_hz)),
      breath_mult_(dsp::DecayMultiplier(kBreathDecay_s, sample_rate_hz)),
      attack_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sample_rate_hz))),
      glide_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kGlide_s, sample_rate_hz))),
      vibrato_delay_frames_(dsp::SecondsToFrames(kVibratoDelay_s, sample_rate_hz)),
      vibrato_max_depth_(static_cast<float>(std::pow(2.0, kVibratoCents / 1200.0) - 1.0)),
      vibrato_ramp_step_(vibrato_max_depth_ / static_cast<float>(kVibratoRamp_s * sample_rate_hz)),
      vibrato_inc_(dsp::PhaseIncrement(kVibratoHz, sample_rate_hz)) {
    breath_filter_.Set(dsp::FilterKind::kBandPass, 2600.0, 0.8, sample_rate_hz);
}

void Lead::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) {
    const double sr = sample_rate_hz_;
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 24, 108));
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    const bool legato = active_ && gate_left_ > 0;
    if (legato) {
        target_hz_ = note_hz;
        glide_left_ = glide_frames_;
        glide_mult_ = std::pow(note_hz / freq_hz_, 1.0 / static_cast<double>(glide_frames_));
    } else {
        if (!active_) {
            saw_.Set(note_hz, sr, 0.0f);
            sine_phase_ = 0;
            tone_.Reset();
            breath_filter_.Reset();
        }
        freq_hz_ = note_hz;
        target_hz_ = note_hz;
        glide_left_ = 0;
        age_ = 0;
        vibrato_depth_ = 0.0f;
        vibrato_phase_ = 0;
        breath_ = kBreathAttack;
        noise_.Seed(seed);
    }
    saw_.SetFrequency(freq_hz_, sr);
    sine_inc_ = static_cast<float>(freq_hz_ / sr * dsp::kPhaseUnitsPerCycle);
    // Brighter when blown harder; the cutoff follows the note so every register sounds alike.
    const double cutoff_hz = std::clamp(note_hz * (3.0 + 4.0 * velocity), 900.0, 6000.0);
    tone_.Set(dsp::FilterKind::kLowPass, cutoff_hz, 0.9, sr);
    gate_left_ = std::max<int64_t>(1, duration_frames);
    attack_left_ = legato ? attack_frames_ / 3 + 1 : attack_frames_;
    const float peak = static_cast<float>((0.45 + 0.55 * velocity) * kOutputGain);
    attack_step_ = (peak - amp_) / static_cast<float>(attack_left_);
    amp_mult_ = sustain_mult_;
    active_ = true;
}

void Lead::Process(std::span<float> out) {
    if (!active_) return;
    const double sr = sample_rate_hz_;
    for (float& sample : out) {
        if (attack_left_ > 0) {
            amp_ += attack_step_;
            --attack_left_;
        } else {
            amp_ *= amp_mult_;
        }
        if (gate_left_ > 0 && --gate_left_ == 0) {
            amp_mult_ = release_mult_;
            attack_left_ = 0;
        }
        if (glide_left_ > 0) {
            freq_hz_ *= glide_mult_;
            if (--glide_left_ == 0) freq_hz_ = target_hz_;
            // Only while gliding: a division per frame is fine for one monophonic voice.
            saw_.SetFrequency(freq_hz_, sr);
            sine_inc_ = static_cast<float>(freq_hz_ / sr * dsp::kPhaseUnitsPerCycle);
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
        sample += amp_ * (tone_.Process(tone) + breath);
        if (attack_left_ == 0 && amp_ < dsp::kSilence) {
            active_ = false;
            amp_ = 0.0f;
            return;
        }
    }
}

}  // namespace amapiano::synth
