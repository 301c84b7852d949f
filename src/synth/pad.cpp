#include "synth/pad.h"

#include <algorithm>
#include <cmath>

namespace amapiano::synth {
namespace {

constexpr double kAttack_s = 0.45;
constexpr double kRelease_s = 0.3;  // time constant: about -29 dB after one second
constexpr double kSustainDecay_s = 12.0;
// Two saws a few cents apart beat slowly: the chorus-like movement of an analogue string pad.
constexpr std::array<double, 2> kDetuneCents = {-6.0, 6.0};
constexpr std::array<float, 2> kSawLevel = {1.0f, 1.0f};
constexpr float kVoiceGain = 0.1f;

// Below this level (absolute) a decaying voice fades out fast and is freed: its tail is inaudible.
constexpr float kTailLevel = 1e-3f;
constexpr double kTailFade_s = 0.01;

}  // namespace

Pad::Pad(const compose::SoundDesign& sound, double sample_rate_hz)
    : sample_rate_hz_(sample_rate_hz),
      brightness_(std::clamp(sound.keys_brightness, 0.0, 1.0)),
      tail_mult_(dsp::DecayMultiplier(kTailFade_s, sample_rate_hz)) {}

void Pad::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) {
    const double sr = sample_rate_hz_;
    Voice* voice = nullptr;
    float quietest = 0.0f;
    for (Voice& v : voices_) {
        if (!v.active) {
            voice = &v;
            break;
        }
        const float loudness = v.gate_left > 0 ? v.amp + 1.0f : v.amp;  // released voices go first
        if (voice == nullptr || loudness < quietest) {
            voice = &v;
            quietest = loudness;
        }
    }
    Voice& v = *voice;
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 12, 108));
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    const float start_amp = v.active ? v.amp : 0.0f;  // a stolen voice fades from where it was
    v.active = true;
    v.attack_left = std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sr));
    const float peak = static_cast<float>((0.5 + 0.5 * velocity) * kVoiceGain);
    v.amp = start_amp;
    v.attack_step = (peak - start_amp) / static_cast<float>(v.attack_left);
    v.gate_left = std::max<int64_t>(1, duration_frames);
    v.amp_mult = dsp::DecayMultiplier(kSustainDecay_s, sr);
    v.release_mult = dsp::DecayMultiplier(kRelease_s, sr);
    for (size_t i = 0; i < v.saws.size(); ++i) {
        // Free-running phases (from the seed) so chord notes don't start in lockstep.
        const float start_phase = static_cast<float>(((seed >> (8 * i)) & 0xFFu) / 256.0);
        v.saws[i].Set(note_hz * std::pow(2.0, kDetuneCents[i] / 1200.0), sr, start_phase);
    }
    const double cutoff_hz = std::clamp(note_hz * (3.0 + 4.0 * brightness_), 500.0, 2200.0 + 2500.0 * brightness_);
    v.low_pass.Set(dsp::FilterKind::kLowPass, cutoff_hz, 0.6, sr);
    v.low_pass.Reset();
}

void Pad::ProcessVoice(Voice& voice, std::span<float> out) {
    Voice v = voice;  // local copy: stores to `out` cannot alias it
    const float tail_mult = tail_mult_;
    for (float& sample : out) {
        if (v.attack_left > 0) {
            v.amp += v.attack_step;
            --v.attack_left;
        } else {
            v.amp *= v.amp_mult;
        }
        if (v.gate_left > 0 && --v.gate_left == 0) {
            v.amp_mult = v.release_mult;
            v.attack_left = 0;  // a short note releases from wherever its swell has reached
        }
        const float x = kSawLevel[0] * v.saws[0].Next() + kSawLevel[1] * v.saws[1].Next();
        sample += v.amp * v.low_pass.Process(x);
        if (v.attack_left == 0 && v.amp < kTailLevel) {
            v.amp_mult = std::min(v.amp_mult, tail_mult);
            if (v.amp < dsp::kSilence) {
                v.active = false;
                break;
            }
        }
    }
    voice = v;
}

void Pad::Process(std::span<float> out) {
    for (Voice& voice : voices_) {
        if (voice.active) ProcessVoice(voice, out);
    }
}

}  // namespace amapiano::synth
