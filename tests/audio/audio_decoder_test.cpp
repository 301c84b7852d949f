#include "audio/audio_decoder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <vector>

#include "audio/audio_file_writer.h"
#include "audio/audio_test_util.h"
#include "support/shared_data.h"

namespace amapiano::audio {
namespace {

namespace fs = std::filesystem;
using testing_util::ReadBytes;
using testing_util::ScratchDir;

// --- Helpers ---------------------------------------------------------------------------------------

struct Decoded final {
    AudioStreamInfo info;
    std::vector<float> samples;  // interleaved
    int64_t frames = 0;
};

// Opens and reads `path` to the end in blocks of `block_frames`.
Result<Decoded> DecodeAll(const fs::path& path, size_t block_frames = 4096) {
    auto decoder = AudioDecoder::Open(path);
    if (!decoder) return decoder.error();
    Decoded decoded;
    decoded.info = (*decoder)->info();
    const auto channels = static_cast<size_t>(decoded.info.channels);
    std::vector<float> block(block_frames * channels);
    while (true) {
        Result<size_t> frames = (*decoder)->Read(block);
        if (!frames) return frames.error();
        if (*frames == 0) break;
        decoded.samples.insert(decoded.samples.end(), block.begin(),
                               block.begin() + static_cast<std::ptrdiff_t>(*frames * channels));
    }
    decoded.frames = (*decoder)->frames_decoded();
    EXPECT_EQ(static_cast<size_t>(decoded.frames) * channels, decoded.samples.size());
    return decoded;
}

// One channel of interleaved samples.
std::vector<float> Channel(const Decoded& decoded, int channel) {
    std::vector<float> x;
    const auto channels = static_cast<size_t>(decoded.info.channels);
    for (size_t i = static_cast<size_t>(channel); i < decoded.samples.size(); i += channels) {
        x.push_back(decoded.samples[i]);
    }
    return x;
}

// Amplitude of the `hz` component of x[begin, end) (single-bin DFT).
double ToneAmplitude(const std::vector<float>& x, double rate_hz, double hz, size_t begin, size_t end) {
    std::complex<double> sum = 0.0;
    for (size_t i = begin; i < end; ++i) {
        sum += static_cast<double>(x[i]) * std::polar(1.0, -2 * std::numbers::pi * hz * double(i) / rate_hz);
    }
    return 2.0 * std::abs(sum) / static_cast<double>(end - begin);
}

double Rms(const std::vector<float>& x) {
    double energy = 0.0;
    for (float v : x) energy += double(v) * v;
    return x.empty() ? 0.0 : std::sqrt(energy / double(x.size()));
}

// Interleaved sine of `hz`: amplitude 0.5 on channel 0, 0.25 on the others.
std::vector<float> Sine(double hz, int rate_hz, int channels, size_t frames) {
    std::vector<float> x(frames * static_cast<size_t>(channels));
    for (size_t i = 0; i < frames; ++i) {
        const double s = std::sin(2 * std::numbers::pi * hz * double(i) / rate_hz);
        for (int c = 0; c < channels; ++c) {
            x[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] = float((c == 0 ? 0.5 : 0.25) * s);
        }
    }
    return x;
}

void WriteSine(const fs::path& path, AudioFormat format, double hz, int rate_hz, int channels,
               size_t frames) {
    auto writer = AudioFileWriter::Open(path, format, rate_hz, channels);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    ASSERT_TRUE((*writer)->Write(Sine(hz, rate_hz, channels, frames)).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
}

void WriteBytes(const fs::path& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void PutLe(std::vector<char>& bytes, uint32_t value, int size) {
    for (int i = 0; i < size; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// A canonical 44-byte RIFF/WAVE header whose data chunk claims `data_bytes`, followed by
// `actual_bytes` bytes of silence.
std::vector<char> WavFile(int format_tag, int channels, uint32_t rate_hz, int bits, uint32_t data_bytes,
                          size_t actual_bytes) {
    const auto block_align = static_cast<uint32_t>(channels * bits / 8);
    std::vector<char> bytes = {'R', 'I', 'F', 'F'};
    PutLe(bytes, data_bytes + 36, 4);
    for (char c : std::string("WAVEfmt ")) bytes.push_back(c);
    PutLe(bytes, 16, 4);
    PutLe(bytes, static_cast<uint32_t>(format_tag), 2);
    PutLe(bytes, static_cast<uint32_t>(channels), 2);
    PutLe(bytes, rate_hz, 4);
    PutLe(bytes, rate_hz * block_align, 4);
    PutLe(bytes, block_align, 2);
    PutLe(bytes, static_cast<uint32_t>(bits), 2);
    for (char c : std::string("data")) bytes.push_back(c);
    PutLe(bytes, data_bytes, 4);
    bytes.resize(bytes.size() + actual_bytes, bits == 8 ? char(0x80) : char(0));
    return bytes;
}

void ExpectError(const fs::path& path, ErrorCode code, const std::string& fragment) {
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_FALSE(decoded.ok()) << path << " decoded " << decoded->frames << " frames";
    EXPECT_EQ(decoded.error().code, code) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find(fragment), std::string::npos) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find(path.filename().string()), std::string::npos)
        << decoded.error().message;
}

constexpr const char* kFfmpeg = "/usr/bin/ffmpeg";

// Runs the ffmpeg tool to make a test file; the caller skips the test when it is not installed.
bool RunFfmpeg(const std::string& arguments, const fs::path& output) {
    const std::string command =
        std::string(kFfmpeg) + " -nostdin -v error -y " + arguments + " '" + output.string() + "'";
    return std::system(command.c_str()) == 0 && fs::exists(output);
}

// --- Files written by the test ----------------------------------------------------------------------

TEST(AudioDecoder, WavDecodesExactly) {
    ScratchDir dir;
    const fs::path path = dir.path() / "sine.wav";
    WriteSine(path, AudioFormat::kWav16, 1000.0, 44100, 2, 44100);
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
    EXPECT_EQ(decoded->info.channels, 2);
    EXPECT_EQ(decoded->info.container, "wav");
    EXPECT_EQ(decoded->info.codec, "pcm_s16le");
    EXPECT_NEAR(decoded->info.header_duration_s, 1.0, 1e-6);
    ASSERT_EQ(decoded->frames, 44100);
    const std::vector<float> reference = Sine(1000.0, 44100, 2, 44100);
    for (size_t i = 0; i < reference.size(); ++i) {
        ASSERT_NEAR(decoded->samples[i], reference[i], 2.0 / 32768) << i;  // 16 bits with +-1 LSB dither
    }
}

TEST(AudioDecoder, FlacDecodesExactly) {
    ScratchDir dir;
    const fs::path path = dir.path() / "sine.flac";
    WriteSine(path, AudioFormat::kFlac, 440.0, 48000, 1, 100000);
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.sample_rate_hz, 48000);
    EXPECT_EQ(decoded->info.channels, 1);
    EXPECT_EQ(decoded->info.container, "flac");
    EXPECT_EQ(decoded->info.codec, "flac");
    ASSERT_EQ(decoded->frames, 100000);
    const std::vector<float> reference = Sine(440.0, 48000, 1, 100000);
    for (size_t i = 0; i < reference.size(); ++i) ASSERT_NEAR(decoded->samples[i], reference[i], 1e-6) << i;
}

TEST(AudioDecoder, LossyFilesKeepLengthAndTone) {
    ScratchDir dir;
    for (const auto& [name, format, codec] : {std::tuple{"sine.ogg", AudioFormat::kOgg, "vorbis"},
                                              std::tuple{"sine.mp3", AudioFormat::kMp3, "mp3"}}) {
        SCOPED_TRACE(name);
        const fs::path path = dir.path() / name;
        WriteSine(path, format, 1000.0, 44100, 2, 88200);
        Result<Decoded> decoded = DecodeAll(path);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
        EXPECT_EQ(decoded->info.channels, 2);
        EXPECT_EQ(decoded->info.codec, codec);
        EXPECT_NEAR(double(decoded->frames), 88200.0, 2000.0);
        const std::vector<float> left = Channel(*decoded, 0);
        const std::vector<float> right = Channel(*decoded, 1);
        EXPECT_NEAR(ToneAmplitude(left, 44100, 1000.0, 22050, 66150), 0.5, 0.5 * 0.06);
        EXPECT_NEAR(ToneAmplitude(right, 44100, 1000.0, 22050, 66150), 0.25, 0.25 * 0.06);
        EXPECT_LT(ToneAmplitude(left, 44100, 1100.0, 22050, 66150), 0.01);
    }
}

// Index of the first sample of channel 0 whose magnitude reaches `threshold`.
size_t Onset(const Decoded& decoded, float threshold = 0.1f) {
    const std::vector<float> x = Channel(decoded, 0);
    size_t i = 0;
    while (i < x.size() && std::abs(x[i]) < threshold) ++i;
    return i;
}

TEST(AudioDecoder, EncoderDelayIsRemoved) {
    // Half a second of silence, then a tone: after decoding, the tone must start at 0.5 s (MP3 and
    // Vorbis encoders prepend hundreds of samples; FFmpeg trims them from the gapless metadata).
    ScratchDir dir;
    for (const auto& [name, format] :
         {std::pair{"onset.mp3", AudioFormat::kMp3}, std::pair{"onset.ogg", AudioFormat::kOgg}}) {
        SCOPED_TRACE(name);
        const fs::path path = dir.path() / name;
        std::vector<float> x = Sine(1000.0, 44100, 1, 44100);
        std::fill(x.begin(), x.begin() + 22050, 0.0f);
        auto writer = AudioFileWriter::Open(path, format, 44100, 1);
        ASSERT_TRUE(writer.ok());
        ASSERT_TRUE((*writer)->Write(x).ok());
        ASSERT_TRUE((*writer)->Commit().ok());
        Result<Decoded> decoded = DecodeAll(path);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_NEAR(double(Onset(*decoded)), 22050.0, 3.0);
        EXPECT_NEAR(double(decoded->frames), 44100.0, 1152.0);
    }
}

TEST(AudioDecoder, BlockSizeDoesNotChangeTheSamples) {
    ScratchDir dir;
    const fs::path path = dir.path() / "sine.mp3";
    WriteSine(path, AudioFormat::kMp3, 330.0, 44100, 2, 30000);
    Result<Decoded> reference = DecodeAll(path, 100000);
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    for (size_t block : {size_t{1}, size_t{333}}) {
        Result<Decoded> decoded = DecodeAll(path, block);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->samples, reference->samples) << "block " << block;
    }
}

TEST(AudioDecoder, ManyChannelsPassThroughUnchanged) {
    ScratchDir dir;
    for (int channels : {3, 4, 6, 8, 10, 16, 64}) {
        SCOPED_TRACE(channels);
        const fs::path path = dir.path() / ("multi-" + std::to_string(channels) + ".wav");
        WriteSine(path, AudioFormat::kWav24, 1000.0, 48000, channels, 4800);
        Result<Decoded> decoded = DecodeAll(path);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.channels, channels);
        ASSERT_EQ(decoded->frames, 4800);
        const std::vector<float> reference = Sine(1000.0, 48000, channels, 4800);
        for (size_t i = 0; i < reference.size(); ++i)
            ASSERT_NEAR(decoded->samples[i], reference[i], 1e-6) << i;
    }
}

TEST(AudioDecoder, ReadRejectsABufferSmallerThanOneFrame) {
    ScratchDir dir;
    const fs::path path = dir.path() / "sine.wav";
    WriteSine(path, AudioFormat::kWav16, 1000.0, 44100, 2, 100);
    auto decoder = AudioDecoder::Open(path);
    ASSERT_TRUE(decoder.ok()) << decoder.error().message;
    std::vector<float> one_sample(1);
    Result<size_t> frames = (*decoder)->Read(one_sample);
    ASSERT_FALSE(frames.ok());
    EXPECT_EQ(frames.error().code, ErrorCode::kInvalidArgument);
    std::vector<float> block(2 * 1000);
    EXPECT_EQ(*(*decoder)->Read(block), 100u);
    EXPECT_EQ(*(*decoder)->Read(block), 0u);
    EXPECT_EQ(*(*decoder)->Read(block), 0u);  // stays at the end
    EXPECT_EQ((*decoder)->frames_decoded(), 100);
}

TEST(AudioDecoder, RateAndChannelChangeMidStreamKeepTheAnnouncedFormat) {
    // Two MP3 streams glued together: 22050 Hz mono (500 Hz), then 44100 Hz stereo (1 kHz). The
    // second part must come out resampled and downmixed to what info() announced.
    ScratchDir dir;
    WriteSine(dir.path() / "a.mp3", AudioFormat::kMp3, 500.0, 22050, 1, 22050);
    WriteSine(dir.path() / "b.mp3", AudioFormat::kMp3, 1000.0, 44100, 2, 44100);
    std::vector<char> bytes = ReadBytes(dir.path() / "a.mp3");
    const std::vector<char> second = ReadBytes(dir.path() / "b.mp3");
    bytes.insert(bytes.end(), second.begin(), second.end());
    const fs::path path = dir.path() / "glued.mp3";
    WriteBytes(path, bytes);
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.sample_rate_hz, 22050);
    EXPECT_EQ(decoded->info.channels, 1);
    EXPECT_NEAR(double(decoded->frames), 44100.0, 3000.0);
    const std::vector<float>& x = decoded->samples;
    ASSERT_GT(x.size(), 40000u);
    // First half 500 Hz at 0.5; second half 1 kHz at (0.5 + 0.25) / 2.
    EXPECT_NEAR(ToneAmplitude(x, 22050, 500.0, 4000, 18000), 0.5, 0.05);
    EXPECT_LT(ToneAmplitude(x, 22050, 1000.0, 4000, 18000), 0.02);
    EXPECT_NEAR(ToneAmplitude(x, 22050, 1000.0, 27000, 40000), 0.375, 0.05);
    EXPECT_LT(ToneAmplitude(x, 22050, 500.0, 27000, 40000), 0.02);
}

// --- Errors and damaged files ----------------------------------------------------------------------

TEST(AudioDecoder, MissingFileIsNotFound) {
    ScratchDir dir;
    ExpectError(dir.path() / "nothing-here.wav", ErrorCode::kNotFound, "does not exist");
    ExpectError(dir.path() / "no-dir" / "x.wav", ErrorCode::kNotFound, "does not exist");
}

TEST(AudioDecoder, DirectoryAndFifoAreInvalidArguments) {
    ScratchDir dir;
    fs::create_directory(dir.path() / "folder.wav");
    ExpectError(dir.path() / "folder.wav", ErrorCode::kInvalidArgument, "is a directory");
    const fs::path fifo = dir.path() / "pipe.wav";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    ExpectError(fifo, ErrorCode::kInvalidArgument, "is not a regular file");  // and does not block
}

TEST(AudioDecoder, UnreadableFileIsIo) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their permissions";
    ScratchDir dir;
    const fs::path path = dir.path() / "locked.wav";
    WriteSine(path, AudioFormat::kWav16, 1000.0, 44100, 1, 1000);
    fs::permissions(path, fs::perms::none);
    ExpectError(path, ErrorCode::kIo, "cannot read");
}

TEST(AudioDecoder, EmptyAndRandomFilesAreCorrupt) {
    ScratchDir dir;
    WriteBytes(dir.path() / "empty.mp3", {});
    ExpectError(dir.path() / "empty.mp3", ErrorCode::kCorruptData, "not a readable audio file");
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (size_t size : {size_t{7}, size_t{1000}, size_t{200000}}) {
        std::vector<char> noise(size);
        for (char& c : noise) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            c = static_cast<char>(state >> 56);
        }
        const fs::path path = dir.path() / ("noise-" + std::to_string(size) + ".mp3");
        WriteBytes(path, noise);
        ExpectError(path, ErrorCode::kCorruptData, "not a readable audio file");
    }
    WriteBytes(dir.path() / "text.wav", {'h', 'e', 'l', 'l', 'o', '\n'});
    ExpectError(dir.path() / "text.wav", ErrorCode::kCorruptData, "not a readable audio file");
}

TEST(AudioDecoder, AbsurdWavHeadersAreRejected) {
    ScratchDir dir;
    const auto write = [&](const char* name, int tag, int channels, uint32_t rate) {
        WriteBytes(dir.path() / name, WavFile(tag, channels, rate, 16, 40000, 40000));
        return dir.path() / name;
    };
    ExpectError(write("codec.wav", 0x1234, 2, 44100), ErrorCode::kUnsupported, "unknown audio codec");
    ExpectError(write("channels0.wav", 1, 0, 44100), ErrorCode::kCorruptData, "not a readable audio file");
    ExpectError(write("channels65.wav", 1, 65, 44100), ErrorCode::kUnsupported, "65 channels");
    ExpectError(write("rate0.wav", 1, 2, 0), ErrorCode::kCorruptData, "not a readable audio file");
    ExpectError(write("rate10M.wav", 1, 2, 10000000), ErrorCode::kUnsupported, "10000000 Hz");
}

TEST(AudioDecoder, HeaderClaimingTenHoursWithoutDataEndsAtOnce) {
    ScratchDir dir;
    // 10 hours of 44.1 kHz stereo (8-bit, so that the size fits the 32-bit RIFF field), no data.
    // FFmpeg's WAV demuxer ignores a data size beyond the end of the file, so this is a valid
    // empty file; were the claim believed, it would be kCorruptData ("none of its audio decodes").
    constexpr uint32_t kTenHoursBytes = 10u * 3600u * 44100u * 2u;
    const fs::path empty = dir.path() / "ten-hours.wav";
    WriteBytes(empty, WavFile(1, 2, 44100, 8, kTenHoursBytes, 0));
    Result<Decoded> decoded = DecodeAll(empty);
    if (decoded.ok()) {
        EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
        EXPECT_EQ(decoded->info.channels, 2);
        EXPECT_EQ(decoded->frames, 0);
    } else {
        EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptData) << decoded.error().message;
    }
    // The same header followed by one second of audio: one second.
    const fs::path short_file = dir.path() / "one-second.wav";
    WriteBytes(short_file, WavFile(1, 2, 44100, 8, kTenHoursBytes, 2 * 44100));
    decoded = DecodeAll(short_file);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->frames, 44100);
}

TEST(AudioDecoder, DamagedPacketsInTheMiddleAreSkipped) {
    ScratchDir dir;
    const fs::path path = dir.path() / "damaged.flac";
    WriteSine(path, AudioFormat::kFlac, 1000.0, 44100, 2, 441000);
    std::vector<char> bytes = ReadBytes(path);
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 3000; ++i) bytes[i] = static_cast<char>(i * 37);
    WriteBytes(path, bytes);
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_LT(decoded->frames, 441000);
    EXPECT_GT(decoded->frames, 441000 * 9 / 10);
    const std::vector<float> left = Channel(*decoded, 0);
    EXPECT_NEAR(ToneAmplitude(left, 44100, 1000.0, 0, 44100), 0.5, 0.01);
    EXPECT_NEAR(ToneAmplitude(left, 44100, 1000.0, left.size() - 44100, left.size()), 0.5, 0.01);
}

TEST(AudioDecoder, HeaderFollowedByNoiseIsCorrupt) {
    // A valid FLAC header announcing 10 s, then noise instead of audio frames: nothing decodes.
    ScratchDir dir;
    const fs::path path = dir.path() / "noise.flac";
    WriteSine(path, AudioFormat::kFlac, 1000.0, 44100, 2, 441000);
    std::vector<char> bytes = ReadBytes(path);
    const size_t header_end = 4 + 4 + 34;  // "fLaC", block header, STREAMINFO
    ASSERT_GT(bytes.size(), 100000u);
    bytes[4] = static_cast<char>(bytes[4] | 0x80);  // STREAMINFO is the last metadata block
    uint64_t state = 12345;
    for (size_t i = header_end; i < bytes.size(); ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        bytes[i] = static_cast<char>(state >> 56);
    }
    WriteBytes(path, bytes);
    ExpectError(path, ErrorCode::kCorruptData, "none of its audio decodes");
}

TEST(AudioDecoder, TruncatedFileEndsEarlyWithoutError) {
    ScratchDir dir;
    for (const auto& [name, format] :
         {std::pair{"cut.flac", AudioFormat::kFlac}, std::pair{"cut.mp3", AudioFormat::kMp3},
          std::pair{"cut.ogg", AudioFormat::kOgg}, std::pair{"cut.wav", AudioFormat::kWav24}}) {
        SCOPED_TRACE(name);
        const fs::path path = dir.path() / name;
        WriteSine(path, format, 1000.0, 44100, 2, 441000);
        std::vector<char> bytes = ReadBytes(path);
        bytes.resize(bytes.size() * 3 / 10);
        WriteBytes(path, bytes);
        Result<Decoded> decoded = DecodeAll(path);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        // Compressed files do not spread the audio evenly over the bytes (headers first).
        EXPECT_GT(decoded->frames, 441000 / 10);
        EXPECT_LT(decoded->frames, 441000 / 2);
    }
}

TEST(AudioDecoder, RefusesToFollowReferencesToOtherFiles) {
    ScratchDir dir;
    WriteSine(dir.path() / "secret.wav", AudioFormat::kWav16, 1000.0, 44100, 2, 44100);
    WriteBytes(dir.path() / "list.ffconcat", [] {
        const std::string text = "ffconcat version 1.0\nfile secret.wav\n";
        return std::vector<char>(text.begin(), text.end());
    }());
    ExpectError(dir.path() / "list.ffconcat", ErrorCode::kCorruptData, "not a readable audio file");
    WriteBytes(dir.path() / "list.m3u8", [] {
        const std::string text =
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1,\nsecret.wav\n#EXT-X-ENDLIST\n";
        return std::vector<char>(text.begin(), text.end());
    }());
    ExpectError(dir.path() / "list.m3u8", ErrorCode::kCorruptData, "not a readable audio file");
}

// --- Files made by the ffmpeg tool --------------------------------------------------------------------

class FfmpegMadeFile : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(kFfmpeg)) GTEST_SKIP() << kFfmpeg << " is not installed";
    }
    ScratchDir dir_;
};

TEST_F(FfmpegMadeFile, AacInM4a) {
    const fs::path path = dir_.path() / "tone.m4a";
    ASSERT_TRUE(RunFfmpeg("-f lavfi -i sine=frequency=1000:sample_rate=44100:duration=2 -c:a aac", path));
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.container, "mp4");
    EXPECT_EQ(decoded->info.codec, "aac");
    EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
    EXPECT_EQ(decoded->info.channels, 1);
    EXPECT_NEAR(double(decoded->frames), 88200.0, 2048.0);
    EXPECT_NEAR(ToneAmplitude(decoded->samples, 44100, 1000.0, 22050, 66150), 0.125, 0.125 * 0.06);
}

TEST_F(FfmpegMadeFile, AudioTrackOfAVideo) {
    const fs::path path = dir_.path() / "clip.mp4";
    ASSERT_TRUE(
        RunFfmpeg("-f lavfi -i testsrc=duration=2:size=64x64:rate=10 "
                  "-f lavfi -i sine=frequency=1000:sample_rate=48000:duration=2 -ac 2 -c:v mpeg4 -c:a aac",
                  path));
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.container, "mp4");
    EXPECT_EQ(decoded->info.codec, "aac");
    EXPECT_EQ(decoded->info.sample_rate_hz, 48000);
    EXPECT_EQ(decoded->info.channels, 2);
    EXPECT_NEAR(double(decoded->frames), 96000.0, 2048.0);
    // ffmpeg spreads the mono tone over both channels at -3 dB.
    const double amplitude = 0.125 * std::numbers::sqrt2 / 2;
    EXPECT_NEAR(ToneAmplitude(Channel(*decoded, 1), 48000, 1000.0, 24000, 72000), amplitude,
                amplitude * 0.06);
}

TEST_F(FfmpegMadeFile, VideoWithoutAudioIsUnsupported) {
    const fs::path path = dir_.path() / "silent-film.mp4";
    ASSERT_TRUE(RunFfmpeg("-f lavfi -i testsrc=duration=1:size=64x64:rate=10 -c:v mpeg4", path));
    ExpectError(path, ErrorCode::kUnsupported, "contains no audio stream");
}

TEST_F(FfmpegMadeFile, OpusInOgg) {
    const fs::path path = dir_.path() / "tone.opus";
    ASSERT_TRUE(RunFfmpeg("-f lavfi -i sine=frequency=1000:sample_rate=48000:duration=2 -c:a libopus", path));
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.container, "ogg");
    EXPECT_EQ(decoded->info.codec, "opus");
    EXPECT_EQ(decoded->info.sample_rate_hz, 48000);
    EXPECT_EQ(decoded->info.channels, 1);
    EXPECT_EQ(decoded->frames, 96000);  // Ogg Opus trims its pre-skip and end padding exactly
    EXPECT_NEAR(ToneAmplitude(decoded->samples, 48000, 1000.0, 24000, 72000), 0.125, 0.125 * 0.06);
}

TEST_F(FfmpegMadeFile, EncoderDelayIsRemoved) {
    for (const char* name : {"onset.m4a", "onset.mp3", "onset.opus"}) {
        SCOPED_TRACE(name);
        const fs::path path = dir_.path() / name;
        const bool opus = fs::path(name).extension() == ".opus";
        ASSERT_TRUE(
            RunFfmpeg(std::string("-f lavfi -i \"aevalsrc='if(gte(n,22050),0.5*sin(2*PI*1000*t),0)'") +
                          ":s=44100:d=1\"" + (opus ? " -ar 48000" : ""),
                      path));
        Result<Decoded> decoded = DecodeAll(path);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_NEAR(double(Onset(*decoded)), decoded->info.sample_rate_hz / 2.0, 3.0);
    }
}

TEST_F(FfmpegMadeFile, PcmInQuickTime) {
    const fs::path path = dir_.path() / "tone.mov";
    ASSERT_TRUE(
        RunFfmpeg("-f lavfi -i sine=frequency=1000:sample_rate=44100:duration=1 -c:a pcm_s16le", path));
    Result<Decoded> decoded = DecodeAll(path);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->info.container, "mov");
    EXPECT_EQ(decoded->frames, 44100);
}

// --- Shared reference data ---------------------------------------------------------------------------

class SharedAudio : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = testing_support::SharedDataDir() / "essentia-audio";
        ASSERT_TRUE(fs::is_directory(root_))
            << "shared test data not found at " << root_
            << "; set AMAPIANO_SHARED_DATA to the shared/data directory (see ../shared/data/README.md)";
    }
    fs::path root_;
};

TEST_F(SharedAudio, OneRecordingInFiveContainersHasOneDuration) {
    Result<Decoded> wav = DecodeAll(root_ / "recorded/dubstep.wav");
    ASSERT_TRUE(wav.ok()) << wav.error().message;
    ASSERT_EQ(wav->frames, 302085);  // 6.85 s
    const double wav_rms = Rms(wav->samples);
    for (const char* name : {"dubstep.flac", "dubstep.ogg", "dubstep.mp3", "dubstep.aac"}) {
        SCOPED_TRACE(name);
        Result<Decoded> decoded = DecodeAll(root_ / "recorded" / name);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
        EXPECT_EQ(decoded->info.channels, 2);
        EXPECT_NEAR(double(decoded->frames) / 44100, 6.85, 0.1);
        EXPECT_NEAR(20 * std::log10(Rms(decoded->samples) / wav_rms), 0.0, 0.5);
    }
    Result<Decoded> flac = DecodeAll(root_ / "recorded/dubstep.flac");
    ASSERT_TRUE(flac.ok());
    EXPECT_EQ(flac->samples, wav->samples);  // lossless
}

TEST_F(SharedAudio, EmptyFilesAreValidAndHoldNothing) {
    for (const char* name : {"empty.wav", "empty.aiff", "empty.ogg", "empty.mp3"}) {
        SCOPED_TRACE(name);
        Result<Decoded> decoded = DecodeAll(root_ / "generated/empty" / name);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
        EXPECT_GE(decoded->info.channels, 1);
        EXPECT_EQ(decoded->frames, 0);
    }
}

TEST_F(SharedAudio, SilenceIsFiveSecondsOfZeros) {
    Result<Decoded> decoded = DecodeAll(root_ / "generated/silence/silence.flac");
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->frames, 220500);
    EXPECT_EQ(Rms(decoded->samples), 0.0);
}

TEST_F(SharedAudio, FourChannelFiles) {
    for (const char* name : {"4channels.wav", "4channels.aiff", "4channels.flac"}) {
        SCOPED_TRACE(name);
        Result<Decoded> decoded = DecodeAll(root_ / "generated/multichannel" / name);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.channels, 4);
        EXPECT_EQ(decoded->info.sample_rate_hz, 44100);
        // The WAV and AIFF hold 5 s less a few frames; the FLAC has damaged frames (ffmpeg and
        // libFLAC both reject them), which are skipped: about 4.76 s are left.
        EXPECT_GT(decoded->frames, 44100 * 47 / 10);
        EXPECT_LE(decoded->frames, 220500);
        for (int c = 0; c < 4; ++c) EXPECT_GT(Rms(Channel(*decoded, c)), 0.01) << "channel " << c;
    }
}

TEST_F(SharedAudio, FlacWithBadStreamInfoStillDecodes) {
    for (const auto& [rate, channels] : {std::pair{22050, 1}, std::pair{22050, 2}, std::pair{44100, 1},
                                         std::pair{44100, 2}, std::pair{48000, 1}, std::pair{48000, 2}}) {
        const std::string name = "impulses_1second_" + std::to_string(rate) + (channels == 2 ? "_st" : "") +
                                 "_bad_stream_info.flac";
        SCOPED_TRACE(name);
        Result<Decoded> decoded =
            DecodeAll(root_ / "generated/synthesised/impulse/flac/bad_stream_info" / name);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        EXPECT_EQ(decoded->info.sample_rate_hz, rate);
        EXPECT_EQ(decoded->info.channels, channels);
        EXPECT_EQ(decoded->frames, 10 * rate);
        // One impulse at each whole second from 1 s to 9 s, silence elsewhere.
        const std::vector<float> x = Channel(*decoded, 0);
        std::vector<size_t> impulses;
        for (size_t i = 0; i < x.size(); ++i) {
            if (std::abs(x[i]) > 0.5f) impulses.push_back(i);
        }
        std::vector<size_t> expected;
        for (size_t second = 1; second <= 9; ++second) expected.push_back(second * static_cast<size_t>(rate));
        EXPECT_EQ(impulses, expected);
    }
}

}  // namespace
}  // namespace amapiano::audio
