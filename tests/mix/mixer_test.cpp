#include "mix/mixer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "mix/test_signals.h"

namespace amapiano::mix {
namespace {

using compose::Instrument;
constexpr double kRate = 44100.0;

// Runs a mixer over whole mono inputs in blocks of `block` frames.
struct Rendered final {
    std::vector<std::vector<float>> stems;
    std::vector<float> bus;
};

Rendered Render(Mixer& mixer, const std::vector<std::vector<float>>& inputs, size_t block,
                double* process_seconds = nullptr) {
    const size_t frames = inputs.front().size();
    Rendered out;
    out.stems.assign(inputs.size(), std::vector<float>(2 * frames, 0.0f));
    out.bus.assign(2 * frames, 0.0f);
    for (size_t offset = 0; offset < frames; offset += block) {
        const size_t n = std::min(block, frames - offset);
        std::vector<std::span<const float>> in;
        std::vector<std::span<float>> stems;
        for (size_t c = 0; c < inputs.size(); ++c) {
            in.emplace_back(inputs[c].data() + offset, n);
            stems.emplace_back(out.stems[c].data() + 2 * offset, 2 * n);
        }
        const auto start = std::chrono::steady_clock::now();
        mixer.Process(in, stems, std::span<float>(out.bus.data() + 2 * offset, 2 * n));
        if (process_seconds != nullptr) {
            *process_seconds +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    }
    return out;
}

double RmsDb(const std::vector<float>& x, size_t begin, size_t end) {
    double sum = 0.0;
    for (size_t i = begin; i < end; ++i) sum += double(x[i]) * x[i];
    return 10.0 * std::log10(sum / double(end - begin) + 1e-30);
}

TEST(ConstantPowerPan, KeepsPowerAndCentresAtMinusThreeDb) {
    for (double pan = -1.0; pan <= 1.0; pan += 0.125) {
        const PanGains g = ConstantPowerPan(pan);
        EXPECT_NEAR(g.left * g.left + g.right * g.right, 1.0, 1e-6) << pan;
    }
    const PanGains centre = ConstantPowerPan(0.0);
    EXPECT_NEAR(20.0 * std::log10(centre.left), -3.01, 0.01);
    EXPECT_FLOAT_EQ(centre.left, centre.right);
    EXPECT_NEAR(ConstantPowerPan(-1.0).right, 0.0, 1e-7);
    EXPECT_NEAR(ConstantPowerPan(1.0).left, 0.0, 1e-7);
    EXPECT_GT(ConstantPowerPan(-0.3).left, ConstantPowerPan(-0.3).right);
}

TEST(Mixer, PanPlacesAMonoChannel) {
    ChannelSettings s;
    s.pan = 0.5;
    Mixer mixer({Instrument::kPerc}, {s}, kRate, BusSettings{false, false});
    const Rendered out = Render(mixer, {testing_signals::Sine(440.0, kRate, 4410, 0.5f)}, 4096);
    const PanGains g = ConstantPowerPan(0.5);
    for (size_t i = 0; i < 4410; i += 97) {
        const float x =
            0.5f * static_cast<float>(std::sin(2.0 * std::numbers::pi * 440.0 * double(i) / kRate));
        EXPECT_NEAR(out.stems[0][2 * i], x * g.left, 1e-5);
        EXPECT_NEAR(out.stems[0][2 * i + 1], x * g.right, 1e-5);
    }
}

// Keys level during kick hits, with and without the kick playing.
TEST(Mixer, KeysDuckUnderTheKick) {
    const compose::SoundDesign sound;
    const size_t frames = static_cast<size_t>(kRate * 2);
    const std::vector<float> keys = testing_signals::Sine(440.0, kRate, frames, 0.5f);
    const std::vector<float> kick = testing_signals::KickTrain(kRate, frames, 0.5, 0.9f);
    const std::vector<float> silence(frames, 0.0f);

    Mixer ducked({Instrument::kKick, Instrument::kKeys}, kRate, sound);
    Mixer dry({Instrument::kKick, Instrument::kKeys}, kRate, sound);
    const Rendered with_kick = Render(ducked, {kick, keys}, 4096);
    const Rendered without_kick = Render(dry, {silence, keys}, 4096);

    // 5..40 ms after the kick at 1.0 s: the envelope is up, the keys stem is down by about the depth.
    const size_t begin = 2 * static_cast<size_t>(kRate * 1.005), end = 2 * static_cast<size_t>(kRate * 1.04);
    const double reduction = RmsDb(without_kick.stems[1], begin, end) - RmsDb(with_kick.stems[1], begin, end);
    const double depth = DefaultChannelSettings(Instrument::kKeys, sound).duck_depth_db;
    EXPECT_GT(depth, 2.9);
    EXPECT_NEAR(reduction, depth, 1.0);
    // Just before the next kick (release 120 ms, 0.5 s period) the keys are back up.
    const size_t late_begin = 2 * static_cast<size_t>(kRate * 1.45),
                 late_end = 2 * static_cast<size_t>(kRate * 1.49);
    EXPECT_LT(
        RmsDb(without_kick.stems[1], late_begin, late_end) - RmsDb(with_kick.stems[1], late_begin, late_end),
        1.0);
    // The kick itself is not ducked.
    EXPECT_EQ(DefaultChannelSettings(Instrument::kKick, sound).duck_depth_db, 0.0);
}

// Without reverb and compression the bus is exactly the sum of the stems; with reverb the bus holds
// more than the stems (the return), so the check would catch a missing or double-counted channel.
TEST(Mixer, BusIsSumOfStemsWithoutReverbAndCompression) {
    const compose::SoundDesign sound;
    const size_t frames = 20000;
    std::vector<Instrument> channels = {Instrument::kKick, Instrument::kLogDrum, Instrument::kKeys,
                                        Instrument::kPad, Instrument::kShaker};
    std::vector<std::vector<float>> inputs;
    for (size_t c = 0; c < channels.size(); ++c) {
        std::vector<float> x = testing_signals::Sine(110.0 * double(c + 1), kRate, frames, 0.8f);
        testing_signals::Noise noise(static_cast<uint32_t>(c + 1));
        for (float& v : x) v += 0.1f * noise.Next();
        inputs.push_back(std::move(x));
    }
    std::vector<ChannelSettings> settings;
    for (Instrument i : channels) settings.push_back(DefaultChannelSettings(i, sound));

    Mixer plain(channels, settings, kRate, BusSettings{false, false});
    const Rendered out = Render(plain, inputs, 3000);
    double max_error = 0.0, max_bus = 0.0;
    for (size_t i = 0; i < 2 * frames; ++i) {
        float sum = 0.0f;
        for (const auto& stem : out.stems) sum += stem[i];
        max_error = std::max(max_error, double(std::fabs(out.bus[i] - sum)));
        max_bus = std::max(max_bus, double(std::fabs(out.bus[i])));
    }
    EXPECT_LT(max_error, 1e-5);
    EXPECT_GT(max_bus, 0.05);

    Mixer with_reverb(channels, settings, kRate, BusSettings{true, false});
    const Rendered wet = Render(with_reverb, inputs, 3000);
    double difference = 0.0;
    for (size_t i = 0; i < 2 * frames; ++i) {
        float sum = 0.0f;
        for (const auto& stem : wet.stems) sum += stem[i];
        difference = std::max(difference, double(std::fabs(wet.bus[i] - sum)));
        ASSERT_FLOAT_EQ(wet.stems[0][i], out.stems[0][i]);  // stems are before the reverb return
    }
    EXPECT_GT(difference, 1e-3);
}

TEST(Mixer, OutputIsFiniteAndBelowClippingForFullScaleInputs) {
    const compose::SoundDesign sound;
    const size_t frames = static_cast<size_t>(kRate * 3);
    std::vector<Instrument> channels(compose::kAllInstruments.begin(), compose::kAllInstruments.end());
    std::vector<std::vector<float>> inputs;
    for (size_t c = 0; c < channels.size(); ++c) {
        if (channels[c] == Instrument::kKick || channels[c] == Instrument::kLogDrum) {
            inputs.push_back(testing_signals::KickTrain(kRate, frames, 60.0 / 112.0, 1.0f));
            continue;
        }
        std::vector<float> x(frames);
        testing_signals::Noise noise(static_cast<uint32_t>(c + 11));
        for (size_t i = 0; i < frames; ++i) {
            x[i] = 0.5f * noise.Next() +
                   0.5f * float(std::sin(2 * std::numbers::pi * 220.0 * (c + 1) * i / kRate));
        }
        inputs.push_back(std::move(x));
    }
    Mixer mixer(channels, kRate, sound);
    const Rendered out = Render(mixer, inputs, 4096);
    float peak = 0.0f;
    for (float v : out.bus) {
        ASSERT_TRUE(std::isfinite(v));
        peak = std::max(peak, std::fabs(v));
    }
    for (const auto& stem : out.stems) {
        for (float v : stem) ASSERT_TRUE(std::isfinite(v));
    }
    EXPECT_LT(peak, 1.0f);
    EXPECT_GT(peak, 0.1f);
}

TEST(Mixer, BlockSizeDoesNotChangeTheResult) {
    const compose::SoundDesign sound;
    const size_t frames = 30000;
    std::vector<Instrument> channels = {Instrument::kKick, Instrument::kKeys, Instrument::kPad};
    std::vector<std::vector<float>> inputs = {testing_signals::KickTrain(kRate, frames, 0.3, 0.9f),
                                              testing_signals::Sine(330.0, kRate, frames, 0.6f),
                                              testing_signals::Sine(220.0, kRate, frames, 0.6f)};
    Mixer a(channels, kRate, sound), b(channels, kRate, sound), c(channels, kRate, sound);
    const Rendered ra = Render(a, inputs, 4096);
    const Rendered rb = Render(b, inputs, 777);
    const Rendered rc = Render(c, inputs, frames);  // larger than the internal slice
    for (size_t i = 0; i < 2 * frames; ++i) {
        ASSERT_NEAR(ra.bus[i], rb.bus[i], 1e-6) << i;
        ASSERT_NEAR(ra.bus[i], rc.bus[i], 1e-6) << i;
    }
}

// With instrument-like inputs at their raw level, the house mix peaks around -6 dBFS and the bus
// compressor takes off a dB or two.
TEST(Mixer, HouseMixIsGentleAndHasHeadroom) {
    const compose::SoundDesign sound;
    const size_t frames = static_cast<size_t>(kRate * 8);
    std::vector<Instrument> channels(compose::kAllInstruments.begin(), compose::kAllInstruments.end());
    std::vector<std::vector<float>> inputs;
    for (size_t c = 0; c < channels.size(); ++c) {
        inputs.push_back(testing_signals::InstrumentLike(static_cast<int>(c), kRate, frames));
    }
    std::vector<ChannelSettings> settings;
    for (Instrument i : channels) settings.push_back(DefaultChannelSettings(i, sound));
    Mixer compressed(channels, settings, kRate, BusSettings{true, true});
    Mixer uncompressed(channels, settings, kRate, BusSettings{true, false});
    const Rendered on = Render(compressed, inputs, 4096);
    const Rendered off = Render(uncompressed, inputs, 4096);
    const double reduction =
        RmsDb(off.bus, 2 * frames / 4, 2 * frames) - RmsDb(on.bus, 2 * frames / 4, 2 * frames);
    float peak = 0.0f;
    for (float v : on.bus) peak = std::max(peak, std::fabs(v));
    const double peak_db = 20 * std::log10(peak);
    std::printf("bus peak %.1f dBFS, rms %.1f dBFS, compression %.2f dB\n", peak_db,
                RmsDb(on.bus, 0, 2 * frames), reduction);
    EXPECT_GT(reduction, 0.3);
    EXPECT_LT(reduction, 3.5);
    EXPECT_LT(peak_db, -3.0);
    EXPECT_GT(peak_db, -12.0);
}

TEST(Mixer, ThreeMinutesOfAllChannelsMixQuickly) {
    const size_t frames = static_cast<size_t>(kRate * 180);
    std::vector<Instrument> channels(compose::kAllInstruments.begin(), compose::kAllInstruments.end());
    std::vector<std::vector<float>> inputs;
    for (size_t c = 0; c < channels.size(); ++c) {
        std::vector<float> x(frames);
        testing_signals::Noise noise(static_cast<uint32_t>(c + 1));
        for (float& v : x) v = 0.3f * noise.Next();
        inputs.push_back(std::move(x));
    }
    Mixer mixer(channels, kRate, compose::SoundDesign{});
    double seconds = 0.0;
    const Rendered out = Render(mixer, inputs, 4096, &seconds);
    std::printf("3-minute mix of %zu channels: %.3f s in Process()\n", channels.size(), seconds);
    EXPECT_TRUE(std::isfinite(out.bus.back()));
}

TEST(DefaultChannelSettings, ReverbAmountScalesSends) {
    compose::SoundDesign dry, wet;
    dry.reverb_amount = 0.0;
    wet.reverb_amount = 1.0;
    EXPECT_EQ(DefaultChannelSettings(Instrument::kKeys, dry).reverb_send, 0.0);
    EXPECT_GT(DefaultChannelSettings(Instrument::kKeys, wet).reverb_send,
              DefaultChannelSettings(Instrument::kKeys, compose::SoundDesign{}).reverb_send);
    EXPECT_LT(DefaultChannelSettings(Instrument::kKick, compose::SoundDesign{}).reverb_send, 0.05);
    EXPECT_GT(DefaultChannelSettings(Instrument::kKeys, compose::SoundDesign{}).highpass_hz, 119.0);
    EXPECT_GT(DefaultChannelSettings(Instrument::kLogDrum, compose::SoundDesign{}).gain_db,
              DefaultChannelSettings(Instrument::kBass, compose::SoundDesign{}).gain_db);
}

}  // namespace
}  // namespace amapiano::mix
