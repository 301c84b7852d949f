#include "analysis/loudness_meter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <vector>

namespace amapiano::analysis {
namespace {

// Interleaved stereo 1 kHz sine, the same in both channels, with a peak of `dbfs`.
std::vector<float> StereoSine(double dbfs, double seconds, int rate = 48000) {
    const double amplitude = std::pow(10.0, dbfs / 20.0);
    std::vector<float> out(size_t(seconds * rate) * 2);
    for (size_t i = 0; i < out.size() / 2; ++i) {
        const float v = float(amplitude * std::sin(2.0 * std::numbers::pi * 1000.0 * double(i) / rate));
        out[2 * i] = v;
        out[2 * i + 1] = v;
    }
    return out;
}

LoudnessResult Measure(const std::vector<float>& stereo, int rate = 48000, size_t block = 4096) {
    auto meter = LoudnessMeter::Create(rate, 2);
    EXPECT_TRUE(meter.ok());
    for (size_t at = 0; at < stereo.size(); at += block * 2) {
        (*meter)->Push(std::span(stereo).subspan(at, std::min(block * 2, stereo.size() - at)));
    }
    return (*meter)->Finish();
}

TEST(LoudnessMeter, Tech3341Case1SineAtMinus23DbfsReadsMinus23Lufs) {
    const LoudnessResult r = Measure(StereoSine(-23.0, 20.0));
    EXPECT_NEAR(r.integrated_lufs, -23.0, 0.1);
    EXPECT_NEAR(r.momentary_max_lufs, -23.0, 0.1);
    EXPECT_NEAR(r.short_term_max_lufs, -23.0, 0.1);
    EXPECT_NEAR(r.range_lu, 0.0, 0.1);
    EXPECT_NEAR(r.true_peak_dbtp, -23.0, 0.2);
}

TEST(LoudnessMeter, BlockSizeDoesNotChangeTheFigures) {
    const std::vector<float> signal = StereoSine(-18.0, 6.0, 44100);
    const LoudnessResult a = Measure(signal, 44100, 1);
    const LoudnessResult b = Measure(signal, 44100, 100000);
    EXPECT_DOUBLE_EQ(a.integrated_lufs, b.integrated_lufs);
    EXPECT_DOUBLE_EQ(a.momentary_max_lufs, b.momentary_max_lufs);
    EXPECT_DOUBLE_EQ(a.short_term_max_lufs, b.short_term_max_lufs);
}

TEST(LoudnessMeter, RangeOfTwoLevelsIsTheirDifference) {
    // Tech 3342 case 1: 20 s at -20 dBFS then 20 s at -30 dBFS -> LRA 10 LU.
    std::vector<float> signal = StereoSine(-20.0, 20.0);
    const std::vector<float> quiet = StereoSine(-30.0, 20.0);
    signal.insert(signal.end(), quiet.begin(), quiet.end());
    EXPECT_NEAR(Measure(signal).range_lu, 10.0, 1.0);
}

TEST(LoudnessMeter, SilenceAndEmptyInputReadAsTheFloor) {
    for (const std::vector<float>& signal : {std::vector<float>(48000 * 2 * 5, 0.0f), std::vector<float>{}}) {
        const LoudnessResult r = Measure(signal);
        EXPECT_EQ(r.integrated_lufs, kLoudnessFloorLufs);
        EXPECT_EQ(r.true_peak_dbtp, kLoudnessFloorLufs);
        EXPECT_EQ(r.momentary_max_lufs, kLoudnessFloorLufs);
        EXPECT_EQ(r.range_lu, 0.0);
    }
}

TEST(LoudnessMeter, RejectsImpossibleFormats) {
    EXPECT_EQ(LoudnessMeter::Create(0, 2).error().code, ErrorCode::kUnsupported);
    EXPECT_EQ(LoudnessMeter::Create(768000, 64).error().code, ErrorCode::kUnsupported);
    EXPECT_EQ(LoudnessMeter::Create(44100, 0).error().code, ErrorCode::kUnsupported);
    EXPECT_TRUE(LoudnessMeter::Create(44100, 4).ok());
}

}  // namespace
}  // namespace amapiano::analysis
