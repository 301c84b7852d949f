#include "audio/mono_resampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace amapiano::audio {
namespace {

// Amplitude of the `hz` component of x[begin, end) (single-bin DFT; exact for whole periods).
double ToneAmplitude(const std::vector<float>& x, double rate_hz, double hz, size_t begin, size_t end) {
    std::complex<double> sum = 0.0;
    for (size_t i = begin; i < end; ++i) {
        sum += static_cast<double>(x[i]) * std::polar(1.0, -2 * std::numbers::pi * hz * double(i) / rate_hz);
    }
    return 2.0 * std::abs(sum) / static_cast<double>(end - begin);
}

double Db(double ratio) { return 20.0 * std::log10(ratio); }

// Interleaved `channels`-channel sine of `hz`, channel c scaled by gains[c].
std::vector<float> Sine(double hz, double rate_hz, size_t frames, const std::vector<float>& gains) {
    const size_t channels = gains.size();
    std::vector<float> x(frames * channels);
    for (size_t i = 0; i < frames; ++i) {
        const auto s = static_cast<float>(std::sin(2 * std::numbers::pi * hz * double(i) / rate_hz));
        for (size_t c = 0; c < channels; ++c) x[i * channels + c] = gains[c] * s;
    }
    return x;
}

std::vector<float> ResampleInBlocks(const std::vector<float>& x, int in_rate, int channels, int out_rate,
                                    size_t block_frames) {
    auto resampler = MonoResampler::Create(in_rate, channels, out_rate);
    EXPECT_TRUE(resampler.ok());
    std::vector<float> out;
    const size_t step = block_frames * static_cast<size_t>(channels);
    for (size_t offset = 0; offset < x.size(); offset += step) {
        const size_t n = std::min(step, x.size() - offset);
        (*resampler)->Push(std::span<const float>(x.data() + offset, n), out);
    }
    (*resampler)->Flush(out);
    return out;
}

TEST(MonoResampler, RejectsAbsurdParameters) {
    EXPECT_EQ(MonoResampler::Create(0, 2, 22050).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MonoResampler::Create(44100, 0, 22050).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MonoResampler::Create(44100, 65, 22050).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MonoResampler::Create(44100, 2, -1).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MonoResampler::Create(800000, 2, 22050).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MonoResampler::Create(768000, 2, 1000).error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(MonoResampler::Create(768000, 64, 8000).ok());
    EXPECT_TRUE(MonoResampler::Create(8000, 1, 768000).ok());
}

TEST(MonoResampler, KeepsAPassBandToneAndItsFrequency) {
    const std::vector<float> x = Sine(1000.0, 44100, 44100, {0.5f, 0.5f});
    const std::vector<float> y = ResampleInBlocks(x, 44100, 2, 22050, 4096);
    ASSERT_NEAR(double(y.size()), 22050.0, 2.0);
    // Away from the edges: the amplitude is kept within 0.5 dB, and the energy is at 1 kHz.
    const double at_1k = ToneAmplitude(y, 22050, 1000.0, 1050, 21000);
    EXPECT_NEAR(Db(at_1k / 0.5), 0.0, 0.5);
    EXPECT_LT(ToneAmplitude(y, 22050, 990.0, 1050, 21000), 0.01 * at_1k);
    EXPECT_LT(ToneAmplitude(y, 22050, 1010.0, 1050, 21000), 0.01 * at_1k);
}

TEST(MonoResampler, RemovesToneAboveTheNewNyquist) {
    const std::vector<float> x = Sine(15000.0, 44100, 44100, {0.5f, 0.5f});
    const std::vector<float> y = ResampleInBlocks(x, 44100, 2, 22050, 4096);
    ASSERT_NEAR(double(y.size()), 22050.0, 2.0);
    double energy = 0.0;
    for (size_t i = 1000; i < 21000; ++i) energy += double(y[i]) * y[i];
    const double rms = std::sqrt(energy / 20000.0);
    // Input RMS 0.5 / sqrt(2); the alias (at 22050 - 15000 = 7050 Hz) must be > 40 dB below it.
    EXPECT_LT(Db(rms / (0.5 / std::sqrt(2.0))), -40.0);
}

TEST(MonoResampler, OutputLengthMatchesTheRateRatio) {
    for (const auto& [in_rate, out_rate, frames] :
         std::vector<std::tuple<int, int, size_t>>{{44100, 22050, 100001},
                                                   {48000, 22050, 48000},
                                                   {22050, 44100, 777},
                                                   {96000, 22050, 12345},
                                                   {8000, 22050, 1},
                                                   {44100, 22050, 0}}) {
        const std::vector<float> x(frames * 2, 0.25f);
        const std::vector<float> y = ResampleInBlocks(x, in_rate, 2, out_rate, 1000);
        const double expected = std::round(double(frames) * out_rate / in_rate);
        EXPECT_EQ(double(y.size()), expected) << in_rate << " -> " << out_rate << ", " << frames;
    }
}

TEST(MonoResampler, FirstOutputSampleIsAlignedWithFirstInputSample) {
    // An impulse at input frame 4410 (0.1 s) must peak at output sample 2205, not later.
    std::vector<float> x(2 * 44100, 0.0f);
    x[2 * 4410] = x[2 * 4410 + 1] = 1.0f;
    const std::vector<float> y = ResampleInBlocks(x, 44100, 2, 22050, 4096);
    size_t peak = 0;
    for (size_t i = 1; i < y.size(); ++i) {
        if (std::abs(y[i]) > std::abs(y[peak])) peak = i;
    }
    EXPECT_EQ(peak, 2205u);
    // A step starting at frame 0 reaches its level right away (no leading run of zeros).
    const std::vector<float> ones(2 * 4410, 0.5f);
    const std::vector<float> z = ResampleInBlocks(ones, 44100, 2, 22050, 4096);
    ASSERT_GT(z.size(), 100u);
    EXPECT_NEAR(z[50], 0.5f, 0.01f);
}

TEST(MonoResampler, BlockSizeDoesNotChangeTheOutput) {
    std::vector<float> x = Sine(440.0, 44100, 20000, {0.3f, 0.7f});
    for (size_t i = 0; i < x.size(); ++i) x[i] += 0.1f * float(std::sin(0.37 * double(i)));
    const std::vector<float> reference = ResampleInBlocks(x, 44100, 2, 22050, 100000);
    for (size_t block : {size_t{1}, size_t{333}}) {
        const std::vector<float> y = ResampleInBlocks(x, 44100, 2, 22050, block);
        ASSERT_EQ(y.size(), reference.size()) << "block " << block;
        for (size_t i = 0; i < y.size(); ++i) {
            ASSERT_NEAR(y[i], reference[i], 1e-6f) << "block " << block << ", sample " << i;
        }
    }
}

TEST(MonoResampler, AveragesAllChannelsWithEqualWeight) {
    // Same rate: a pure downmix, sample for sample.
    const std::vector<float> x = {1.0f, 0.0f, 0.0f,  0.0f,  //
                                  0.4f, 0.4f, -0.4f, 0.4f,  //
                                  1.0f, 1.0f, 1.0f,  1.0f};
    auto resampler = MonoResampler::Create(22050, 4, 22050);
    ASSERT_TRUE(resampler.ok());
    std::vector<float> y = {9.0f};  // appends
    (*resampler)->Push(x, y);
    (*resampler)->Flush(y);
    ASSERT_EQ(y.size(), 4u);
    EXPECT_FLOAT_EQ(y[0], 9.0f);
    EXPECT_FLOAT_EQ(y[1], 0.25f);
    EXPECT_FLOAT_EQ(y[2], 0.2f);
    EXPECT_FLOAT_EQ(y[3], 1.0f);

    // With resampling: a 1 kHz tone on only one of 4 channels comes out at a quarter amplitude.
    const std::vector<float> four = Sine(1000.0, 44100, 44100, {0.0f, 0.0f, 0.8f, 0.0f});
    const std::vector<float> mono = ResampleInBlocks(four, 44100, 4, 22050, 4096);
    EXPECT_NEAR(ToneAmplitude(mono, 22050, 1000.0, 1050, 21000), 0.2, 0.2 * 0.06);
}

TEST(MonoResampler, CanStartANewStreamAfterFlush) {
    const std::vector<float> x = Sine(1000.0, 44100, 4410, {0.5f});
    auto resampler = MonoResampler::Create(44100, 1, 22050);
    ASSERT_TRUE(resampler.ok());
    std::vector<float> first;
    std::vector<float> second;
    (*resampler)->Push(x, first);
    (*resampler)->Flush(first);
    (*resampler)->Push(x, second);
    (*resampler)->Flush(second);
    ASSERT_EQ(first.size(), second.size());
    for (size_t i = 0; i < first.size(); ++i) ASSERT_FLOAT_EQ(first[i], second[i]);
}

}  // namespace
}  // namespace amapiano::audio
