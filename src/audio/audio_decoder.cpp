#include "audio/audio_decoder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace amapiano::audio {
namespace {

constexpr int kMaxSampleRateHz = 768000;
constexpr int kMaxChannels = 64;
// Size of the custom I/O buffer handed to libavformat.
constexpr int kIoBufferBytes = 64 * 1024;
// A stream that yields this many audio packets or read errors in a row without producing a single
// sample is damaged beyond use (or hostile): the decoder stops there instead of spinning through it.
constexpr int kMaxStalledPackets = 4096;
// A stream of which nothing decodes is an empty stream if its header announces at most this much
// audio (encoders write a frame or two of padding for empty input), and damage otherwise.
constexpr double kMaxEmptyHeaderDurationS = 0.5;

void SilenceFfmpegLogging() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

std::string Quoted(const std::filesystem::path& path) { return "'" + path.filename().string() + "'"; }

// --- File access through our own descriptor ------------------------------------------------------
// libavformat reads through these callbacks rather than opening the path itself: names with ':'
// are never taken for protocols, only this one file can be read, and read errors keep their errno.

struct FileSource final {
    int fd = -1;
    int read_errno = 0;  // first errno of a failed read, 0 if none
};

int ReadCallback(void* opaque, uint8_t* buffer, int size) {
    auto* source = static_cast<FileSource*>(opaque);
    while (true) {
        const ssize_t n = ::read(source->fd, buffer, static_cast<size_t>(size));
        if (n > 0) return static_cast<int>(n);
        if (n == 0) return AVERROR_EOF;
        if (errno == EINTR) continue;
        if (source->read_errno == 0) source->read_errno = errno;
        return AVERROR(errno);
    }
}

int64_t SeekCallback(void* opaque, int64_t offset, int whence) {
    auto* source = static_cast<FileSource*>(opaque);
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) {
        struct stat st {};
        if (::fstat(source->fd, &st) != 0) return AVERROR(errno);
        return static_cast<int64_t>(st.st_size);
    }
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return AVERROR(EINVAL);
    const off_t position = ::lseek(source->fd, static_cast<off_t>(offset), whence);
    if (position < 0) return AVERROR(errno);
    return static_cast<int64_t>(position);
}

// Demuxers that follow references (playlists, image sequences, ...) open them through io_open;
// uploads must never make us read another file, so every such request is refused.
int RefuseNestedOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
    return AVERROR(EPERM);
}

// --- RAII wrappers ---------------------------------------------------------------------------------

struct IoContextDeleter final {
    void operator()(AVIOContext* io) const {
        if (io != nullptr) av_freep(&io->buffer);
        avio_context_free(&io);
    }
};
struct FormatContextDeleter final {
    void operator()(AVFormatContext* format) const { avformat_close_input(&format); }
};
struct CodecContextDeleter final {
    void operator()(AVCodecContext* codec) const { avcodec_free_context(&codec); }
};
struct SwrContextDeleter final {
    void operator()(SwrContext* swr) const { swr_free(&swr); }
};
struct PacketDeleter final {
    void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct FrameDeleter final {
    void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};

// A channel layout that owns its (possibly allocated) map.
class ChannelLayout final {
public:
    ChannelLayout() = default;
    ~ChannelLayout() { av_channel_layout_uninit(&layout_); }
    ChannelLayout(const ChannelLayout&) = delete;
    ChannelLayout& operator=(const ChannelLayout&) = delete;

    // Copies `source`. A layout that is not a plain speaker mask (WAV without a channel mask, AIFF
    // with 4 channels, ambisonic Opus, ...) becomes the default layout for its channel count: the
    // samples pass through unchanged, and libswresample can remix it should the layout change.
    bool Assign(const AVChannelLayout& source) {
        av_channel_layout_uninit(&layout_);
        if (source.order != AV_CHANNEL_ORDER_NATIVE) {
            av_channel_layout_default(&layout_, source.nb_channels);
            return true;
        }
        return av_channel_layout_copy(&layout_, &source) == 0;
    }
    const AVChannelLayout& get() const { return layout_; }
    int channels() const { return layout_.nb_channels; }
    bool operator==(const ChannelLayout& other) const {
        return av_channel_layout_compare(&layout_, &other.layout_) == 0;
    }

private:
    AVChannelLayout layout_{};
};

// Short container name: the first alias of the demuxer, except that the QuickTime/ISO demuxer
// ("mov,mp4,m4a,3gp,3g2,mj2") reports "mov" only for QuickTime files and "mp4" otherwise.
std::string ContainerName(const AVFormatContext& format) {
    std::string name = format.iformat != nullptr ? format.iformat->name : "unknown";
    name = name.substr(0, name.find(','));
    if (name == "mov") {
        const AVDictionaryEntry* brand = av_dict_get(format.metadata, "major_brand", nullptr, 0);
        if (brand == nullptr || std::strncmp(brand->value, "qt", 2) != 0) name = "mp4";
    }
    return name;
}

double HeaderDuration(const AVFormatContext& format, const AVStream& stream) {
    double seconds = 0.0;
    if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0 && stream.time_base.den > 0) {
        seconds = static_cast<double>(stream.duration) * av_q2d(stream.time_base);
    } else if (format.duration != AV_NOPTS_VALUE && format.duration > 0) {
        seconds = static_cast<double>(format.duration) / AV_TIME_BASE;
    }
    return std::isfinite(seconds) && seconds > 0.0 ? seconds : 0.0;
}

}  // namespace

struct AudioDecoder::Impl final {
    std::filesystem::path path;
    FileSource source;
    std::unique_ptr<AVIOContext, IoContextDeleter> io;
    std::unique_ptr<AVFormatContext, FormatContextDeleter> format;
    std::unique_ptr<AVCodecContext, CodecContextDeleter> codec;
    std::unique_ptr<AVPacket, PacketDeleter> packet;
    std::unique_ptr<AVFrame, FrameDeleter> frame;
    int stream_index = -1;
    AudioStreamInfo info;

    // Output format: fixed by the first decoded frame (or the stream parameters if there is none).
    bool output_fixed = false;
    ChannelLayout output_layout;
    // Converter from the current input format to the output format.
    std::unique_ptr<SwrContext, SwrContextDeleter> swr;
    AVSampleFormat swr_input_format = AV_SAMPLE_FMT_NONE;
    int swr_input_rate = 0;
    ChannelLayout swr_input_layout;

    // Converted samples not yet handed out (at most one frame's worth).
    std::vector<float> pending;
    size_t pending_offset = 0;

    bool flushing = false;  // the demuxer is exhausted and the decoder has been told so
    bool finished = false;  // nothing more will come
    int stalled = 0;        // audio packets / errors in a row without a sample
    int failures = 0;       // packets, frames or reads that failed, in total
    int64_t frames_decoded = 0;
    std::optional<Error> deferred_error;

    ~Impl() {
        // The format context refers to the I/O context: close it first.
        format.reset();
        io.reset();
        if (source.fd >= 0) ::close(source.fd);
    }

    Error ReadError() const {
        return Error::Io("cannot read " + Quoted(path) + ": " + std::strerror(source.read_errno));
    }

    // Sets up `swr` for frames like `frame` unless it already is. Returns false if the frame's format
    // cannot be converted to the output format.
    bool PrepareConverter(const AVFrame& input) {
        ChannelLayout layout;
        if (!layout.Assign(input.ch_layout)) return false;
        const auto sample_format = static_cast<AVSampleFormat>(input.format);
        if (swr && sample_format == swr_input_format && input.sample_rate == swr_input_rate &&
            layout == swr_input_layout) {
            return true;
        }
        DrainConverter();
        swr.reset();
        SwrContext* context = nullptr;
        // FFmpeg 5.1 declares the layouts non-const but only copies them.
        if (swr_alloc_set_opts2(&context, const_cast<AVChannelLayout*>(&output_layout.get()),
                                AV_SAMPLE_FMT_FLT, info.sample_rate_hz,
                                const_cast<AVChannelLayout*>(&layout.get()), sample_format, input.sample_rate,
                                0, nullptr) < 0) {
            return false;
        }
        swr.reset(context);
        // Remixing (only after a mid-stream layout change) must not clip: normalise the matrix so
        // that no output channel sums to more than 1, e.g. stereo to mono is (L + R) / 2.
        av_opt_set_double(context, "rematrix_maxval", 1.0, 0);
        if (swr_init(context) < 0) {
            swr.reset();
            return false;
        }
        swr_input_format = sample_format;
        swr_input_rate = input.sample_rate;
        swr_input_layout.Assign(layout.get());
        return true;
    }

    // Appends what the converter still holds (only a resampling converter holds anything).
    void DrainConverter() {
        if (!swr || swr_input_rate == info.sample_rate_hz) return;
        Convert(nullptr, 0);
    }

    // Converts `count` input samples (nullptr: drain) and appends them to `pending`.
    void Convert(const uint8_t** input, int count) {
        const int capacity = swr_get_out_samples(swr.get(), count);
        if (capacity <= 0) return;
        const auto channels = static_cast<size_t>(info.channels);
        const size_t used = pending.size();
        pending.resize(used + static_cast<size_t>(capacity) * channels);
        auto* output = reinterpret_cast<uint8_t*>(pending.data() + used);
        const int converted = swr_convert(swr.get(), &output, capacity, input, count);
        const size_t kept = converted > 0 ? static_cast<size_t>(converted) : 0;
        pending.resize(used + kept * channels);
    }

    // Fixes the output format from the first frame: the native format of the stream.
    bool FixOutput(const AVChannelLayout& layout, int sample_rate) {
        if (!output_layout.Assign(layout)) return false;
        info.channels = output_layout.channels();
        info.sample_rate_hz = sample_rate;
        output_fixed = true;
        return true;
    }

    void ConvertFrame(AVFrame& input) {
        if (input.ch_layout.nb_channels <= 0 && codec->ch_layout.nb_channels > 0) {
            av_channel_layout_copy(&input.ch_layout, &codec->ch_layout);
        }
        if (input.sample_rate <= 0) input.sample_rate = codec->sample_rate;
        const int channels = input.ch_layout.nb_channels;
        if (input.nb_samples <= 0 || channels <= 0 || input.sample_rate <= 0) {
            ++failures;
            return;
        }
        // The first frame fixes the output format, even an unsupported one: Open() reports that.
        if (!output_fixed && !FixOutput(input.ch_layout, input.sample_rate)) return;
        if (channels > kMaxChannels || input.sample_rate > kMaxSampleRateHz) {
            ++failures;
            return;
        }
        if (!PrepareConverter(input)) {
            ++failures;
            return;
        }
        Convert(const_cast<const uint8_t**>(input.extended_data), input.nb_samples);
    }

    // Decodes until `pending` holds samples or the stream ends. Returns false at the end.
    Result<bool> DecodeMore() {
        pending.clear();
        pending_offset = 0;
        while (!finished) {
            const int received = avcodec_receive_frame(codec.get(), frame.get());
            if (received == 0) {
                ConvertFrame(*frame);
                av_frame_unref(frame.get());
                if (!pending.empty()) {
                    stalled = 0;
                    return true;
                }
                continue;
            }
            if (received == AVERROR_EOF) {
                finished = true;
                DrainConverter();
                break;
            }
            if (received != AVERROR(EAGAIN)) {
                // A damaged frame: skip it, as the ffmpeg tool does.
                ++failures;
                if (++stalled > kMaxStalledPackets) StopDecoding();
                continue;
            }
            if (flushing) {  // cannot happen: a flushed decoder ends with AVERROR_EOF
                finished = true;
                break;
            }
            const int read = av_read_frame(format.get(), packet.get());
            if (read == AVERROR_EOF || (read < 0 && format->pb != nullptr && avio_feof(format->pb))) {
                if (source.read_errno != 0) return ReadError();
                StopDecoding();
                continue;
            }
            if (read < 0) {
                if (source.read_errno != 0) return ReadError();
                ++failures;
                if (++stalled > kMaxStalledPackets) StopDecoding();
                continue;
            }
            if (packet->stream_index != stream_index) {
                av_packet_unref(packet.get());
                continue;
            }
            const int sent = avcodec_send_packet(codec.get(), packet.get());
            av_packet_unref(packet.get());
            if (sent < 0) ++failures;
            if (++stalled > kMaxStalledPackets) StopDecoding();
        }
        return !pending.empty();
    }

    // Tells the decoder there is no more input; it then returns what it still holds.
    void StopDecoding() {
        flushing = true;
        if (avcodec_send_packet(codec.get(), nullptr) < 0) finished = true;
    }
};

AudioDecoder::AudioDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioDecoder::~AudioDecoder() = default;

Result<std::unique_ptr<AudioDecoder>> AudioDecoder::Open(const std::filesystem::path& path) {
    SilenceFfmpegLogging();
    const std::string name = Quoted(path);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) return Error::NotFound("audio file " + name + " does not exist");
        return Error::Io("cannot read " + name + ": " + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) return Error::InvalidArgument(name + " is a directory, not an audio file");
    if (!S_ISREG(st.st_mode)) return Error::InvalidArgument(name + " is not a regular file");

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    // O_NONBLOCK: should the path have been swapped for a FIFO since stat(), open() must not hang.
    impl->source.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (impl->source.fd < 0) {
        const int err = errno;
        if (err == ENOENT) return Error::NotFound("audio file " + name + " does not exist");
        return Error::Io("cannot read " + name + ": " + std::strerror(err));
    }
    if (::fstat(impl->source.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return Error::InvalidArgument(name + " is not a regular file");
    }
    if (st.st_size == 0) return Error::CorruptData(name + " is empty, not a readable audio file");

    auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) return Error::Internal("out of memory opening " + name);
    impl->io.reset(
        avio_alloc_context(buffer, kIoBufferBytes, 0, &impl->source, ReadCallback, nullptr, SeekCallback));
    if (!impl->io) {
        av_free(buffer);
        return Error::Internal("out of memory opening " + name);
    }
    AVFormatContext* format = avformat_alloc_context();
    if (format == nullptr) return Error::Internal("out of memory opening " + name);
    format->pb = impl->io.get();
    format->io_open = RefuseNestedOpen;
    // Demuxers that open their references through a nested format context (concat lists, ...) do
    // not use io_open but inherit the protocol whitelist: "none" allows no protocol at all.
    AVDictionary* options = nullptr;
    av_dict_set(&options, "protocol_whitelist", "none", 0);
    // On failure avformat_open_input frees the context (but not our custom I/O context).
    const int opened = avformat_open_input(&format, nullptr, nullptr, &options);
    av_dict_free(&options);
    if (opened < 0) {
        if (impl->source.read_errno != 0) return impl->ReadError();
        return Error::CorruptData(name + " is not a readable audio file");
    }
    impl->format.reset(format);
    // Errors here are not fatal: damaged headers (a bad FLAC STREAMINFO, say) often still decode.
    avformat_find_stream_info(format, nullptr);
    if (impl->source.read_errno != 0) return impl->ReadError();

    const AVCodec* decoder = nullptr;
    const int best = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (best == AVERROR_STREAM_NOT_FOUND) {
        for (unsigned i = 0; i < format->nb_streams; ++i) {
            if (format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
                return Error::CorruptData(name +
                                          " is not a readable audio file: its audio stream is invalid");
            }
        }
        return Error::Unsupported(name + " contains no audio stream");
    }
    if (best < 0 || decoder == nullptr) {
        const int audio = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
        const AVCodecID id = audio >= 0 ? format->streams[audio]->codecpar->codec_id : AV_CODEC_ID_NONE;
        if (id == AV_CODEC_ID_NONE) return Error::Unsupported(name + " uses an unknown audio codec");
        return Error::Unsupported(name + " uses the audio codec '" + avcodec_get_name(id) +
                                  "', for which no decoder is available");
    }
    impl->stream_index = best;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        if (static_cast<int>(i) != best) format->streams[i]->discard = AVDISCARD_ALL;
    }
    AVStream* stream = format->streams[best];

    impl->codec.reset(avcodec_alloc_context3(decoder));
    if (!impl->codec) return Error::Internal("out of memory opening " + name);
    AVCodecContext* codec = impl->codec.get();
    if (avcodec_parameters_to_context(codec, stream->codecpar) < 0) {
        return Error::CorruptData(name + " is not a readable audio file");
    }
    codec->pkt_timebase = stream->time_base;
    codec->thread_count = 1;
    if (avcodec_open2(codec, decoder, nullptr) < 0) {
        return Error::CorruptData(name + " is not a readable audio file: its " + decoder->name +
                                  " stream cannot be decoded");
    }
    impl->packet.reset(av_packet_alloc());
    impl->frame.reset(av_frame_alloc());
    if (!impl->packet || !impl->frame) return Error::Internal("out of memory opening " + name);

    AudioStreamInfo& info = impl->info;
    info.header_duration_s = HeaderDuration(*format, *stream);
    info.container = ContainerName(*format);
    info.codec = avcodec_get_name(stream->codecpar->codec_id);

    // Decode the first block now: the first frame tells the true rate and channel count (headers
    // can be wrong), and a file of which nothing decodes is reported here rather than at the end.
    Result<bool> first = impl->DecodeMore();
    if (!first) return first.error();
    if (!impl->output_fixed) {
        // Nothing decodes. That is an empty stream if the header announces (next to) no audio, and
        // a file to reject if it announces audio or anything failed to decode.
        if (impl->failures > 0 || info.header_duration_s > kMaxEmptyHeaderDurationS) {
            return Error::CorruptData(name + " is not a readable audio file: none of its audio decodes");
        }
        if (codec->ch_layout.nb_channels <= 0 || codec->sample_rate <= 0 ||
            !impl->FixOutput(codec->ch_layout, codec->sample_rate)) {
            return Error::CorruptData(name + " is not a readable audio file");
        }
    }
    if (info.channels > kMaxChannels) {
        return Error::Unsupported(name + " has " + std::to_string(info.channels) + " channels; at most " +
                                  std::to_string(kMaxChannels) + " are supported");
    }
    if (info.sample_rate_hz > kMaxSampleRateHz) {
        return Error::Unsupported(name + " has a sample rate of " + std::to_string(info.sample_rate_hz) +
                                  " Hz; at most " + std::to_string(kMaxSampleRateHz) + " Hz is supported");
    }
    return std::unique_ptr<AudioDecoder>(new AudioDecoder(std::move(impl)));
}

const AudioStreamInfo& AudioDecoder::info() const { return impl_->info; }

int64_t AudioDecoder::frames_decoded() const { return impl_->frames_decoded; }

Result<size_t> AudioDecoder::Read(std::span<float> out) {
    Impl& impl = *impl_;
    const auto channels = static_cast<size_t>(impl.info.channels);
    const size_t capacity = out.size() / channels;
    if (capacity == 0) {
        return Error::InvalidArgument("a read buffer of " + std::to_string(out.size()) +
                                      " samples cannot hold one frame of " + std::to_string(channels) +
                                      " channels");
    }
    if (impl.deferred_error) {
        Error error = std::move(*impl.deferred_error);
        impl.deferred_error.reset();
        return error;
    }
    size_t written = 0;
    while (written < capacity) {
        const size_t available = (impl.pending.size() - impl.pending_offset) / channels;
        if (available > 0) {
            const size_t n = std::min(available, capacity - written);
            std::copy_n(impl.pending.begin() + static_cast<std::ptrdiff_t>(impl.pending_offset), n * channels,
                        out.begin() + static_cast<std::ptrdiff_t>(written * channels));
            impl.pending_offset += n * channels;
            written += n;
            continue;
        }
        if (impl.finished) break;
        Result<bool> more = impl.DecodeMore();
        if (!more) {
            if (written == 0) return more.error();
            impl.deferred_error = more.error();  // hand out what we have; the error comes next time
            break;
        }
    }
    impl.frames_decoded += static_cast<int64_t>(written);
    return written;
}

}  // namespace amapiano::audio
