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
    // Released voices go first.
    Voice& v =
        voices_.Allocate([](const Voice& s) { return s.env.Held() ? s.env.Level() + 1.0f : s.env.Level(); });
    const double note_hz = dsp::MidiToHz(std::clamp(event.pitch, 12, 108));
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    if (!v.active) v.env.SetLevel(0.0f);  // a free voice starts silent; a stolen one fades from its level
    v.active = true;
    const float peak = static_cast<float>((0.5 + 0.5 * velocity) * kVoiceGain);
    v.env.Trigger(peak, std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sr)),
                  std::max<int64_t>(1, duration_frames), dsp::DecayMultiplier(kSustainDecay_s, sr));
    v.env.SetReleaseMultiplier(dsp::DecayMultiplier(kRelease_s, sr));
    for (size_t i = 0; i < v.saws.size(); ++i) {
        // Free-running phases (from the seed) so chord notes don't start in lockstep.
        const float start_phase = static_cast<float>(((seed >> (8 * i)) & 0xFFu) / 256.0);
        v.saws[i].Set(note_hz * std::pow(2.0, kDetuneCents[i] / 1200.0), sr, start_phase);
    }
    const double cutoff_hz =
        std::clamp(note_hz * (3.0 + 4.0 * brightness_), 500.0, 2200.0 + 2500.0 * brightness_);
    v.low_pass.Set(dsp::FilterKind::kLowPass, cutoff_hz, 0.6, sr);
    v.low_pass.Reset();
}

void Pad::ProcessVoice(Voice& voice, std::span<float> out) {
    Voice v = voice;  // local copy: stores to `out` cannot alias it
    const float tail_mult = tail_mult_;
    for (float& sample : out) {
        // A short note releases from wherever its swell has reached.
        const float amp = v.env.Next<ReleaseMode::kCutAttack>();
        const float x = kSawLevel[0] * v.saws[0].Next() + kSawLevel[1] * v.saws[1].Next();
        sample += amp * v.low_pass.Process(x);
        if (v.env.FadeTail(kTailLevel, tail_mult)) {
            v.active = false;
            break;
        }
    }
    voice = v;
}

void Pad::Process(std::span<float> out) {
    voices_.ForEachActive([&](Voice& voice) { ProcessVoice(voice, out); });
}

}  // namespace amapiano::synth
