#include "analysis/true_peak.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/random.h"

namespace amapiano::analysis {
namespace {

TEST(TruePeak, FindsTheInterSamplePeakOfAQuarterRateSine) {
    // fs/4 sine at 45 degrees phase: samples at +-0.707 A, true peak A (3 dB above the samples).
    std::vector<float> x(2 * 4000);
    for (size_t i = 0; i < 4000; ++i) {
        const float v =
            static_cast<float>(std::sin(std::numbers::pi / 2.0 * double(i) + std::numbers::pi / 4.0));
        x[2 * i] = x[2 * i + 1] = 0.5f * v;
    }
    EXPECT_NEAR(StereoTruePeakOfBuffer(x), 0.5f, 0.01f);
    TruePeakMeter meter(2);
    meter.Push(x);
    EXPECT_NEAR(meter.Peak(), 0.5f, 0.01f);
}

std::vector<float> Noise(size_t samples, uint64_t seed) {
    Rng rng(seed);
    std::vector<float> x(samples);
    for (float& v : x) v = float(rng.Uniform(-0.7, 0.7));
    return x;
}

TEST(TruePeakMeter, StreamingInAnyBlocksMatchesTheWholeSignal) {
    for (int channels : {1, 2, 3}) {
        const std::vector<float> x = Noise(size_t(channels) * 20000, 3);
        TruePeakMeter whole(channels);
        whole.Push(x);
        TruePeakMeter pieces(channels);
        const size_t frame = size_t(channels);
        for (size_t at = 0, block = 1; at < x.size(); at += block * frame, block = block * 3 % 997 + 1) {
            pieces.Push(std::span(x).subspan(at, std::min(block * frame, x.size() - at)));
        }
        EXPECT_FLOAT_EQ(whole.Peak(), pieces.Peak()) << channels;
        EXPECT_GT(whole.Peak(), 0.7f * 0.95f);
    }
}

// Music-like material: many random partials up to 16 kHz at 48 kHz, with steep transients.
std::vector<float> Partials(size_t frames, uint64_t seed) {
    Rng rng(seed);
    std::vector<float> x(2 * frames, 0.0f);
    for (int p = 0; p < 40; ++p) {
        const double hz = rng.Uniform(40.0, 16000.0), phase = rng.Uniform(0.0, 6.28),
                     amp = rng.Uniform(0.0, 0.05);
        const size_t channel = size_t(p % 2);
        for (size_t i = 0; i < frames; ++i) {
            x[2 * i + channel] +=
                float(amp * std::sin(2.0 * std::numbers::pi * hz * double(i) / 48000.0 + phase));
        }
    }
    return x;
}

TEST(TruePeakMeter, AgreesWithLibebur128) {
    // libebur128's true-peak mode is the reference: ours must agree within 0.1 dB.
    const std::vector<float> x = Partials(48000 * 3, 9);
    TruePeakMeter meter(2);
    meter.Push(x);
    ebur128_state* state = ebur128_init(2, 48000, EBUR128_MODE_TRUE_PEAK);
    ASSERT_NE(state, nullptr);
    ebur128_add_frames_float(state, x.data(), x.size() / 2);
    double left = 0.0, right = 0.0;
    ebur128_true_peak(state, 0, &left);
    ebur128_true_peak(state, 1, &right);
    ebur128_destroy(&state);
    const double reference_db = 20.0 * std::log10(std::max(left, right));
    EXPECT_NEAR(20.0 * std::log10(meter.Peak()), reference_db, 0.1);
}

TEST(TruePeakMeter, SilenceAndNothingAreZero) {
    TruePeakMeter meter(2);
    EXPECT_EQ(meter.Peak(), 0.0f);
    meter.Push(std::vector<float>(1000, 0.0f));
    EXPECT_EQ(meter.Peak(), 0.0f);
}

}  // namespace
}  // namespace amapiano::analysis
