#include "analysis/spectral_frames.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace amapiano::analysis {
namespace {

std::vector<float> Sine(double hz, double seconds, double amplitude = 1.0) {
    std::vector<float> out(size_t(seconds * kAnalysisRateHz));
    for (size_t i = 0; i < out.size(); ++i) {
        out[i] = float(amplitude * std::sin(2.0 * std::numbers::pi * hz * double(i) / kAnalysisRateHz));
    }
    return out;
}

TEST(SpectralFrames, OneFramePerHopWhateverTheBlockSize) {
    const std::vector<float> signal = Sine(440.0, 1.0);
    for (size_t block : {size_t(1), size_t(100), size_t(4096), signal.size()}) {
        int64_t frames = 0;
        SpectralFrames stft([&](const SpectrumView& view) {
            EXPECT_EQ(view.index, frames);
            ++frames;
        });
        for (size_t at = 0; at < signal.size(); at += block) {
            stft.Push(std::span(signal).subspan(at, std::min(block, signal.size() - at)));
        }
        stft.Finish();
        EXPECT_EQ(frames, (int64_t(signal.size()) + kHopFrames - 1) / kHopFrames) << "block " << block;
    }
}

TEST(SpectralFrames, SinePeaksAtItsBinWithHalfAmplitude) {
    const double hz = 100 * kBinHz;  // exactly on bin 100
    const std::vector<float> signal = Sine(hz, 1.0);
    std::vector<float> middle;
    SpectralFrames stft([&](const SpectrumView& view) {
        if (view.index == 40) middle.assign(view.magnitude.begin(), view.magnitude.end());
    });
    stft.Push(signal);
    stft.Finish();
    ASSERT_EQ(middle.size(), size_t(kSpectrumBins));
    const auto peak = std::max_element(middle.begin(), middle.end());
    EXPECT_EQ(peak - middle.begin(), 100);
    EXPECT_NEAR(*peak, 0.5f, 0.01f);
    EXPECT_LT(middle[300], 1e-4f);
}

TEST(SpectralFrames, EmptyInputGivesNoFrames) {
    int frames = 0;
    SpectralFrames stft([&](const SpectrumView&) { ++frames; });
    stft.Finish();
    EXPECT_EQ(frames, 0);
}

}  // namespace
}  // namespace amapiano::analysis
