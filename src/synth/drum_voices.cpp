#include "synth/drum_voices.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace amapiano::synth {
namespace {

using compose::Instrument;
using dsp::FilterKind;

constexpr double kDeclick_s = 0.0003;
constexpr double kChokeTau_s = 0.004;
// Below -60 dBFS a hit's tail is inaudible in any mix: fade it out quickly and free the voice.
constexpr float kTailLevel = 1e-3f;
constexpr double kGateRelease_s = 0.02;
// Frequency ratios of the TR-808's six hat/cymbal square oscillators.
constexpr std::array<double, 6> kMetalRatios = {1.0, 1.4826, 1.8003, 2.5460, 2.6303, 3.8966};
constexpr int kLevelCheckMask = 31;  // check for silence every 32 frames of a voice's age

DrumPatch Kick(int note, const compose::SoundDesign& sound) {
    DrumPatch p;
    p.tones[0] = {.level = 1.0,
                  .freq_hz = note == 35 ? 46.0 : 52.0,
                  .sweep_ratio = 2.9,  // ~150 Hz -> ~50 Hz
                  .sweep_s = 0.016,
                  .decay_s = std::clamp(sound.kick_decay_s, 0.03, 1.0)};
    p.noise = {
        .level = 0.28, .filter = FilterKind::kBandPass, .filter_hz = 3200.0, .q = 0.8, .decay_s = 0.0018};
    p.drive = 1.5;
    p.gain = 0.9;
    p.choke_group = 1;  // one kick at a time, like a drum machine's kick channel
    return p;
}

DrumPatch Shaker(int note) {
    DrumPatch p;
    // Cabasa is brightest and shortest, maracas darker, the shaker longest: all short swishes.
    const double hz = note == 69 ? 8200.0 : (note == 70 ? 5600.0 : 6600.0);
    const double decay_s = note == 69 ? 0.016 : (note == 70 ? 0.014 : 0.02);
    const double attack_s = note == 69 ? 0.003 : (note == 70 ? 0.004 : 0.007);
    p.noise = {.level = 0.75,
               .filter = FilterKind::kHighPass,
               .filter_hz = hz,
               .q = 1.2,
               .attack_s = attack_s,
               .decay_s = decay_s};
    p.velocity_curve = 1.5;
    p.decay_velocity = 0.4;
    return p;
}

DrumPatch Clap() {
    DrumPatch p;
    p.noise = {.level = 2.4,
               .filter = FilterKind::kBandPass,
               .filter_hz = 1250.0,
               .q = 1.1,
               .decay_s = 0.055,
               .bursts = 4,
               .burst_spacing_s = 0.0095,
               .burst_decay_s = 0.0032};
    p.drive = 1.3;
    p.gain = 0.85;
    return p;
}

DrumPatch Snare(int note) {
    DrumPatch p;
    const bool electric = note == 40;
    p.tones[0] = {.level = 0.55,
                  .freq_hz = electric ? 200.0 : 182.0,
                  .sweep_ratio = 1.35,
                  .sweep_s = 0.01,
                  .decay_s = 0.055};
    p.tones[1] = {.level = 0.25, .freq_hz = electric ? 345.0 : 330.0, .decay_s = 0.035};
    p.noise = {.level = 0.75,
               .filter = electric ? FilterKind::kBandPass : FilterKind::kHighPass,
               .filter_hz = electric ? 3500.0 : 1800.0,
               .q = 0.7,
               .decay_s = electric ? 0.05 : 0.07};
    p.drive = 1.4;
    p.gain = 0.8;
    return p;
}

DrumPatch Hat(int note) {
    DrumPatch p;
    const double decay_s = note == 46 ? 0.085 : (note == 44 ? 0.018 : 0.012);
    p.noise = {.level = note == 44 ? 0.6 : 0.9,
               .filter = FilterKind::kHighPass,
               .filter_hz = 7600.0,
               .q = 0.9,
               .decay_s = decay_s,
               .metal_mix = 0.55,
               .metal_base_hz = 330.0};
    p.is_open_hat = note == 46;
    p.chokes_open_hat = note == 42 || note == 44;
    p.velocity_curve = 1.3;
    return p;
}

DrumPatch Cymbal(int note) {
    DrumPatch p;
    const bool ride = note == 51 || note == 59;
    p.noise = {.level = ride ? 0.45 : 0.6,
               .filter = FilterKind::kHighPass,
               .filter_hz = ride ? 6500.0 : 4800.0,
               .q = 0.7,
               .attack_s = 0.001,
               .decay_s = ride ? 0.35 : 0.6,
               .metal_mix = ride ? 0.8 : 0.45,
               .metal_base_hz = ride ? 380.0 : 300.0};
    return p;
}

DrumPatch Tambourine() {
    DrumPatch p;
    p.noise = {.level = 0.8,
               .filter = FilterKind::kHighPass,
               .filter_hz = 6800.0,
               .q = 1.0,
               .attack_s = 0.001,
               .decay_s = 0.05,
               .metal_mix = 0.5,
               .metal_base_hz = 520.0};
    return p;
}

DrumPatch Rim(int note) {
    DrumPatch p;
    if (note == 76 || note == 77) {  // woodblocks: a hollow wooden mode plus a faint upper one
        const double hz = note == 76 ? 1120.0 : 820.0;
        p.tones[0] = {.level = 0.75, .freq_hz = hz, .sweep_ratio = 1.06, .sweep_s = 0.004, .decay_s = 0.028};
        p.tones[1] = {.level = 0.2, .freq_hz = hz * 2.62, .decay_s = 0.01};
        p.noise = {
            .level = 0.15, .filter = FilterKind::kBandPass, .filter_hz = 3000.0, .q = 1.0, .decay_s = 0.0015};
        return p;
    }
    if (note == 75) {  // claves
        p.tones[0] = {.level = 0.8, .freq_hz = 2500.0, .decay_s = 0.02};
        return p;
    }
    // Side stick / rim shot: two resonant modes and a crack.
    p.tones[0] = {.level = 0.5, .freq_hz = 1700.0, .decay_s = 0.008};
    p.tones[1] = {.level = 0.45, .freq_hz = 480.0, .sweep_ratio = 1.1, .sweep_s = 0.003, .decay_s = 0.012};
    p.noise = {
        .level = 0.35, .filter = FilterKind::kHighPass, .filter_hz = 4500.0, .q = 0.7, .decay_s = 0.0025};
    p.drive = 1.6;
    return p;
}

// A membrane: fundamental with a small pitch drop, the first inharmonic mode (x1.59), a noise slap.
DrumPatch Membrane(double hz, double decay_s, double slap, double sweep_ratio = 1.12) {
    DrumPatch p;
    p.tones[0] = {
        .level = 0.8, .freq_hz = hz, .sweep_ratio = sweep_ratio, .sweep_s = 0.008, .decay_s = decay_s};
    p.tones[1] = {.level = 0.15, .freq_hz = hz * 1.59, .decay_s = decay_s * 0.4};
    p.noise = {.level = slap,
               .filter = FilterKind::kBandPass,
               .filter_hz = std::min(hz * 6.0, 4000.0),
               .q = 1.0,
               .decay_s = 0.005};
    p.drive = 1.2;
    p.gain = 0.55;  // congas, bongos and toms ring into each other in busy figures
    return p;
}

DrumPatch Tom(int note) {
    const double hz = note == 41   ? 82.0
                      : note == 43 ? 98.0
                      : note == 45 ? 110.0
                      : note == 47 ? 131.0
                      : note == 48 ? 147.0
                                   : 175.0;
    DrumPatch p = Membrane(hz, 0.17, 0.25, 1.5);
    p.tones[0].sweep_s = 0.03;
    p.tones[1].freq_hz = hz * 1.5;
    return p;
}

DrumPatch Whistle(int note) {
    DrumPatch p;
    const bool long_whistle = note == 72;
    // The pea's trill is an amplitude flutter of ~25-30 Hz on a ~2.3 kHz tone, plus breath.
    p.tones[0] = {.level = 0.4,
                  .freq_hz = long_whistle ? 2250.0 : 2400.0,
                  .sweep_ratio = 1.03,
                  .sweep_s = 0.02,
                  .decay_s = 4.0,
                  .am_hz = long_whistle ? 26.0 : 29.0,
                  .am_depth = 0.6};
    p.noise = {.level = 0.4,
               .filter = FilterKind::kBandPass,
               .filter_hz = 2400.0,
               .q = 3.0,
               .attack_s = 0.004,
               .decay_s = 4.0};
    p.gated = true;
    p.min_gate_s = long_whistle ? 0.25 : 0.06;
    p.max_gate_s = long_whistle ? 0.9 : 0.14;
    return p;
}

DrumPatch Cowbell() {
    DrumPatch p;
    p.tones[0] = {.level = 0.22, .freq_hz = 540.0, .decay_s = 0.08, .wave = ToneWave::kSoftSquare};
    p.tones[1] = {.level = 0.22, .freq_hz = 800.0, .decay_s = 0.06, .wave = ToneWave::kSoftSquare};
    return p;
}

std::optional<DrumPatch> PatchForNote(int note, const compose::SoundDesign& sound) {
    switch (note) {
        case 35:
        case 36: return Kick(note, sound);
        case 37: return Rim(note);
        case 38:
        case 40: return Snare(note);
        case 39: return Clap();
        case 41:
        case 43:
        case 45:
        case 47:
        case 48:
        case 50: return Tom(note);
        case 42:
        case 44:
        case 46: return Hat(note);
        case 49:
        case 51:
        case 52:
        case 55:
        case 57:
        case 59: return Cymbal(note);
        case 54: return Tambourine();
        case 56: return Cowbell();
        case 60: return Membrane(520.0, 0.06, 0.35);  // hi bongo
        case 61: return Membrane(390.0, 0.08, 0.35);  // low bongo
        case 62: return Membrane(345.0, 0.035, 0.5);  // mute hi conga
        case 63: return Membrane(340.0, 0.11, 0.35);  // open hi conga
        case 64: return Membrane(230.0, 0.14, 0.3);   // low conga
        case 69:
        case 70:
        case 82: return Shaker(note);
        case 71:
        case 72: return Whistle(note);
        case 75:
        case 76:
        case 77: return Rim(note);
        default: return std::nullopt;
    }
}

int DefaultNote(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick: return 36;
        case Instrument::kShaker: return 82;
        case Instrument::kClap: return 39;
        case Instrument::kHats: return 42;
        case Instrument::kRim: return 37;
        default: return 63;
    }
}

}  // namespace

DrumPatch DrumPatchFor(Instrument instrument, int gm_note, const compose::SoundDesign& sound) {
    if (auto patch = PatchForNote(gm_note, sound)) return *patch;
    return *PatchForNote(DefaultNote(instrument), sound);
}

DrumVoices::DrumVoices(Instrument instrument, const compose::SoundDesign& sound, double sample_rate_hz)
    : instrument_(instrument),
      sound_(sound),
      sample_rate_hz_(sample_rate_hz),
      sine_(dsp::SineTable::Get()),
      hz_to_phase_(static_cast<float>(dsp::kPhaseUnitsPerCycle / sample_rate_hz)),
      choke_mult_(dsp::DecayMultiplier(kChokeTau_s, sample_rate_hz)) {}

float DrumVoices::Loudness(const Voice& voice) const {
    float level = voice.has_noise ? voice.noise_env : 0.0f;
    for (int t = 0; t < voice.tone_count; ++t) level += voice.tones[static_cast<size_t>(t)].level;
    return level * voice.choke;
}

void DrumVoices::NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) {
    const DrumPatch patch = DrumPatchFor(instrument_, event.pitch, sound_);
    const double sr = sample_rate_hz_;
    // Like a drum machine channel, a new hit of a note damps that note's previous hit; closed and
    // pedal hats also choke the open hat.
    for (Voice& v : voices_) {
        if (v.active && (v.note == event.pitch || (patch.chokes_open_hat && v.is_open_hat) ||
                         (patch.choke_group > 0 && v.choke_group == patch.choke_group))) {
            v.choke_mult = choke_mult_;
        }
    }
    // A free voice, else the quietest one.
    Voice& v = voices_.Allocate([this](const Voice& s) { return Loudness(s); });
    const double velocity = std::clamp(static_cast<double>(event.velocity), 0.0, 1.0);
    const double decay_scale = 1.0 - patch.decay_velocity * (1.0 - velocity);

    v = Voice{};
    v.active = true;
    v.note = event.pitch;
    v.choke_group = patch.choke_group;
    v.is_open_hat = patch.is_open_hat;
    v.gated = patch.gated;
    if (patch.gated) {
        const double held_s = static_cast<double>(duration_frames) / sr;
        v.gate_left = std::max<int64_t>(
            1, dsp::SecondsToFrames(std::clamp(held_s, patch.min_gate_s, patch.max_gate_s), sr));
    }
    v.gain = static_cast<float>(patch.gain * std::pow(velocity, patch.velocity_curve));
    v.drive = static_cast<float>(std::max(patch.drive, 1.0));
    v.drive_norm = 1.0f / dsp::FastTanh(v.drive);
    v.declick_step = 1.0f / static_cast<float>(std::max<int64_t>(1, dsp::SecondsToFrames(kDeclick_s, sr)));
    v.release_mult = dsp::DecayMultiplier(kGateRelease_s, sr);

    for (const ToneLayer& layer : patch.tones) {
        if (layer.level <= 0.0) continue;
        Tone& t = v.tones[static_cast<size_t>(v.tone_count++)];
        t.level = static_cast<float>(layer.level);
        t.mult = dsp::DecayMultiplier(layer.decay_s * decay_scale, sr);
        t.base_hz = layer.freq_hz;
        t.sweep_hz = layer.freq_hz * (layer.sweep_ratio - 1.0);
        t.sweep_mult = dsp::DecayMultiplier(layer.sweep_s, sr);
        t.square = layer.wave == ToneWave::kSoftSquare;
        t.am_inc = dsp::PhaseIncrement(layer.am_hz, sr);
        t.am_depth = static_cast<float>(std::clamp(layer.am_depth, 0.0, 1.0));
    }

    const NoiseLayer& n = patch.noise;
    v.has_noise = n.level > 0.0;
    if (v.has_noise) {
        v.noise_level = static_cast<float>(n.level);
        v.noise_attack_left = dsp::SecondsToFrames(n.attack_s, sr);
        if (v.noise_attack_left > 0) {
            v.noise_attack_step = v.noise_level / static_cast<float>(v.noise_attack_left);
        } else {
            v.noise_env = v.noise_level;
        }
        v.noise_mult = dsp::DecayMultiplier(n.decay_s * decay_scale, sr);
        v.bursts_left = std::max(0, n.bursts - 1);
        v.burst_spacing = std::max<int64_t>(1, dsp::SecondsToFrames(n.burst_spacing_s, sr));
        v.next_burst_in = v.burst_spacing;
        v.burst_mult = v.bursts_left > 0 ? dsp::DecayMultiplier(n.burst_decay_s, sr) : v.noise_mult;
        v.metal_mix = static_cast<float>(std::clamp(n.metal_mix, 0.0, 1.0));
        if (v.metal_mix > 0.0f) {
            for (size_t i = 0; i < kMetalRatios.size(); ++i) {
                v.metal_inc[i] = dsp::PhaseIncrement(n.metal_base_hz * kMetalRatios[i], sr);
                v.metal_phase[i] = static_cast<uint32_t>(i) * 0x2AAAAAABu;
            }
        }
        v.filter.Set(n.filter, n.filter_hz, n.q, sr);
        v.noise.Seed(seed);
    }
}

// The voice is rendered in chunks that end where its per-voice decisions happen (every 32 frames of
// its age, and at the end of a gate), so each layer can run as a tight loop of its own into a small
// scratch buffer. Within a chunk nothing couples the layers, so the arithmetic per frame, and its
// order, is exactly that of a frame-by-frame loop: output does not depend on where blocks split.
void DrumVoices::ProcessVoice(Voice& voice, std::span<float> out) {
    // A local copy: stores to `out` could otherwise alias the voice's floats and force reloads.
    Voice v = voice;
    const float noise_tail_mult = v.noise_mult;
    const float hz_to_phase = hz_to_phase_;
    const dsp::SineTable& sine = sine_;
    std::array<float, kLevelCheckMask + 1> sum;
    float* dst = out.data();
    size_t left = out.size();
    while (left > 0) {
        size_t n =
            std::min<size_t>(left, static_cast<size_t>(kLevelCheckMask + 1 - (v.age & kLevelCheckMask)));
        const bool gate_running = v.gated && v.gate_left > 0;
        if (gate_running) n = std::min<size_t>(n, static_cast<size_t>(v.gate_left));
        std::fill_n(sum.begin(), n, 0.0f);

        for (int i = 0; i < v.tone_count; ++i) {
            Tone& t = v.tones[static_cast<size_t>(i)];
            if (t.level == 0.0f && t.mult == 0.0f) continue;  // retired: adds exact zeros
            if (t.sweep_hz == 0.0 && !t.square && t.am_inc == 0) {
                const uint32_t inc = static_cast<uint32_t>(static_cast<float>(t.base_hz) * hz_to_phase);
                uint32_t phase = t.phase;
                float level = t.level;
                const float mult = t.mult;
                for (size_t k = 0; k < n; ++k) {
                    phase += inc;
                    sum[k] += sine.At(phase) * level;
                    level *= mult;
                }
                t.phase = phase;
                t.level = level;
                continue;
            }
            for (size_t k = 0; k < n; ++k) {
                t.sweep_hz *= t.sweep_mult;
                t.phase += static_cast<uint32_t>(static_cast<float>(t.base_hz + t.sweep_hz) * hz_to_phase);
                float s = sine.At(t.phase);
                if (t.square) s = std::clamp(2.5f * s, -1.0f, 1.0f);
                if (t.am_inc != 0) {
                    t.am_phase += t.am_inc;
                    s *= 1.0f - t.am_depth * (0.5f + 0.5f * sine.At(t.am_phase));
                }
                sum[k] += s * t.level;
                t.level *= t.mult;
            }
        }

        if (v.has_noise) {
            dsp::Biquad filter = v.filter;
            dsp::Noise noise = v.noise;
            float env = v.noise_env;
            if (v.bursts_left == 0 && v.noise_attack_left == 0) {
                const float mult = v.burst_mult;
                if (v.metal_mix > 0.0f) {
                    std::array<uint32_t, kMetalOscillators> phase = v.metal_phase;
                    const std::array<uint32_t, kMetalOscillators> inc = v.metal_inc;
                    const float mix = v.metal_mix;
                    for (size_t k = 0; k < n; ++k) {
                        env *= mult;
                        float src = noise.Next();
                        float metal = 0.0f;
                        for (size_t i = 0; i < kMetalOscillators; ++i) {
                            phase[i] += inc[i];
                            metal += (phase[i] >> 31) != 0u ? -1.0f : 1.0f;
                        }
                        src += mix * (metal * (1.0f / kMetalOscillators) - src);
                        sum[k] += filter.Process(src) * env;
                    }
                    v.metal_phase = phase;
                } else {
                    for (size_t k = 0; k < n; ++k) {
                        env *= mult;
                        sum[k] += filter.Process(noise.Next()) * env;
                    }
                }
            } else {
                for (size_t k = 0; k < n; ++k) {
                    if (v.bursts_left > 0 && --v.next_burst_in == 0) {
                        env = v.noise_level;
                        v.next_burst_in = v.burst_spacing;
                        if (--v.bursts_left == 0) v.burst_mult = noise_tail_mult;
                    }
                    if (v.noise_attack_left > 0) {
                        env += v.noise_attack_step;
                        --v.noise_attack_left;
                    } else {
                        env *= v.burst_mult;
                    }
                    float src = noise.Next();
                    if (v.metal_mix > 0.0f) {
                        float metal = 0.0f;
                        for (size_t i = 0; i < kMetalOscillators; ++i) {
                            v.metal_phase[i] += v.metal_inc[i];
                            metal += (v.metal_phase[i] >> 31) != 0u ? -1.0f : 1.0f;
                        }
                        src += v.metal_mix * (metal * (1.0f / kMetalOscillators) - src);
                    }
                    sum[k] += filter.Process(src) * env;
                }
            }
            v.filter = filter;
            v.noise = noise;
            v.noise_env = env;
        }

        // Gain, de-click fade-in, choke and the soft clipper.
        {
            float declick = v.declick;
            float choke = v.choke;
            const float declick_step = v.declick_step;
            const float choke_mult = v.choke_mult;
            const float gain = v.gain;
            const float drive = v.drive;
            const float drive_norm = v.drive_norm;
            if (drive > 1.0f) {
                for (size_t k = 0; k < n; ++k) {
                    if (declick < 1.0f) declick = std::min(1.0f, declick + declick_step);
                    const float y = sum[k] * gain * declick * choke;
                    choke *= choke_mult;
                    dst[k] += dsp::FastTanh(drive * y) * drive_norm;
                }
            } else {
                for (size_t k = 0; k < n; ++k) {
                    if (declick < 1.0f) declick = std::min(1.0f, declick + declick_step);
                    dst[k] += sum[k] * gain * declick * choke;
                    choke *= choke_mult;
                }
            }
            v.declick = declick;
            v.choke = choke;
        }

        if (gate_running) {
            v.gate_left -= static_cast<int64_t>(n);
            if (v.gate_left == 0) {
                for (Tone& t : v.tones) t.mult = v.release_mult;
                v.burst_mult = v.release_mult;
                v.bursts_left = 0;
            }
        }
        dst += n;
        left -= n;
        v.age += static_cast<int64_t>(n);
        if ((v.age & kLevelCheckMask) == 0) {
            // Retire finished layers: saves work and keeps decaying values out of the (very slow)
            // denormal range.
            const bool held = v.gated && v.gate_left > 0;
            if (!held) {
                for (Tone& t : v.tones) {
                    if (t.level < dsp::kSilence) t.level = t.mult = 0.0f;
                    if (std::abs(t.sweep_hz) < 1e-3) t.sweep_hz = 0.0;
                }
                if (v.has_noise && v.bursts_left == 0 && v.noise_attack_left == 0 &&
                    v.noise_env < dsp::kSilence) {
                    v.has_noise = false;
                    v.noise_env = 0.0f;
                }
            }
            const float loudness = Loudness(v);
            if (!held && loudness * v.gain < kTailLevel) v.choke_mult = std::min(v.choke_mult, choke_mult_);
            if (!held && loudness < dsp::kSilence) {
                v.active = false;
                break;
            }
        }
    }
    voice = v;
}

void DrumVoices::Process(std::span<float> out) {
    voices_.ForEachActive([&](Voice& voice) { ProcessVoice(voice, out); });
}

}  // namespace amapiano::synth
