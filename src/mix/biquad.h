// Biquad filters (RBJ Audio EQ Cookbook): coefficient design and a transposed direct form II
// processor. Coefficients are computed once (at construction of a channel strip), never per sample.
//
//   Biquad hp(HighPass(44100.0, 150.0));
//   hp.Process(mono_block);            // in place
//   double db = MagnitudeDb(HighPass(44100.0, 150.0), 44100.0, 50.0);
//
// Thread: a Biquad belongs to one thread; Process() does not allocate, lock, log or throw.
#pragma once

#include <span>

namespace amapiano::mix {

// Normalised coefficients (a0 = 1): y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2.
struct BiquadCoefficients final {
    double b0 = 1.0, b1 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0;
};

// Frequencies in Hz (clamped into (0, Nyquist)); q is the quality factor; gains in dB.
BiquadCoefficients HighPass(double sample_rate_hz, double cutoff_hz, double q = 0.7071067811865476);
BiquadCoefficients LowPass(double sample_rate_hz, double cutoff_hz, double q = 0.7071067811865476);
BiquadCoefficients LowShelf(double sample_rate_hz, double corner_hz, double gain_db, double slope = 1.0);
BiquadCoefficients HighShelf(double sample_rate_hz, double corner_hz, double gain_db, double slope = 1.0);
BiquadCoefficients Peaking(double sample_rate_hz, double centre_hz, double gain_db, double q);

// The filter's magnitude response at `frequency_hz`, in dB (analytic, for tests and design).
double MagnitudeDb(const BiquadCoefficients& c, double sample_rate_hz, double frequency_hz);

// One channel of filter state.
class Biquad final {
public:
    Biquad() = default;
    explicit Biquad(const BiquadCoefficients& c) { SetCoefficients(c); }

    // Keeps the state (no click when retuning between blocks).
    void SetCoefficients(const BiquadCoefficients& c);
    void Reset() { s1_ = s2_ = 0.0f; }

    float ProcessSample(float x) {
        const float y = b0_ * x + s1_;
        s1_ = b1_ * x - a1_ * y + s2_;
        s2_ = b2_ * x - a2_ * y;
        return y;
    }
    // In place on a mono block.
    void Process(std::span<float> samples);
    // Runs a chain of filters sample by sample, so that their recurrences overlap in the CPU
    // (several times faster than filtering the block once per filter). In place.
    static void ProcessChain(std::span<Biquad> chain, std::span<float> samples);
    // In place on one channel of an interleaved block (`channel` of `stride`).
    void ProcessStrided(std::span<float> interleaved, int channel, int stride);

private:
    template <size_t N>
    static void ProcessChainFixed(Biquad* chain, std::span<float> samples);

    float b0_ = 1.0f, b1_ = 0.0f, b2_ = 0.0f, a1_ = 0.0f, a2_ = 0.0f;
    float s1_ = 0.0f, s2_ = 0.0f;
};

}  // namespace amapiano::mix
