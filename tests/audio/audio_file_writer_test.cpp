#include "audio/audio_file_writer.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "audio/audio_test_util.h"

namespace amapiano::audio {
namespace {

using testing_util::ReadBytes;
using testing_util::ScratchDir;

constexpr int kRate = 44100;

std::vector<float> TestSignal(size_t frames) {
    std::vector<float> x(2 * frames);
    for (size_t i = 0; i < frames; ++i) {
        const double t = double(i) / kRate;
        x[2 * i] = 0.5f * float(std::sin(2 * std::numbers::pi * 440.0 * t));
        x[2 * i + 1] = 0.25f * float(std::sin(2 * std::numbers::pi * 1000.0 * t));
    }
    return x;
}

struct ReadBack final {
    SF_INFO info{};
    std::vector<float> samples;
};

ReadBack Read(const std::filesystem::path& path) {
    ReadBack r;
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &r.info);
    EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
    if (f == nullptr) return r;
    r.samples.resize(static_cast<size_t>(r.info.frames * r.info.channels));
    sf_readf_float(f, r.samples.data(), r.info.frames);
    sf_close(f);
    return r;
}

Status WriteFile(const std::filesystem::path& path, AudioFormat format, const std::vector<float>& x,
                 size_t block = 4096 * 2) {
    auto writer = AudioFileWriter::Open(path, format, kRate, 2);
    if (!writer.ok()) return writer.error();
    for (size_t offset = 0; offset < x.size(); offset += block) {
        const size_t n = std::min(block, x.size() - offset);
        Status s = (*writer)->Write(std::span<const float>(x.data() + offset, n));
        if (!s) return s;
    }
    return (*writer)->Commit();
}

TEST(AudioFormatForPath, MapsExtensionsCaseInsensitively) {
    EXPECT_EQ(*AudioFormatForPath("a/b.WAV", 16), AudioFormat::kWav16);
    EXPECT_EQ(*AudioFormatForPath("b.wav"), AudioFormat::kWav24);
    EXPECT_EQ(*AudioFormatForPath("b.Flac"), AudioFormat::kFlac);
    EXPECT_EQ(*AudioFormatForPath("b.ogg"), AudioFormat::kOgg);
    EXPECT_EQ(*AudioFormatForPath("b.mp3"), AudioFormat::kMp3);
    EXPECT_EQ(AudioFormatName(AudioFormat::kWav24), "wav24");
}

TEST(AudioFormatForPath, UnknownExtensionIsUnsupported) {
    Result<AudioFormat> f = AudioFormatForPath("song.xyz");
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.error().code, ErrorCode::kUnsupported);
    EXPECT_EQ(f.error().message, "unsupported output extension '.xyz'; use .wav, .flac, .ogg or .mp3");
    EXPECT_EQ(AudioFormatForPath("song.wav", 20).error().code, ErrorCode::kUnsupported);
}

TEST(CheckWritableDestination, ReportsTheDirectory) {
    ScratchDir dir;
    EXPECT_TRUE(CheckWritableDestination(dir.path() / "x.wav").ok());
    const Status missing = CheckWritableDestination(dir.path() / "nope" / "x.wav");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kIo);
    EXPECT_NE(missing.error().message.find((dir.path() / "nope").string()), std::string::npos);
    ASSERT_TRUE(WriteFile(dir.path() / "file.wav", AudioFormat::kWav16, TestSignal(10)).ok());
    EXPECT_EQ(CheckWritableDestination(dir.path() / "file.wav" / "x.wav").error().code, ErrorCode::kIo);
}

TEST(CheckWritableDestination, ReadOnlyDirectoryIsAnIoError) {
    if (::geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
    ScratchDir dir;
    std::filesystem::permissions(dir.path(),
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    const Status status = CheckWritableDestination(dir.path() / "x.wav");
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kIo);
    EXPECT_NE(status.error().message.find("not writable"), std::string::npos);
    auto writer = AudioFileWriter::Open(dir.path() / "x.wav", AudioFormat::kWav24, kRate, 2);
    ASSERT_FALSE(writer.ok());
    EXPECT_EQ(writer.error().code, ErrorCode::kIo);
}

TEST(AudioFileWriter, Wav24RoundTripsWithinQuantisation) {
    ScratchDir dir;
    const auto path = dir.path() / "out.wav";
    const std::vector<float> x = TestSignal(10000);
    ASSERT_TRUE(WriteFile(path, AudioFormat::kWav24, x, 3001 * 2).ok());
    const ReadBack r = Read(path);
    EXPECT_EQ(r.info.frames, 10000);
    EXPECT_EQ(r.info.channels, 2);
    EXPECT_EQ(r.info.samplerate, kRate);
    EXPECT_EQ(r.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    ASSERT_EQ(r.samples.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(r.samples[i], x[i], 1.5 / 8388608.0) << i;
}

TEST(AudioFileWriter, Wav16IsDitheredWithinTwoSteps) {
    ScratchDir dir;
    const auto path = dir.path() / "out.wav";
    const std::vector<float> x = TestSignal(10000);
    ASSERT_TRUE(WriteFile(path, AudioFormat::kWav16, x).ok());
    const ReadBack r = Read(path);
    EXPECT_EQ(r.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    ASSERT_EQ(r.samples.size(), x.size());
    double error = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_NEAR(r.samples[i], x[i], 2.01 / 32768.0) << i;
        error += std::fabs(r.samples[i] - x[i]);
    }
    EXPECT_GT(error, 0.0);
}

TEST(AudioFileWriter, ClipsInsteadOfWrapping) {
    ScratchDir dir;
    for (AudioFormat format : {AudioFormat::kWav16, AudioFormat::kWav24, AudioFormat::kFlac}) {
        const auto path = dir.path() / "clip.wav";
        std::vector<float> x = {1.5f, -1.5f, 0.5f, -0.5f};
        ASSERT_TRUE(WriteFile(path, format, x).ok());
        const ReadBack r = Read(path);
        ASSERT_EQ(r.samples.size(), 4u);
        EXPECT_GT(r.samples[0], 0.99f) << AudioFormatName(format);
        EXPECT_LT(r.samples[1], -0.99f) << AudioFormatName(format);
    }
}

TEST(AudioFileWriter, EveryFormatReadsBack) {
    ScratchDir dir;
    const std::vector<float> x = TestSignal(kRate);  // one second
    for (const char* name : {"a.wav", "a.flac", "a.ogg", "a.mp3"}) {
        const auto path = dir.path() / name;
        const AudioFormat format = *AudioFormatForPath(path);
        ASSERT_TRUE(WriteFile(path, format, x).ok()) << name;
        const ReadBack r = Read(path);
        EXPECT_EQ(r.info.channels, 2) << name;
        EXPECT_EQ(r.info.samplerate, kRate) << name;
        // Lossy codecs may add priming/padding frames.
        EXPECT_NEAR(double(r.info.frames), double(kRate), format == AudioFormat::kMp3 ? 2500.0 : 0.0) << name;
        double energy = 0.0;
        for (float v : r.samples) energy += double(v) * v;
        EXPECT_NEAR(10 * std::log10(energy / double(r.samples.size())),
                    10 * std::log10((0.125 + 0.03125) / 2), 0.5)
            << name;
    }
    EXPECT_EQ(dir.EntryCount(), 4u);
}

TEST(AudioFileWriter, IdenticalInputGivesIdenticalBytes) {
    ScratchDir dir;
    const std::vector<float> x = TestSignal(kRate / 2);
    for (const char* name : {"a.wav", "a.flac", "a.ogg", "a.mp3"}) {
        for (int depth : {16, 24}) {
            const auto first = dir.path() / (std::string("1") + name),
                       second = dir.path() / (std::string("2") + name);
            const AudioFormat format = *AudioFormatForPath(first, depth);
            ASSERT_TRUE(WriteFile(first, format, x).ok());
            ASSERT_TRUE(WriteFile(second, format, x).ok());
            EXPECT_EQ(ReadBytes(first), ReadBytes(second)) << name << " " << depth;
        }
    }
}

TEST(AudioFileWriter, UncommittedWriterLeavesNothing) {
    ScratchDir dir;
    const auto path = dir.path() / "out.flac";
    {
        auto writer = AudioFileWriter::Open(path, AudioFormat::kFlac, kRate, 2);
        ASSERT_TRUE(writer.ok());
        const std::vector<float> x = TestSignal(1000);
        ASSERT_TRUE((*writer)->Write(x).ok());
        EXPECT_EQ(dir.EntryCount(), 1u);  // the hidden temporary
        EXPECT_FALSE(std::filesystem::exists(path));
    }
    EXPECT_EQ(dir.EntryCount(), 0u);
}

TEST(AudioFileWriter, CommitRenamesIntoPlace) {
    ScratchDir dir;
    const auto path = dir.path() / "out.wav";
    auto writer = AudioFileWriter::Open(path, AudioFormat::kWav24, kRate, 2);
    ASSERT_TRUE(writer.ok());
    const std::vector<float> x = TestSignal(1000);
    ASSERT_TRUE((*writer)->Write(x).ok());
    EXPECT_EQ((*writer)->frames_written(), 1000);
    EXPECT_EQ((*writer)->path(), path);
    EXPECT_FALSE(std::filesystem::exists(path));
    ASSERT_TRUE((*writer)->Commit().ok());
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(dir.EntryCount(), 1u);
    writer->reset();
    EXPECT_TRUE(std::filesystem::exists(path));  // destruction after commit keeps the file
}

TEST(AudioFileWriter, RejectsPartialFrames) {
    ScratchDir dir;
    auto writer = AudioFileWriter::Open(dir.path() / "x.wav", AudioFormat::kWav24, kRate, 2);
    ASSERT_TRUE(writer.ok());
    const std::vector<float> x = {0.1f, 0.2f, 0.3f};
    EXPECT_EQ((*writer)->Write(x).error().code, ErrorCode::kInvalidArgument);
}

// Speed of the formats the pipeline writes: a 3-minute stereo 44.1 kHz mix.
TEST(AudioFileWriter, ThreeMinuteWriteSpeed) {
    ScratchDir dir;
    const size_t frames = size_t(kRate) * 180;
    std::vector<float> x(2 * frames);
    uint32_t state = 1;
    for (size_t i = 0; i < x.size(); ++i) {
        state = state * 1664525u + 1013904223u;
        x[i] = 0.3f * float(std::sin(double(i) * 0.01)) + 0.05f * (float(state >> 8) / 16777216.0f - 0.5f);
    }
    for (const char* name : {"m.wav", "m16.wav", "m.flac", "m.mp3", "m.ogg"}) {
        const auto path = dir.path() / name;
        const AudioFormat format = *AudioFormatForPath(path, name[1] == '1' ? 16 : 24);
        const auto start = std::chrono::steady_clock::now();
        ASSERT_TRUE(WriteFile(path, format, x, 4096 * 2).ok());
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("3-minute stereo %s: %.3f s, %.1f MB\n", std::string(AudioFormatName(format)).c_str(), s,
                    double(std::filesystem::file_size(path)) / 1e6);
    }
}

}  // namespace
}  // namespace amapiano::audio
