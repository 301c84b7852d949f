#include "synth/keys.h"

#include <algorithm>
#include <cmath>

namespace amapiano::synth {
namespace {

constexpr double kAttack_s = 0.0015;
constexpr double kDamp_s = 0.05;          // damper felt after release
constexpr double kSameKeyDamp_s = 0.012;  // a re-struck key silences its previous voice quickly
constexpr double kIndexDecay_s = 0.35;
constexpr double kTineDecay_s = 0.018;
constexpr double kTineRatio = 14.0;
constexpr double kTineMaxHz = 9000.0;  // keep the bell modulator (and its sidebands) from aliasing
// Per-voice level: a five-note chord at full velocity stays within +-1.
constexpr float kVoiceGain = 0.18f;

// Held keys ring longer in the bass than in the treble, as on a real electric piano.
double SustainDecaySeconds(double note_hz) {
    return std::clamp(2.6 * std::pow(130.0 / note_hz, 0.5), 0.6, 4.0);
}

// Below this level (absolute) a decaying voice fades out fast and is freed: its tail is inaudible.
constexpr float kTailLevel = 3e-4f;
constexpr double kTailFade_s = 0.01;

}  // namespace

Keys::Keys(const compose::SoundDesign& sound, double sample_rate_hz)
    : sine_(dsp::SineTable::Get()),
      sample_rate_hz_(sample_rate_hz),
      brightness_(std::clamp(sound.keys_brightness, 0.0, 1.0)),
      damp_mult_(dsp::DecayMultiplier(kDamp_s, sample_rate_hz)),
      tail_mult_(dsp::DecayMultiplier(kTailFade_s, sample_rate_hz)) {}

void Keys::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t /*seed*/) {
    const double sr = sample_rate_hz_;
    const int pitch = std::clamp(event.pitch, 12, 115);
    const float same_key_mult = dsp::DecayMultiplier(kSameKeyDamp_s, sr);
    for (Voice& v : voices_) {
        if (v.active && v.pitch == pitch) v.env.Damp(same_key_mult);
    }
    // Prefer stealing released voices: weight their level down.
    Voice& v =
        voices_.Allocate([](const Voice& s) { return s.env.Held() ? s.env.Level() : 0.25f * s.env.Level(); });
    const double note_hz = dsp::MidiToHz(pitch);
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    v = Voice{};
    v.active = true;
    v.pitch = pitch;
    v.env.Trigger(static_cast<float>((0.35 + 0.65 * velocity) * kVoiceGain),
                  std::max<int64_t>(1, dsp::SecondsToFrames(kAttack_s, sr)),
                  std::max<int64_t>(1, duration_frames),
                  dsp::DecayMultiplier(SustainDecaySeconds(note_hz), sr));
    v.env.SetReleaseMultiplier(damp_mult_);
    v.carrier_inc = dsp::PhaseIncrement(note_hz, sr);
    v.mod_inc = v.carrier_inc;
    // Index in radians: soft and dark at low velocity, barking when hit hard; brighter sounds more.
    const double bright = 0.45 + 1.1 * brightness_;
    const double peak_index = (0.35 + 1.9 * velocity * velocity) * bright;
    const double high_note_tame = std::clamp(1.0 - (note_hz - 500.0) / 1500.0, 0.35, 1.0);
    v.index = static_cast<float>(0.7 * peak_index * high_note_tame) * dsp::kPhaseUnitsPerRadian;
    v.index_floor = static_cast<float>(0.3 * peak_index * high_note_tame) * dsp::kPhaseUnitsPerRadian;
    v.index_mult = dsp::DecayMultiplier(kIndexDecay_s, sr);
    const double tine_hz = note_hz * kTineRatio;
    if (tine_hz < kTineMaxHz) {
        v.tine_inc = dsp::PhaseIncrement(tine_hz, sr);
        v.tine_index = static_cast<float>((0.25 + 0.6 * velocity) * bright) * dsp::kPhaseUnitsPerRadian;
        v.tine_mult = dsp::DecayMultiplier(kTineDecay_s, sr);
    }
}

void Keys::ProcessVoice(Voice& voice, std::span<float> out) {
    constexpr float kTineOff = 1.0f;  // phase units: far below audibility
    Voice v = voice;                  // local copy: stores to `out` cannot alias it
    const float tail_mult = tail_mult_;
    for (float& sample : out) {
        const float amp = v.env.Next<ReleaseMode::kFasterOfDecayAndRelease>();
        v.mod_phase += v.mod_inc;
        float offset = (v.index + v.index_floor) * sine_.At(v.mod_phase);
        v.index *= v.index_mult;
        if (v.tine_index > kTineOff) {
            v.tine_phase += v.tine_inc;
            offset += v.tine_index * sine_.At(v.tine_phase);
            v.tine_index *= v.tine_mult;
        }
        v.carrier_phase += v.carrier_inc;
        sample += amp * sine_.At(dsp::OffsetPhase(v.carrier_phase, offset));
        if (v.env.FadeTail(kTailLevel, tail_mult)) {
            v.active = false;
            break;
        }
    }
    voice = v;
}

void Keys::Process(std::span<float> out) {
    voices_.ForEachActive([&](Voice& voice) { ProcessVoice(voice, out); });
}

}  // namespace amapiano::synth
