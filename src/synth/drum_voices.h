// DrumVoices: every unpitched instrument (kick, shaker, clap/snare, hats, rim/woodblock, congas,
// bongos, toms, whistles, cowbell) as one small patch-driven voice: up to two swept tones, a
// filtered noise/metallic layer with bursts, a soft clipper. Patches are chosen by General MIDI
// percussion note.
//
// An open hat is choked (fast fade) by a following closed or pedal hat.
//
// Thread: see InstrumentEngine (one renderer thread; no allocation in NoteOn/Process).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "compose/instrument.h"
#include "compose/score.h"
#include "synth/dsp.h"
#include "synth/instrument_engine.h"
#include "synth/voice_pool.h"

namespace amapiano::synth {

enum class ToneWave { kSine, kSoftSquare };

// A pitched layer: frequency sweeps exponentially from freq_hz * sweep_ratio down to freq_hz.
struct ToneLayer final {
    double level = 0.0;
    double freq_hz = 100.0;
    double sweep_ratio = 1.0;
    double sweep_s = 0.01;
    double decay_s = 0.1;
    ToneWave wave = ToneWave::kSine;
    double am_hz = 0.0;     // amplitude modulation (a whistle's trill)
    double am_depth = 0.0;  // 0..1
};

// A noise layer, optionally mixed with a cluster of six square waves (metallic hats, cowbell-like).
struct NoiseLayer final {
    double level = 0.0;
    dsp::FilterKind filter = dsp::FilterKind::kBandPass;
    double filter_hz = 5000.0;
    double q = 0.7;
    double attack_s = 0.0;
    double decay_s = 0.05;
    int bursts = 1;  // claps: several micro-bursts
    double burst_spacing_s = 0.01;
    double burst_decay_s = 0.003;
    double metal_mix = 0.0;  // 0 white noise .. 1 square cluster
    double metal_base_hz = 400.0;
};

struct DrumPatch final {
    std::array<ToneLayer, 2> tones{};
    NoiseLayer noise{};
    double drive = 1.0;  // > 1: soft clipping for punch
    double gain = 1.0;
    double velocity_curve = 1.0;  // amplitude = velocity ^ curve
    double decay_velocity = 0.0;  // 0..1: how much softer hits also decay faster
    bool gated = false;           // sustains while held, then releases (whistles)
    double min_gate_s = 0.0;
    double max_gate_s = 10.0;
    bool is_open_hat = false;
    bool chokes_open_hat = false;
    int choke_group = 0;  // > 0: a hit damps every sounding voice of the same group
};

// The patch for a General MIDI percussion note played on `instrument` (unknown notes fall back to
// the instrument's main sound). `sound` supplies the kick decay.
DrumPatch DrumPatchFor(compose::Instrument instrument, int gm_note, const compose::SoundDesign& sound);

class DrumVoices final : public InstrumentEngine {
public:
    DrumVoices(compose::Instrument instrument, const compose::SoundDesign& sound, double sample_rate_hz);

    void NoteOn(const compose::NoteEvent& event, int64_t duration_frames, uint32_t seed) override;
    void Process(std::span<float> out) override;

private:
    static constexpr int kVoices = 16;
    static constexpr int kMetalOscillators = 6;

    struct Tone final {
        float level = 0.0f;
        float mult = 1.0f;
        double base_hz = 0.0;
        double sweep_hz = 0.0;
        float sweep_mult = 1.0f;
        uint32_t phase = 0;
        bool square = false;
        uint32_t am_phase = 0;
        uint32_t am_inc = 0;
        float am_depth = 0.0f;
    };
    struct Voice final {
        bool active = false;
        int note = 0;
        int choke_group = 0;
        bool is_open_hat = false;
        bool gated = false;
        int64_t age = 0;
        int64_t gate_left = 0;
        float gain = 0.0f;
        float drive = 1.0f;
        float drive_norm = 1.0f;
        float declick = 0.0f;  // short fade-in shared by all layers
        float declick_step = 0.0f;
        float choke = 1.0f;
        float choke_mult = 1.0f;
        float release_mult = 1.0f;
        int tone_count = 0;
        std::array<Tone, 2> tones{};
        // noise layer
        bool has_noise = false;
        float noise_level = 0.0f;
        float noise_env = 0.0f;
        float noise_attack_step = 0.0f;
        int64_t noise_attack_left = 0;
        float noise_mult = 1.0f;
        float burst_mult = 1.0f;
        int bursts_left = 0;
        int64_t burst_spacing = 0;
        int64_t next_burst_in = 0;
        float metal_mix = 0.0f;
        std::array<uint32_t, kMetalOscillators> metal_phase{};
        std::array<uint32_t, kMetalOscillators> metal_inc{};
        dsp::Biquad filter;
        dsp::Noise noise;
    };

    float Loudness(const Voice& voice) const;
    void ProcessVoice(Voice& voice, std::span<float> out);

    compose::Instrument instrument_;
    compose::SoundDesign sound_;
    double sample_rate_hz_;
    const dsp::SineTable& sine_;
    float hz_to_phase_;
    float choke_mult_;
    VoicePool<Voice, kVoices> voices_;
};

}  // namespace amapiano::synth
