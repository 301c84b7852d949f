#include "analysis/spectral_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/random.h"

namespace amapiano::analysis {
namespace {

SpectralFeatures Analyse(const std::vector<float>& signal) {
    SpectralFeatures features;
    SpectralFrames stft([&](const SpectrumView& view) { features.AddFrame(view); });
    stft.Push(signal);
    stft.Finish();
    return features;
}

std::vector<float> Sine(double hz, double seconds) {
    std::vector<float> out(size_t(seconds * kAnalysisRateHz));
    for (size_t i = 0; i < out.size(); ++i) {
        out[i] = float(0.5 * std::sin(2.0 * std::numbers::pi * hz * double(i) / kAnalysisRateHz));
    }
    return out;
}

TEST(SpectralFeatures, SineHasItsFrequencyAsCentroidAndIsNotFlat) {
    const SpectralFeatures f = Analyse(Sine(1000.0, 2.0));
    EXPECT_NEAR(f.Summary().centroid_hz, 1000.0, 30.0);
    EXPECT_NEAR(f.Summary().rolloff_hz, 1000.0, 30.0);
    EXPECT_LT(f.Summary().flatness, 0.05);
    EXPECT_GT(f.Bands().mid, 0.99);
}

TEST(SpectralFeatures, WhiteNoiseIsFlatWithEnergyInTheHighBand) {
    Rng rng(7);
    std::vector<float> noise(kAnalysisRateHz * 2);
    for (float& v : noise) v = float(rng.Uniform(-0.5, 0.5));
    const SpectralFeatures f = Analyse(noise);
    EXPECT_GT(f.Summary().flatness, 0.5);
    EXPECT_NEAR(f.Summary().centroid_hz, kAnalysisRateHz / 4.0, 600.0);
    EXPECT_NEAR(f.Bands().high, (kAnalysisRateHz / 2.0 - 2000.0) / (kAnalysisRateHz / 2.0 - 20.0), 0.03);
}

TEST(SpectralFeatures, LowSineIsFoundAsATonalLowPeak) {
    const SpectralFeatures f = Analyse(Sine(55.0, 1.0));
    ASSERT_GT(f.frames().size(), 50u);
    const FrameSummary& middle = f.frames()[40];
    EXPECT_NEAR(middle.low_peak_hz, 55.0, 2.0);
    EXPECT_GT(middle.low_tonality, 0.8f);
    EXPECT_GT(f.Bands().sub + f.Bands().low, 0.999);
    EXPECT_GT(Analyse(Sine(35.0, 1.0)).Bands().sub, 0.9);
    EXPECT_GT(Analyse(Sine(120.0, 1.0)).Bands().low, 0.9);
}

TEST(SpectralFeatures, SilenceHasNoTimbreAndNoBandEnergy) {
    const SpectralFeatures f = Analyse(std::vector<float>(kAnalysisRateHz, 0.0f));
    EXPECT_EQ(f.Summary().centroid_hz, 0.0);
    EXPECT_EQ(f.Bands().sub + f.Bands().low + f.Bands().mid + f.Bands().high, 0.0);
    EXPECT_EQ(f.frames()[10].low_peak_hz, 0.0f);
}

}  // namespace
}  // namespace amapiano::analysis
