#include "audio/audio_file_writer.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/random.h"
#include "core/text.h"

namespace amapiano::audio {
namespace {

// Vorbis VBR quality 0..1 (libsndfile maps it onto libvorbis -0.1..1.0); 0.6 is roughly 190 kbps.
constexpr double kVorbisQuality = 0.6;
// libsndfile maps MP3 compression level 0..1 onto 320..32 kbps for constant bit rate; 0.25 gives
// roughly 256 kbps.
constexpr double kMp3CompressionLevel = 0.25;
// FLAC compression 0..1 maps onto libFLAC levels 0..8. Low levels are several times faster and
// only a few percent larger.
constexpr double kFlacCompressionLevel = 0.125;
// Fixed seed: the dither is part of the output, and identical input must give identical bytes.
constexpr uint64_t kDitherSeed = 0x616d617069616e6fULL;
// Ogg stream serial numbers are random in libsndfile (seeded from the clock); we rewrite them to
// this constant so that the file bytes depend only on the audio.
constexpr uint32_t kOggSerial = 0x616d7061;
constexpr size_t kScratchFrames = 16384;

struct SndfileCloser final {
    void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

int SndfileFormat(AudioFormat format) {
    switch (format) {
        case AudioFormat::kWav16: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        case AudioFormat::kWav24: return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
        case AudioFormat::kFlac: return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
        case AudioFormat::kOgg: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
        case AudioFormat::kMp3: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    }
    return 0;
}

// --- Ogg page serial rewrite -------------------------------------------------------------------

std::array<uint32_t, 256> MakeOggCrcTable() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t r = i << 24;
        for (int bit = 0; bit < 8; ++bit) r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : (r << 1);
        table[i] = r;
    }
    return table;
}

uint32_t OggCrc(const uint8_t* data, size_t size) {
    static const std::array<uint32_t, 256> table = MakeOggCrcTable();
    uint32_t crc = 0;
    for (size_t i = 0; i < size; ++i) crc = (crc << 8) ^ table[((crc >> 24) ^ data[i]) & 0xff];
    return crc;
}

void PutLe32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Sets every page's serial number to kOggSerial and recomputes its checksum. The file is small
// (compressed), so it is read whole.
Status RewriteOggSerial(int fd, const std::filesystem::path& path) {
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0) return Error::Io("cannot read back '" + path.string() + "': " + std::strerror(errno));
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error::Io("cannot read back '" + path.string() + "': " + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
    size_t pos = 0;
    while (pos + 27 <= bytes.size() && std::memcmp(&bytes[pos], "OggS", 4) == 0) {
        const size_t segments = bytes[pos + 26];
        if (pos + 27 + segments > bytes.size()) break;
        size_t body = 0;
        for (size_t s = 0; s < segments; ++s) body += bytes[pos + 27 + s];
        const size_t page_size = 27 + segments + body;
        if (pos + page_size > bytes.size()) break;
        PutLe32(&bytes[pos + 14], kOggSerial);
        PutLe32(&bytes[pos + 22], 0);
        PutLe32(&bytes[pos + 22], OggCrc(&bytes[pos], page_size));
        pos += page_size;
    }
    done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error::Io("cannot write '" + path.string() + "': " + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
    return Status::Ok();
}

}  // namespace

Result<AudioFormat> AudioFormatForPath(const std::filesystem::path& path, int wav_bit_depth) {
    const std::string extension = AsciiLower(path.extension().string());
    if (extension == ".wav") {
        if (wav_bit_depth == 16) return AudioFormat::kWav16;
        if (wav_bit_depth == 24) return AudioFormat::kWav24;
        return Error::Unsupported("unsupported WAV bit depth " + std::to_string(wav_bit_depth) +
                                  "; use 16 or 24");
    }
    if (extension == ".flac") return AudioFormat::kFlac;
    if (extension == ".ogg") return AudioFormat::kOgg;
    if (extension == ".mp3") return AudioFormat::kMp3;
    return Error::Unsupported("unsupported output extension '" + path.extension().string() +
                              "'; use .wav, .flac, .ogg or .mp3");
}

std::string_view AudioFormatName(AudioFormat format) {
    switch (format) {
        case AudioFormat::kWav16: return "wav16";
        case AudioFormat::kWav24: return "wav24";
        case AudioFormat::kFlac: return "flac";
        case AudioFormat::kOgg: return "ogg";
        case AudioFormat::kMp3: return "mp3";
    }
    return "unknown";
}

Status CheckWritableDestination(const std::filesystem::path& path) {
    std::filesystem::path directory = path.parent_path();
    if (directory.empty()) directory = ".";
    std::error_code ec;
    const auto status = std::filesystem::status(directory, ec);
    if (ec || !std::filesystem::exists(status)) {
        return Error::Io("output directory '" + directory.string() + "' does not exist");
    }
    if (!std::filesystem::is_directory(status)) {
        return Error::Io("output directory '" + directory.string() + "' is not a directory");
    }
    if (::access(directory.c_str(), W_OK) != 0) {
        return Error::Io("output directory '" + directory.string() +
                         "' is not writable: " + std::strerror(errno));
    }
    return Status::Ok();
}

// float -> 24-bit PCM left-aligned in 32 bits: scale, clip, round to nearest; NaN becomes 0.
// Runs over every stem sample, so x86-64 gets a 4-wide SSE2 path (the compiler does not vectorise
// the scalar loop because of the NaN and clipping semantics).
void QuantiseTo24Bit(const float* in, int* out, size_t count) {
    constexpr float kScale = 8388607.0f;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128 scale = _mm_set1_ps(kScale);
    const __m128 hi = _mm_set1_ps(kScale);
    const __m128 lo = _mm_set1_ps(-kScale);
    for (; i + 4 <= count; i += 4) {
        __m128 v = _mm_mul_ps(_mm_loadu_ps(in + i), scale);
        v = _mm_and_ps(v, _mm_cmpord_ps(v, v));  // NaN -> 0
        v = _mm_min_ps(_mm_max_ps(v, lo), hi);
        const __m128i q = _mm_cvtps_epi32(v);  // round to nearest even (default MXCSR mode)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_slli_epi32(q, 8));
    }
#endif
    for (; i < count; ++i) {
        float v = in[i] * kScale;
        v = v == v ? v : 0.0f;
        v = std::min(std::max(v, -kScale), kScale);
        out[i] = static_cast<int>(std::nearbyint(v)) * 256;
    }
}

struct AudioFileWriter::Impl final {
    std::filesystem::path path;
    std::filesystem::path temp_path;
    AudioFormat format = AudioFormat::kWav24;
    int channels = 2;
    int fd = -1;
    SndfilePtr file;
    int64_t frames_written = 0;
    bool committed = false;
    bool finished = false;
    Rng dither{kDitherSeed};
    std::vector<short> pcm16;
    std::vector<int> pcm32;      // 24-bit formats: samples left-aligned in 32 bits
    std::vector<uint8_t> raw24;  // WAV 24: packed little-endian sample bytes

    ~Impl() {
        file.reset();
        if (fd >= 0) ::close(fd);
        if (!committed && !temp_path.empty()) ::unlink(temp_path.c_str());
    }
};

AudioFileWriter::AudioFileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioFileWriter::~AudioFileWriter() = default;

Result<std::unique_ptr<AudioFileWriter>> AudioFileWriter::Open(const std::filesystem::path& path,
                                                               AudioFormat format, int sample_rate_hz,
                                                               int channels) {
    if (sample_rate_hz <= 0 || channels <= 0) {
        return Error::InvalidArgument("cannot open '" + path.string() +
                                      "': sample rate and channel count must be positive");
    }
    SF_INFO info{};
    info.samplerate = sample_rate_hz;
    info.channels = channels;
    info.format = SndfileFormat(format);
    if (!sf_format_check(&info)) {
        return Error::Unsupported("libsndfile cannot encode " + std::string(AudioFormatName(format)) +
                                  " at " + std::to_string(sample_rate_hz) + " Hz with " +
                                  std::to_string(channels) + " channels");
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->format = format;
    impl->channels = channels;
    impl->temp_path = TemporaryPathFor(path);
    impl->fd = ::open(impl->temp_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (impl->fd < 0) {
        const int err = errno;
        impl->temp_path.clear();  // nothing to remove
        return Error::Io("cannot create a temporary file for '" + path.string() + "': " + std::strerror(err));
    }
    impl->file.reset(sf_open_fd(impl->fd, SFM_WRITE, &info, SF_FALSE));
    if (!impl->file) {
        return Error::Io("cannot open '" + path.string() + "' for writing: " + sf_strerror(nullptr));
    }
    SNDFILE* file = impl->file.get();
    sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
    sf_command(file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
    if (format == AudioFormat::kOgg) {
        double quality = kVorbisQuality;
        sf_command(file, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof(quality));
    } else if (format == AudioFormat::kMp3) {
        int mode = SF_BITRATE_MODE_CONSTANT;
        sf_command(file, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
        double level = kMp3CompressionLevel;
        sf_command(file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
    } else if (format == AudioFormat::kFlac) {
        double level = kFlacCompressionLevel;
        sf_command(file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
    }
    if (format == AudioFormat::kWav16) impl->pcm16.resize(kScratchFrames * static_cast<size_t>(channels));
    if (format == AudioFormat::kWav24 || format == AudioFormat::kFlac) {
        impl->pcm32.resize(kScratchFrames * static_cast<size_t>(channels));
        if (format == AudioFormat::kWav24)
            impl->raw24.resize(3 * kScratchFrames * static_cast<size_t>(channels));
    }
    return std::unique_ptr<AudioFileWriter>(new AudioFileWriter(std::move(impl)));
}

Status AudioFileWriter::Write(std::span<const float> interleaved) {
    Impl& impl = *impl_;
    if (!impl.file) return Error::Io("'" + impl.path.string() + "' is already closed");
    const auto channels = static_cast<size_t>(impl.channels);
    if (interleaved.size() % channels != 0) {
        return Error::InvalidArgument("sample count " + std::to_string(interleaved.size()) +
                                      " is not a multiple of the channel count");
    }
    const size_t frames = interleaved.size() / channels;
    if (impl.format == AudioFormat::kWav16) {
        // TPDF dither of +-1 LSB, from a fixed-seed generator so the bytes are reproducible.
        constexpr float kScale = 32767.0f;
        constexpr float kUnit = 1.0f / 4294967296.0f;
        for (size_t start = 0; start < frames; start += kScratchFrames) {
            const size_t count = std::min(kScratchFrames, frames - start);
            const float* in = interleaved.data() + start * channels;
            for (size_t i = 0; i < count * channels; ++i) {
                const uint64_t bits = impl.dither.NextU64();
                const float tpdf =
                    static_cast<float>(bits & 0xffffffffu) * kUnit - static_cast<float>(bits >> 32) * kUnit;
                float v = in[i] * kScale + tpdf;
                if (!(v > -32768.0f)) v = -32768.0f;  // also maps NaN to a defined value
                if (v > 32767.0f) v = 32767.0f;
                impl.pcm16[i] = static_cast<short>(std::lrint(v));
            }
            const auto want = static_cast<sf_count_t>(count);
            if (sf_writef_short(impl.file.get(), impl.pcm16.data(), want) != want) {
                return Error::Io("cannot write '" + impl.path.string() +
                                 "': " + sf_strerror(impl.file.get()));
            }
        }
    } else if (!impl.pcm32.empty()) {
        // 24-bit: quantise here and hand libsndfile integers; its own float path with clipping is
        // several times slower and this runs for every stem.
        for (size_t start = 0; start < frames; start += kScratchFrames) {
            const size_t count = std::min(kScratchFrames, frames - start);
            const float* in = interleaved.data() + start * channels;
            int* out = impl.pcm32.data();
            QuantiseTo24Bit(in, out, count * channels);
            if (impl.format == AudioFormat::kWav24) {
                // WAV's 24-bit data is plain little-endian triplets: pack them here and let libsndfile
                // write the bytes (sf_write_raw) — its int -> 24-bit path costs as much again.
                uint8_t* bytes = impl.raw24.data();
                for (size_t i = 0; i < count * channels; ++i) {
                    const auto v = static_cast<uint32_t>(out[i]);
                    bytes[3 * i] = static_cast<uint8_t>(v >> 8);
                    bytes[3 * i + 1] = static_cast<uint8_t>(v >> 16);
                    bytes[3 * i + 2] = static_cast<uint8_t>(v >> 24);
                }
                const auto want_bytes = static_cast<sf_count_t>(3 * count * channels);
                if (sf_write_raw(impl.file.get(), bytes, want_bytes) != want_bytes) {
                    return Error::Io("cannot write '" + impl.path.string() +
                                     "': " + sf_strerror(impl.file.get()));
                }
                continue;
            }
            const auto want = static_cast<sf_count_t>(count);
            if (sf_writef_int(impl.file.get(), out, want) != want) {
                return Error::Io("cannot write '" + impl.path.string() +
                                 "': " + sf_strerror(impl.file.get()));
            }
        }
    } else {
        const auto want = static_cast<sf_count_t>(frames);
        if (sf_writef_float(impl.file.get(), interleaved.data(), want) != want) {
            return Error::Io("cannot write '" + impl.path.string() + "': " + sf_strerror(impl.file.get()));
        }
    }
    impl.frames_written += static_cast<int64_t>(frames);
    return Status::Ok();
}

Status AudioFileWriter::Commit() {
    Impl& impl = *impl_;
    if (impl.committed) return Status::Ok();
    if (Status finished = Finish(); !finished) return finished;
    if (::rename(impl.temp_path.c_str(), impl.path.c_str()) != 0) {
        return Error::Io("cannot rename '" + impl.temp_path.string() + "' to '" + impl.path.string() +
                         "': " + std::strerror(errno));
    }
    impl.committed = true;
    return Status::Ok();
}

Status AudioFileWriter::Finish() {
    Impl& impl = *impl_;
    if (impl.finished) return Status::Ok();
    if (!impl.file) return Error::Io("'" + impl.path.string() + "' is already closed");
    if (sf_close(impl.file.release()) != 0) {
        return Error::Io("cannot finish '" + impl.path.string() + "'");
    }
    if (impl.format == AudioFormat::kOgg) {
        Status rewritten = RewriteOggSerial(impl.fd, impl.path);
        if (!rewritten) return rewritten;
    }
    const bool synced = ::fsync(impl.fd) == 0;
    const int sync_err = errno;
    const bool closed = ::close(impl.fd) == 0;
    const int close_err = errno;
    impl.fd = -1;
    if (!synced || !closed) {
        return Error::Io("cannot flush '" + impl.path.string() +
                         "': " + std::strerror(synced ? close_err : sync_err));
    }
    impl.finished = true;
    return Status::Ok();
}

const std::filesystem::path& AudioFileWriter::path() const { return impl_->path; }
int64_t AudioFileWriter::frames_written() const { return impl_->frames_written; }

}  // namespace amapiano::audio
