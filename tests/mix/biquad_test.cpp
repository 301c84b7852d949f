#include "mix/biquad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mix/test_signals.h"

namespace amapiano::mix {
namespace {

constexpr double kRate = 44100.0;

// Steady-state RMS gain (dB) of a filter on a sine, measured by running it.
double MeasuredGainDb(const BiquadCoefficients& c, double frequency_hz) {
    std::vector<float> x = testing_signals::Sine(frequency_hz, kRate, 44100, 0.5f);
    std::vector<float> y = x;
    Biquad filter(c);
    filter.Process(y);
    double in = 0.0, out = 0.0;
    for (size_t i = 22050; i < x.size(); ++i) {
        in += double(x[i]) * x[i];
        out += double(y[i]) * y[i];
    }
    return 10.0 * std::log10(out / in);
}

TEST(Biquad, LowPassAttenuatesTenKilohertzByMoreThanTwentyDb) {
    const BiquadCoefficients lp = LowPass(kRate, 1000.0);
    EXPECT_LT(MeasuredGainDb(lp, 10000.0), -20.0);
    EXPECT_NEAR(MeasuredGainDb(lp, 100.0), 0.0, 0.1);
    EXPECT_NEAR(MagnitudeDb(lp, kRate, 1000.0), -3.01, 0.05);
}

TEST(Biquad, HighPassRemovesLowEnd) {
    const BiquadCoefficients hp = HighPass(kRate, 150.0);
    EXPECT_LT(MeasuredGainDb(hp, 30.0), -25.0);
    EXPECT_NEAR(MeasuredGainDb(hp, 2000.0), 0.0, 0.1);
    EXPECT_NEAR(MagnitudeDb(hp, kRate, 150.0), -3.01, 0.05);
}

TEST(Biquad, LowShelfBoostsBelowCornerOnly) {
    const BiquadCoefficients shelf = LowShelf(kRate, 200.0, 6.0);
    EXPECT_NEAR(MeasuredGainDb(shelf, 30.0), 6.0, 0.3);
    EXPECT_NEAR(MeasuredGainDb(shelf, 5000.0), 0.0, 0.2);
    EXPECT_NEAR(MagnitudeDb(shelf, kRate, 200.0), 3.0, 0.2);
}

TEST(Biquad, PeakingHitsItsGainAtCentre) {
    const BiquadCoefficients bell = Peaking(kRate, 1000.0, -6.0, 1.0);
    EXPECT_NEAR(MeasuredGainDb(bell, 1000.0), -6.0, 0.1);
    EXPECT_NEAR(MeasuredGainDb(bell, 10000.0), 0.0, 0.5);
    EXPECT_NEAR(MeasuredGainDb(bell, 80.0), 0.0, 0.3);
}

TEST(Biquad, AnalyticResponseMatchesProcessing) {
    const BiquadCoefficients hs = HighShelf(kRate, 3000.0, 4.0);
    for (double f : {100.0, 1000.0, 3000.0, 8000.0}) {
        EXPECT_NEAR(MagnitudeDb(hs, kRate, f), MeasuredGainDb(hs, f), 0.1) << f;
    }
}

TEST(Biquad, StridedProcessingMatchesMono) {
    const BiquadCoefficients lp = LowPass(kRate, 500.0);
    std::vector<float> mono = testing_signals::Sine(3000.0, kRate, 1000, 0.7f);
    std::vector<float> stereo(2 * mono.size(), 0.0f);
    for (size_t i = 0; i < mono.size(); ++i) stereo[2 * i + 1] = mono[i];
    Biquad a(lp), b(lp);
    a.Process(mono);
    b.ProcessStrided(stereo, 1, 2);
    for (size_t i = 0; i < mono.size(); ++i) {
        ASSERT_FLOAT_EQ(stereo[2 * i + 1], mono[i]);
        ASSERT_EQ(stereo[2 * i], 0.0f);
    }
}

}  // namespace
}  // namespace amapiano::mix
