#include "synth/bass.h"

#include <algorithm>
#include <cmath>

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
      release_mult_(dsp::DecayMultiplier(kRelease_s, sample_rate_hz)),
      attack_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sample_rate_hz))),
      glide_frames_(std::max<int64_t>(1, dsp::SecondsToFrames(kGlide_s, sample_rate_hz))) {}

void Bass::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t /*seed*/) {
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 12, 72));
    const float peak = std::clamp(event.velocity, 0.0f, 1.0f) * kOutputGain;
    const bool legato = active_ && gate_left_ > 0;
    if (legato) {
        target_hz_ = note_hz;
        glide_left_ = glide_frames_;
        glide_mult_ = std::pow(note_hz / freq_hz_, 1.0 / static_cast<double>(glide_frames_));
    } else {
        if (!active_) phase_ = 0;  // otherwise keep the phase: the release tail flows into the new note
        freq_hz_ = note_hz;
        target_hz_ = note_hz;
        glide_left_ = 0;
        inc_ = dsp::PhaseIncrement(note_hz, sample_rate_hz_);
    }
    gate_left_ = std::max<int64_t>(1, duration_frames);
    attack_left_ = attack_frames_;
    attack_step_ = (peak - amp_) / static_cast<float>(attack_left_);
    amp_mult_ = sustain_mult_;
    active_ = true;
}

void Bass::Process(std::span<float> out) {
    if (!active_) return;
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
            inc_ = static_cast<uint32_t>(static_cast<float>(freq_hz_) * hz_to_phase_);
        }
        phase_ += inc_;
        sample += amp_ * (sine_.At(phase_) + kSecondHarmonic * sine_.At(phase_ * 2u)) * (1.0f / (1.0f + kSecondHarmonic));
        if (attack_left_ == 0 && amp_ < dsp::kSilence) {
            active_ = false;
            amp_ = 0.0f;
            return;
        }
    }
}

}  // namespace amapiano::synth
