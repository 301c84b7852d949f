// Deterministic test signals for the mix tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace amapiano::mix::testing_signals {

// A tiny fixed-seed generator (tests only): uniform in [-1, 1).
class Noise final {
public:
    explicit Noise(uint32_t seed) : state_(seed | 1u) {}
    float Next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return static_cast<float>(state_) / 2147483648.0f - 1.0f;
    }

private:
    uint32_t state_;
};

inline std::vector<float> Sine(double frequency_hz, double rate, size_t frames, float amplitude) {
    std::vector<float> out(frames);
    for (size_t i = 0; i < frames; ++i) {
        out[i] = amplitude * static_cast<float>(std::sin(2.0 * std::numbers::pi * frequency_hz * i / rate));
    }
    return out;
}

// Pink-ish stereo noise (Paul Kellet's economy filter), interleaved.
inline std::vector<float> PinkNoise(size_t frames, float amplitude, uint32_t seed) {
    std::vector<float> out(2 * frames);
    for (int ch = 0; ch < 2; ++ch) {
        Noise noise(seed + static_cast<uint32_t>(ch) * 7919u);
        float b0 = 0, b1 = 0, b2 = 0;
        for (size_t i = 0; i < frames; ++i) {
            const float white = noise.Next();
            b0 = 0.99765f * b0 + white * 0.0990460f;
            b1 = 0.96300f * b1 + white * 0.2965164f;
            b2 = 0.57000f * b2 + white * 1.0526913f;
            out[2 * i + static_cast<size_t>(ch)] = amplitude * 0.25f * (b0 + b1 + b2 + white * 0.1848f);
        }
    }
    return out;
}

// A kick-like mono signal: decaying pitch-dropping sine bursts every `period_s`.
inline std::vector<float> KickTrain(double rate, size_t frames, double period_s, float amplitude) {
    std::vector<float> out(frames, 0.0f);
    const auto period = static_cast<size_t>(period_s * rate);
    for (size_t start = 0; start < frames; start += period) {
        double phase = 0.0;
        for (size_t i = 0; i < period && start + i < frames; ++i) {
            const double t = i / rate;
            const double f = 50.0 + 120.0 * std::exp(-t / 0.03);
            phase += 2.0 * std::numbers::pi * f / rate;
            out[start + i] = amplitude * static_cast<float>(std::exp(-t / 0.15) * std::sin(phase));
        }
    }
    return out;
}

// A loud drum-like stereo mix: kicks, noisy hats and a quieter chord, peaks near full scale.
inline std::vector<float> DrumMix(double rate, size_t frames, uint32_t seed) {
    std::vector<float> kick = KickTrain(rate, frames, 60.0 / 112.0, 0.9f);
    std::vector<float> out(2 * frames);
    Noise noise(seed);
    const auto sixteenth = static_cast<size_t>(15.0 / 112.0 * rate);
    for (size_t i = 0; i < frames; ++i) {
        const double t_hat = static_cast<double>(i % sixteenth) / rate;
        const float hat = 0.25f * static_cast<float>(std::exp(-t_hat / 0.02)) * noise.Next();
        const double t = i / rate;
        const float chord = 0.12f * static_cast<float>(std::sin(2 * std::numbers::pi * 220.0 * t) +
                                                       std::sin(2 * std::numbers::pi * 277.18 * t) +
                                                       std::sin(2 * std::numbers::pi * 329.63 * t));
        out[2 * i] = kick[i] + 0.8f * hat + chord;
        out[2 * i + 1] = kick[i] + 0.6f * hat - 0.5f * chord;
    }
    return out;
}

}  // namespace amapiano::mix::testing_signals

namespace amapiano::mix::testing_signals {

// Rough stand-ins for the synthesisers' mono outputs (raw peaks about 1), 112 BPM, for
// instrument i of compose::kAllInstruments order: log drum, kick, shaker, clap, hats, rim, perc,
// keys, pad, bass, lead.
inline std::vector<float> InstrumentLike(int index, double rate, size_t frames) {
    const double beat = 60.0 / 112.0;
    std::vector<float> out(frames, 0.0f);
    Noise noise(static_cast<uint32_t>(100 + index));
    auto hits = [&](double period, double offset, double decay_s, auto voice) {
        for (double start = offset; start * rate < double(frames); start += period) {
            const auto s0 = static_cast<size_t>(start * rate);
            for (size_t i = 0;
                 i < static_cast<size_t>(std::min(period, 6 * decay_s) * rate) && s0 + i < frames; ++i) {
                const double t = double(i) / rate;
                out[s0 + i] += static_cast<float>(std::exp(-t / decay_s)) * voice(t);
            }
        }
    };
    const double two_pi = 2.0 * std::numbers::pi;
    switch (index) {
        case 0:  // log drum: pitched, off-beat, saturated
            hits(beat * 1.5, beat * 0.5, 0.3, [&](double t) {
                return static_cast<float>(
                    std::tanh(1.5 * std::sin(two_pi * (55.0 * t + 2.0 * (1 - std::exp(-t / 0.03))))));
            });
            break;
        case 1:
            hits(beat, 0.0, 0.12, [&](double t) {
                return static_cast<float>(std::sin(two_pi * (50.0 * t + 3.0 * (1 - std::exp(-t / 0.02)))));
            });
            break;
        case 2:
        case 4:
        case 5:
        case 6:
            hits(beat / 4, beat / 8 * (index % 2), index == 2 ? 0.04 : 0.02,
                 [&](double) { return noise.Next(); });
            break;
        case 3: hits(2 * beat, beat, 0.08, [&](double) { return noise.Next(); }); break;
        case 7:  // keys: chord stabs
            hits(beat * 0.75, beat * 0.25, 0.25, [&](double t) {
                return static_cast<float>(0.3 * (std::sin(two_pi * 261.6 * t) + std::sin(two_pi * 311.1 * t) +
                                                 std::sin(two_pi * 392.0 * t)));
            });
            break;
        case 8:  // pad
            for (size_t i = 0; i < frames; ++i) {
                const double t = double(i) / rate;
                out[i] =
                    static_cast<float>(0.25 * (std::sin(two_pi * 130.8 * t) + std::sin(two_pi * 155.6 * t) +
                                               std::sin(two_pi * 196.0 * t)) +
                                       0.05 * noise.Next());
            }
            break;
        case 9:
            for (size_t i = 0; i < frames; ++i)
                out[i] = 0.8f * float(std::sin(two_pi * 43.65 * double(i) / rate));
            break;
        default:
            hits(beat * 2, beat * 0.5, 0.4, [&](double t) {
                return static_cast<float>(std::sin(two_pi * 523.3 * t) +
                                          0.3 * std::sin(two_pi * 1046.5 * t)) *
                       0.8f;
            });
            break;
    }
    for (float& v : out) v = std::clamp(v, -1.0f, 1.0f);
    return out;
}

}  // namespace amapiano::mix::testing_signals
