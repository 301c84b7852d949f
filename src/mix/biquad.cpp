#include "mix/biquad.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

namespace amapiano::mix {
namespace {

struct Raw final {
    double b0, b1, b2, a0, a1, a2;
};

BiquadCoefficients Normalise(const Raw& r) {
    return {r.b0 / r.a0, r.b1 / r.a0, r.b2 / r.a0, r.a1 / r.a0, r.a2 / r.a0};
}

// Angular frequency w0 = 2 pi f / fs, with f kept strictly inside (0, Nyquist).
double Omega(double sample_rate_hz, double frequency_hz) {
    const double nyquist = 0.5 * sample_rate_hz;
    const double f = std::clamp(frequency_hz, 1e-3, nyquist * 0.999);
    return 2.0 * std::numbers::pi * f / sample_rate_hz;
}

}  // namespace

BiquadCoefficients HighPass(double sample_rate_hz, double cutoff_hz, double q) {
    const double w0 = Omega(sample_rate_hz, cutoff_hz);
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * q);
    return Normalise({(1 + cw) / 2, -(1 + cw), (1 + cw) / 2, 1 + alpha, -2 * cw, 1 - alpha});
}

BiquadCoefficients LowPass(double sample_rate_hz, double cutoff_hz, double q) {
    const double w0 = Omega(sample_rate_hz, cutoff_hz);
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * q);
    return Normalise({(1 - cw) / 2, 1 - cw, (1 - cw) / 2, 1 + alpha, -2 * cw, 1 - alpha});
}

BiquadCoefficients LowShelf(double sample_rate_hz, double corner_hz, double gain_db, double slope) {
    const double a = std::pow(10.0, gain_db / 40.0);
    const double w0 = Omega(sample_rate_hz, corner_hz);
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / 2.0 * std::sqrt((a + 1 / a) * (1 / slope - 1) + 2);
    const double k = 2 * std::sqrt(a) * alpha;
    return Normalise({a * ((a + 1) - (a - 1) * cw + k), 2 * a * ((a - 1) - (a + 1) * cw),
                      a * ((a + 1) - (a - 1) * cw - k), (a + 1) + (a - 1) * cw + k,
                      -2 * ((a - 1) + (a + 1) * cw), (a + 1) + (a - 1) * cw - k});
}

BiquadCoefficients HighShelf(double sample_rate_hz, double corner_hz, double gain_db, double slope) {
    const double a = std::pow(10.0, gain_db / 40.0);
    const double w0 = Omega(sample_rate_hz, corner_hz);
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / 2.0 * std::sqrt((a + 1 / a) * (1 / slope - 1) + 2);
    const double k = 2 * std::sqrt(a) * alpha;
    return Normalise({a * ((a + 1) + (a - 1) * cw + k), -2 * a * ((a - 1) + (a + 1) * cw),
                      a * ((a + 1) + (a - 1) * cw - k), (a + 1) - (a - 1) * cw + k,
                      2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - k});
}

BiquadCoefficients Peaking(double sample_rate_hz, double centre_hz, double gain_db, double q) {
    const double a = std::pow(10.0, gain_db / 40.0);
    const double w0 = Omega(sample_rate_hz, centre_hz);
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * std::max(q, 1e-3));
    return Normalise({1 + alpha * a, -2 * cw, 1 - alpha * a, 1 + alpha / a, -2 * cw, 1 - alpha / a});
}

double MagnitudeDb(const BiquadCoefficients& c, double sample_rate_hz, double frequency_hz) {
    const double w = 2.0 * std::numbers::pi * frequency_hz / sample_rate_hz;
    const std::complex<double> z1 = std::polar(1.0, -w);
    const std::complex<double> z2 = z1 * z1;
    const std::complex<double> h = (c.b0 + c.b1 * z1 + c.b2 * z2) / (1.0 + c.a1 * z1 + c.a2 * z2);
    return 20.0 * std::log10(std::max(std::abs(h), 1e-300));
}

void Biquad::SetCoefficients(const BiquadCoefficients& c) {
    b0_ = static_cast<float>(c.b0);
    b1_ = static_cast<float>(c.b1);
    b2_ = static_cast<float>(c.b2);
    a1_ = static_cast<float>(c.a1);
    a2_ = static_cast<float>(c.a2);
}

void Biquad::Process(std::span<float> samples) {
    // Local copies keep the state in registers across the loop.
    float s1 = s1_, s2 = s2_;
    for (float& sample : samples) {
        const float x = sample;
        const float y = b0_ * x + s1;
        s1 = b1_ * x - a1_ * y + s2;
        s2 = b2_ * x - a2_ * y;
        sample = y;
    }
    // Flush denormals that a decaying tail would otherwise leave in the state.
    s1_ = std::fabs(s1) < 1e-25f ? 0.0f : s1;
    s2_ = std::fabs(s2) < 1e-25f ? 0.0f : s2;
}

template <size_t N>
void Biquad::ProcessChainFixed(Biquad* chain, std::span<float> samples) {
    float b0[N], b1[N], b2[N], a1[N], a2[N], s1[N], s2[N];
    for (size_t f = 0; f < N; ++f) {
        b0[f] = chain[f].b0_;
        b1[f] = chain[f].b1_;
        b2[f] = chain[f].b2_;
        a1[f] = chain[f].a1_;
        a2[f] = chain[f].a2_;
        s1[f] = chain[f].s1_;
        s2[f] = chain[f].s2_;
    }
    for (float& sample : samples) {
        float x = sample;
        for (size_t f = 0; f < N; ++f) {
            const float y = b0[f] * x + s1[f];
            s1[f] = b1[f] * x - a1[f] * y + s2[f];
            s2[f] = b2[f] * x - a2[f] * y;
            x = y;
        }
        sample = x;
    }
    for (size_t f = 0; f < N; ++f) {
        chain[f].s1_ = std::fabs(s1[f]) < 1e-25f ? 0.0f : s1[f];
        chain[f].s2_ = std::fabs(s2[f]) < 1e-25f ? 0.0f : s2[f];
    }
}

void Biquad::ProcessChain(std::span<Biquad> chain, std::span<float> samples) {
    size_t done = 0;
    while (done < chain.size()) {
        const size_t left = chain.size() - done;
        switch (left) {
            case 1:
                ProcessChainFixed<1>(chain.data() + done, samples);
                done += 1;
                break;
            case 2:
                ProcessChainFixed<2>(chain.data() + done, samples);
                done += 2;
                break;
            case 3:
                ProcessChainFixed<3>(chain.data() + done, samples);
                done += 3;
                break;
            default:
                ProcessChainFixed<4>(chain.data() + done, samples);
                done += 4;
                break;
        }
    }
}

void Biquad::ProcessStrided(std::span<float> interleaved, int channel, int stride) {
    float s1 = s1_, s2 = s2_;
    for (size_t i = static_cast<size_t>(channel); i < interleaved.size(); i += static_cast<size_t>(stride)) {
        const float x = interleaved[i];
        const float y = b0_ * x + s1;
        s1 = b1_ * x - a1_ * y + s2;
        s2 = b2_ * x - a2_ * y;
        interleaved[i] = y;
    }
    s1_ = std::fabs(s1) < 1e-25f ? 0.0f : s1;
    s2_ = std::fabs(s2) < 1e-25f ? 0.0f : s2;
}

}  // namespace amapiano::mix
