#include "pipeline/render_track.h"

#include <ebur128.h>
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "compose/composer.h"
#include "support/temp_dir.h"

namespace amapiano::pipeline {
namespace {

using compose::GenerationSpec;
using compose::Subgenre;
using testing_support::TempDir;

struct DecodedAudio {
    int sample_rate_hz = 0;
    int channels = 0;
    std::vector<float> samples;
    int64_t frames() const { return channels ? static_cast<int64_t>(samples.size()) / channels : 0; }
};

DecodedAudio ReadAudio(const std::filesystem::path& path) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    EXPECT_NE(file, nullptr) << path << ": " << sf_strerror(nullptr);
    DecodedAudio audio;
    if (file == nullptr) return audio;
    audio.sample_rate_hz = info.samplerate;
    audio.channels = info.channels;
    audio.samples.resize(static_cast<size_t>(info.frames) * info.channels);
    sf_readf_float(file, audio.samples.data(), info.frames);
    sf_close(file);
    return audio;
}

std::string ReadBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

compose::Score ComposeOrDie(const GenerationSpec& spec) {
    auto score = compose::Compose(spec);
    EXPECT_TRUE(score.ok()) << (score.ok() ? "" : score.error().message);
    return *score;
}

GenerationSpec ShortSpec(Subgenre subgenre, uint64_t seed) {
    GenerationSpec spec;
    spec.subgenre = subgenre;
    spec.bars = 16;
    spec.seed = seed;
    return spec;
}

TEST(RenderTrack, SameSpecAndSeedGiveByteIdenticalFiles) {
    TempDir dir;
    const compose::Score score = ComposeOrDie(ShortSpec(Subgenre::kClassic, 42));
    for (const std::string run : {"a", "b"}) {
        RenderOutputs outputs{dir / (run + ".wav"), dir / (run + ".mid"), dir / ("stems-" + run), 24};
        ASSERT_TRUE(RenderTrack(score, outputs).ok());
    }
    EXPECT_EQ(ReadBytes(dir / "a.wav"), ReadBytes(dir / "b.wav"));
    EXPECT_EQ(ReadBytes(dir / "a.mid"), ReadBytes(dir / "b.mid"));
    EXPECT_EQ(ReadBytes(dir / "stems-a/log-drum.wav"), ReadBytes(dir / "stems-b/log-drum.wav"));
    EXPECT_GT(ReadBytes(dir / "a.wav").size(), 100000u);
}

TEST(RenderTrack, ThreadCountDoesNotChangeTheOutput) {
    TempDir dir;
    const compose::Score score = ComposeOrDie(ShortSpec(Subgenre::kSgija, 8));
    for (int threads : {1, 3}) {
        RenderOutputs outputs{dir / ("t" + std::to_string(threads) + ".wav"), std::nullopt,
                              dir / ("stems" + std::to_string(threads)), 24, threads};
        ASSERT_TRUE(RenderTrack(score, outputs).ok());
    }
    EXPECT_EQ(ReadBytes(dir / "t1.wav"), ReadBytes(dir / "t3.wav"));
    EXPECT_EQ(ReadBytes(dir / "stems1/keys.wav"), ReadBytes(dir / "stems3/keys.wav"));
}

TEST(RenderTrack, DifferentSeedsGiveDifferentAudio) {
    TempDir dir;
    ASSERT_TRUE(RenderTrack(ComposeOrDie(ShortSpec(Subgenre::kClassic, 1)), {dir / "1.wav"}).ok());
    ASSERT_TRUE(RenderTrack(ComposeOrDie(ShortSpec(Subgenre::kClassic, 2)), {dir / "2.wav"}).ok());
    EXPECT_NE(ReadBytes(dir / "1.wav"), ReadBytes(dir / "2.wav"));
}

class MixDelivery : public ::testing::TestWithParam<Subgenre> {};

TEST_P(MixDelivery, MeetsLoudnessAndPeakTargetsWithAlignedStems) {
    TempDir dir;
    GenerationSpec spec = ShortSpec(GetParam(), 5);
    spec.bars = 32;
    const compose::Score score = ComposeOrDie(spec);
    auto report = RenderTrack(score, {dir / "mix.wav", std::nullopt, dir / "stems", 24});
    ASSERT_TRUE(report.ok()) << report.error().message;

    const DecodedAudio mix = ReadAudio(dir / "mix.wav");
    ASSERT_EQ(mix.sample_rate_hz, 44100);
    ASSERT_EQ(mix.channels, 2);
    EXPECT_EQ(mix.frames(), RenderedFrames(score, 44100));

    float peak = 0.0f;
    for (float s : mix.samples) {
        ASSERT_TRUE(std::isfinite(s));
        peak = std::max(peak, std::abs(s));
    }
    EXPECT_LT(peak, 0.95f) << "sample peak must stay clear of full scale (no clipping)";

    // Measured independently of the mastering code, with libebur128 on the decoded file.
    ebur128_state* st = ebur128_init(2, 44100, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
    ASSERT_NE(st, nullptr);
    ebur128_add_frames_float(st, mix.samples.data(), static_cast<size_t>(mix.frames()));
    double lufs = 0.0, tp_left = 0.0, tp_right = 0.0;
    ebur128_loudness_global(st, &lufs);
    ebur128_true_peak(st, 0, &tp_left);
    ebur128_true_peak(st, 1, &tp_right);
    ebur128_destroy(&st);
    EXPECT_NEAR(lufs, -14.0, 0.5);
    EXPECT_LE(20.0 * std::log10(std::max(tp_left, tp_right)), -1.0);

    int stems = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "stems")) {
        const DecodedAudio stem = ReadAudio(entry.path());
        EXPECT_EQ(stem.frames(), mix.frames()) << entry.path();
        EXPECT_EQ(stem.channels, 2);
        ++stems;
    }
    EXPECT_EQ(stems, static_cast<int>(score.tracks.size()));
    EXPECT_GE(stems, 6);
}

INSTANTIATE_TEST_SUITE_P(AllSubgenres, MixDelivery,
                         ::testing::Values(Subgenre::kClassic, Subgenre::kPrivateSchool, Subgenre::kBacardi,
                                           Subgenre::kSgija));

TEST(RenderTrack, LoopHasExactBarLengthAndSeamlessWrap) {
    TempDir dir;
    GenerationSpec spec;
    spec.loop = compose::LoopPart::kLogDrum;
    spec.bars = 4;
    spec.bpm = 112.0;
    const compose::Score score = ComposeOrDie(spec);
    ASSERT_TRUE(RenderTrack(score, {dir / "loop.wav", std::nullopt, std::nullopt, 24}).ok());
    const DecodedAudio loop = ReadAudio(dir / "loop.wav");
    EXPECT_EQ(loop.frames(), std::llround(4 * 4 * 60.0 / 112.0 * 44100));
    // Seamless: the jump from the last frame back to the first is no bigger than ordinary
    // sample-to-sample steps in the loop (a loop cut off mid-note would click).
    double max_step = 0.0;
    for (size_t i = 2; i < loop.samples.size(); i += 2) {
        max_step = std::max(max_step, static_cast<double>(std::abs(loop.samples[i] - loop.samples[i - 2])));
    }
    const double wrap_step = std::abs(loop.samples.front() - loop.samples[loop.samples.size() - 2]);
    EXPECT_LE(wrap_step, max_step);
    // The start is not silent: the previous cycle's tail rings into it.
    EXPECT_GT(std::abs(loop.samples[0]) + std::abs(loop.samples[2]), 0.0f);
}

TEST(RenderTrack, UnwritableDestinationFailsBeforeWritingAnything) {
    TempDir dir;
    const compose::Score score = ComposeOrDie(ShortSpec(Subgenre::kClassic, 1));
    auto report = RenderTrack(score, {dir / "missing-dir" / "out.wav", dir / "out.mid", dir / "stems", 24});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, ErrorCode::kIo);
    EXPECT_NE(report.error().message.find("missing-dir"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(RenderTrack, UnknownExtensionIsUnsupported) {
    TempDir dir;
    const compose::Score score = ComposeOrDie(ShortSpec(Subgenre::kClassic, 1));
    auto report = RenderTrack(score, {dir / "out.xyz"});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, ErrorCode::kUnsupported);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace amapiano::pipeline
