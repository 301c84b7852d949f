#include "synth/log_drum.h"

#include <algorithm>
#include <cmath>

namespace amapiano::synth {
namespace {

constexpr int kLowestNote = 24;  // the musical range is 33-52; clamp only absurd input
constexpr int kHighestNote = 64;
// A little second harmonic gives the body its woody "log" colour; tanh adds the odd ones.
constexpr float kSecondHarmonic = 0.18f;
constexpr float kClickLevel = 0.35f;
constexpr double kClickTau_s = 0.0015;
constexpr double kAttack_s = 0.0006;       // "instant", but long enough not to click
constexpr double kLegatoAttack_s = 0.006;  // re-articulation of a glided note
constexpr double kMaxRelease_s = 0.09;     // after the key is released
constexpr float kOutputGain = 0.92f;
// The pitch envelope is an exponential of the extra frequency; after pitch_time_s it has fallen
// to e^-4 (under half a semitone for an 18-semitone drop).
constexpr double kPitchTimeConstants = 4.0;

}  // namespace

LogDrum::LogDrum(const compose::SoundDesign& sound, double sample_rate_hz)
    : sine_(dsp::SineTable::Get()), sample_rate_hz_(sample_rate_hz) {
    const double decay_s = std::clamp(sound.log_drum_decay_s, 0.02, 5.0);
    decay_mult_ = dsp::DecayMultiplier(decay_s, sample_rate_hz);
    voice_.env.SetReleaseMultiplier(dsp::DecayMultiplier(std::min(decay_s, kMaxRelease_s), sample_rate_hz));
    const double pitch_time_s = std::clamp(sound.log_drum_pitch_time_s, 0.002, 0.2);
    knock_mult_ = dsp::DecayMultiplier(pitch_time_s / kPitchTimeConstants, sample_rate_hz);
    knock_ratio_ = std::pow(2.0, std::clamp(sound.log_drum_pitch_drop_st, 0.0, 36.0) / 12.0);
    glide_frames_ = std::max<int64_t>(
        1, dsp::SecondsToFrames(std::clamp(sound.log_drum_glide_s, 0.0, 1.0), sample_rate_hz));
    drive_ = static_cast<float>(std::clamp(sound.log_drum_drive, 0.1, 8.0));
    drive_norm_ = 1.0f / dsp::FastTanh(drive_);
    click_mult_ = dsp::DecayMultiplier(kClickTau_s, sample_rate_hz);
    hz_to_phase_ = static_cast<float>(dsp::kPhaseUnitsPerCycle / sample_rate_hz);
    attack_frames_ = std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sample_rate_hz));
    low_pass_.Set(dsp::FilterKind::kLowPass, std::clamp(sound.log_drum_cutoff_hz, 100.0, 16000.0), 0.707,
                  sample_rate_hz);
}

void LogDrum::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) {
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, kLowestNote, kHighestNote));
    const float peak = std::clamp(event.velocity, 0.0f, 1.0f);
    const bool legato = voice_.Legato();
    int64_t attack_frames = attack_frames_;
    if (legato) {
        // Portamento: log-linear slide from wherever the pitch is now; no knock, no click.
        voice_.glide.JumpTo(voice_.glide.Hz() + knock_hz_);
        knock_hz_ = 0.0;
        voice_.glide.SlideTo(note_hz, glide_frames_);
        attack_frames = std::max<int64_t>(1, dsp::SecondsToFrames(kLegatoAttack_s, sample_rate_hz_));
    } else {
        if (!voice_.active) {
            phase_ = 0;
            low_pass_.Reset();
        }
        voice_.glide.JumpTo(note_hz);
        knock_hz_ = note_hz * (knock_ratio_ - 1.0);
        click_amp_ = kClickLevel * peak;
        noise_.Seed(seed);
    }
    voice_.Start(peak, attack_frames, std::max<int64_t>(1, duration_frames), decay_mult_);
}

void LogDrum::Process(std::span<float> out) {
    if (!voice_.active) return;
    // Hot state in locals: stores to `out` could otherwise alias the members and force reloads.
    MonoVoice voice = voice_;
    double knock_hz = knock_hz_;
    float click_amp = click_amp_;
    uint32_t phase = phase_;
    dsp::Biquad low_pass = low_pass_;
    dsp::Noise noise = noise_;
    const float knock_mult = knock_mult_;
    const float click_mult = click_mult_;
    const float hz_to_phase = hz_to_phase_;
    const float drive = drive_;
    const float drive_norm = drive_norm_;
    for (float& sample : out) {
        const float amp = voice.env.Next<ReleaseMode::kAfterAttack>();
        voice.glide.Next();
        if (knock_hz > 1e-4) knock_hz *= knock_mult;  // stops before the denormal range
        phase += static_cast<uint32_t>(static_cast<float>(voice.glide.Hz() + knock_hz) * hz_to_phase);
        const float body = sine_.At(phase) + kSecondHarmonic * sine_.At(phase * 2u);
        float x = body * amp;
        if (click_amp > dsp::kSilence) {
            x += noise.Next() * click_amp;
            click_amp *= click_mult;
        }
        const float y = low_pass.Process(dsp::FastTanh(drive * x) * drive_norm);
        sample += kOutputGain * y;
        if (voice.env.Finished() && click_amp <= dsp::kSilence) {
            voice.Stop();
            click_amp = 0.0f;
            break;
        }
    }
    voice_ = voice;
    knock_hz_ = knock_hz;
    click_amp_ = click_amp;
    phase_ = phase;
    low_pass_ = low_pass;
    noise_ = noise;
}

}  // namespace amapiano::synth
