// dsp: the small building blocks every synth voice uses — table sine, deterministic noise,
// exponential envelope coefficients, biquad filters, a polyBLEP saw and a cheap tanh.
//
// Everything here is allocation-free and deterministic. Coefficients (exp, pow, sin, cos) are
// computed once per note or per renderer, never per sample; the per-sample operations are
// multiplies, adds and one table lookup.
//
//   const dsp::SineTable& sine = dsp::SineTable::Get();
//   uint32_t phase = 0;
//   const uint32_t inc = dsp::PhaseIncrement(110.0, 44100.0);
//   float x = sine.At(phase += inc);
//
// Thread: all functions are reentrant; SineTable::Get() is safe to call from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace amapiano::synth::dsp {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kTwoPi = 2.0 * kPi;
inline constexpr double kPhaseUnitsPerCycle = 4294967296.0;  // 2^32: uint32 phase accumulators
// Envelopes below this amplitude (-90 dBFS) are treated as finished and their voice is freed.
inline constexpr float kSilence = 3.1623e-5f;

// One cycle of a sine in 4096 entries, read with linear interpolation (error below 1e-6).
class SineTable final {
public:
    static constexpr int kBits = 12;
    static constexpr int kSize = 1 << kBits;

    // The process-wide table, built on first use.
    static const SineTable& Get() {
        static const SineTable table;
        return table;
    }

    // sin(2*pi * phase / 2^32).
    float At(uint32_t phase) const {
        constexpr int kFracBits = 32 - kBits;
        constexpr float kFracScale = 1.0f / static_cast<float>(1u << kFracBits);
        const uint32_t index = phase >> kFracBits;
        const float frac = static_cast<float>(phase & ((1u << kFracBits) - 1u)) * kFracScale;
        const float a = values_[index];
        return a + (values_[index + 1] - a) * frac;
    }

private:
    SineTable() {
        for (int i = 0; i <= kSize; ++i) {
            values_[static_cast<size_t>(i)] = static_cast<float>(std::sin(kTwoPi * i / kSize));
        }
    }
    std::array<float, kSize + 1> values_{};
};

// uint32 phase increment per frame for a frequency.
inline uint32_t PhaseIncrement(double freq_hz, double sample_rate_hz) {
    const double cycles = std::clamp(freq_hz / sample_rate_hz, 0.0, 0.49);
    return static_cast<uint32_t>(std::llround(cycles * kPhaseUnitsPerCycle));
}

// Phase units per radian, for phase modulation (FM) offsets.
inline constexpr float kPhaseUnitsPerRadian = static_cast<float>(kPhaseUnitsPerCycle / kTwoPi);

// Adds a signed phase offset (in phase units, may exceed +-2^31) to a phase, wrapping.
inline uint32_t OffsetPhase(uint32_t phase, float offset_units) {
    return phase + static_cast<uint32_t>(static_cast<int64_t>(offset_units));
}

inline double MidiToHz(double midi_note) { return 440.0 * std::pow(2.0, (midi_note - 69.0) / 12.0); }

// Per-frame multiplier of an exponential decay with time constant `tau_s` (amplitude falls to 1/e).
inline float DecayMultiplier(double tau_s, double sample_rate_hz) {
    if (tau_s <= 0.0) return 0.0f;
    return static_cast<float>(std::exp(-1.0 / (tau_s * sample_rate_hz)));
}

inline int64_t SecondsToFrames(double seconds, double sample_rate_hz) {
    return std::max<int64_t>(0, static_cast<int64_t>(std::llround(seconds * sample_rate_hz)));
}

// Soft clipper: Pade approximation of tanh, exact 1 at |x| >= 3, monotonic, no std::tanh per sample.
inline float FastTanh(float x) {
    x = std::clamp(x, -3.0f, 3.0f);
    const float x2 = x * x;
    return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

// xorshift32: a tiny deterministic white-noise source, uniform in [-1, 1).
class Noise final {
public:
    Noise() { Seed(0x9E3779B9u); }
    explicit Noise(uint32_t seed) { Seed(seed); }
    void Seed(uint32_t seed) {
        // Mix the seed so that neighbouring event indices give unrelated streams; never zero.
        seed ^= seed >> 16;
        seed *= 0x7FEB352Du;
        seed ^= seed >> 15;
        seed *= 0x846CA68Bu;
        seed ^= seed >> 16;
        state_ = seed == 0 ? 0x2545F491u : seed;
    }
    float Next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return static_cast<float>(static_cast<int32_t>(state_)) * (1.0f / 2147483648.0f);
    }

private:
    uint32_t state_ = 1;
};

enum class FilterKind { kLowPass, kHighPass, kBandPass };

// Biquad (RBJ cookbook), transposed direct form II. Set the coefficients per note, not per sample.
class Biquad final {
public:
    // Band-pass has 0 dB gain at its centre. Frequencies are clamped below Nyquist.
    void Set(FilterKind kind, double freq_hz, double q, double sample_rate_hz) {
        const double f = std::clamp(freq_hz, 10.0, 0.45 * sample_rate_hz);
        const double w = kTwoPi * f / sample_rate_hz;
        const double cw = std::cos(w);
        const double alpha = std::sin(w) / (2.0 * std::max(q, 0.05));
        const double a0 = 1.0 + alpha;
        double b0 = 0.0;
        double b1 = 0.0;
        double b2 = 0.0;
        switch (kind) {
            case FilterKind::kLowPass:
                b0 = (1.0 - cw) * 0.5;
                b1 = 1.0 - cw;
                b2 = b0;
                break;
            case FilterKind::kHighPass:
                b0 = (1.0 + cw) * 0.5;
                b1 = -(1.0 + cw);
                b2 = b0;
                break;
            case FilterKind::kBandPass:
                b0 = alpha;
                b1 = 0.0;
                b2 = -alpha;
                break;
        }
        b0_ = static_cast<float>(b0 / a0);
        b1_ = static_cast<float>(b1 / a0);
        b2_ = static_cast<float>(b2 / a0);
        a1_ = static_cast<float>(-2.0 * cw / a0);
        a2_ = static_cast<float>((1.0 - alpha) / a0);
    }
    void Reset() {
        z1_ = 0.0f;
        z2_ = 0.0f;
    }
    float Process(float x) {
        const float y = b0_ * x + z1_;
        z1_ = b1_ * x - a1_ * y + z2_;
        z2_ = b2_ * x - a2_ * y;
        return y;
    }

private:
    float b0_ = 1.0f, b1_ = 0.0f, b2_ = 0.0f, a1_ = 0.0f, a2_ = 0.0f;
    float z1_ = 0.0f, z2_ = 0.0f;
};

// Sawtooth in [-1, 1] with polyBLEP correction at the wrap (cheap, removes most aliasing).
class BlepSaw final {
public:
    void Set(double freq_hz, double sample_rate_hz, float start_phase) {
        dt_ = static_cast<float>(std::clamp(freq_hz / sample_rate_hz, 1e-6, 0.45));
        inv_dt_ = 1.0f / dt_;
        phase_ = start_phase - std::floor(start_phase);
    }
    void SetFrequency(double freq_hz, double sample_rate_hz) {
        dt_ = static_cast<float>(std::clamp(freq_hz / sample_rate_hz, 1e-6, 0.45));
        inv_dt_ = 1.0f / dt_;
    }
    float Next() {
        const float t = phase_;
        float v = 2.0f * t - 1.0f;
        if (t < dt_) {
            const float x = t * inv_dt_;
            v -= x + x - x * x - 1.0f;
        } else if (t > 1.0f - dt_) {
            const float x = (t - 1.0f) * inv_dt_;
            v -= x * x + x + x + 1.0f;
        }
        phase_ += dt_;
        if (phase_ >= 1.0f) phase_ -= 1.0f;
        return v;
    }
    // For callers that modulate the frequency per frame (vibrato): advance by a scaled step.
    float NextScaled(float ratio) {
        const float dt = dt_ * ratio;
        const float t = phase_;
        float v = 2.0f * t - 1.0f;
        if (t < dt) {
            const float x = t / dt;
            v -= x + x - x * x - 1.0f;
        } else if (t > 1.0f - dt) {
            const float x = (t - 1.0f) / dt;
            v -= x * x + x + x + 1.0f;
        }
        phase_ += dt;
        if (phase_ >= 1.0f) phase_ -= 1.0f;
        return v;
    }

private:
    float phase_ = 0.0f;
    float dt_ = 0.01f;
    float inv_dt_ = 100.0f;
};

}  // namespace amapiano::synth::dsp
