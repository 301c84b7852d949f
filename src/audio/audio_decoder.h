// AudioDecoder: reads the audio of an uploaded file as interleaved float samples, via FFmpeg.
//
// Decodes anything libavformat/libavcodec recognise: WAV, AIFF, FLAC, Ogg Vorbis, Opus, MP3,
// AAC/M4A, and the best audio track of MP4/MOV/MKV video. Samples come out at the file's native
// rate and channel count (as announced by info()); resampling and downmixing are MonoResampler's
// job. Decoding streams: memory stays O(one packet) whatever the file size, and only the one file
// is ever opened (playlists and references to other files are refused). Damaged packets in the
// middle are skipped, as the ffmpeg tool does; a truncated file simply ends early.
//
//   auto decoder = AudioDecoder::Open("upload.m4a");
//   if (!decoder) return decoder.error();
//   std::vector<float> block(4096 * (*decoder)->info().channels);
//   while (true) {
//       Result<size_t> frames = (*decoder)->Read(block);
//       if (!frames) return frames.error();
//       if (*frames == 0) break;
//       Consume(std::span(block).first(*frames * (*decoder)->info().channels));
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/error.h"

namespace amapiano::audio {

struct AudioStreamInfo final {
    int sample_rate_hz = 0;  // native rate of the decoded samples, in (0, 768000]
    int channels = 0;        // native channel count, in [1, 64]
    // Duration the container claims, 0 when unknown. Not trusted: a damaged or hostile header can
    // say anything; the decoded frame count is the truth.
    double header_duration_s = 0.0;
    std::string container;  // short demuxer name: "wav", "aiff", "flac", "ogg", "mp3", "aac", "mp4", ...
    std::string codec;      // codec name: "pcm_s16le", "flac", "vorbis", "opus", "mp3", "aac", ...
};

class AudioDecoder final {
public:
    // Opens `path` and selects its best audio stream. Errors (each one sentence naming the file):
    // kNotFound when it does not exist; kInvalidArgument when it is a directory or not a regular
    // file; kIo when it cannot be read (permissions); kCorruptData when it is empty or not a
    // readable audio file, or no sample of it decodes; kUnsupported when it has no audio stream, no
    // decoder exists for the codec, or it has more than 64 channels or a rate above 768 kHz. A
    // header that announces no audio (an empty WAV, say) opens fine and reads 0 frames; one that
    // announces audio of which nothing decodes is kCorruptData. Open() decodes the first block
    // already: the rate and channel count of the first decoded frame are the truth.
    static Result<std::unique_ptr<AudioDecoder>> Open(const std::filesystem::path& path);
    ~AudioDecoder();
    AudioDecoder(const AudioDecoder&) = delete;
    AudioDecoder& operator=(const AudioDecoder&) = delete;

    const AudioStreamInfo& info() const;

    // Fills `out` with out.size() / channels frames of interleaved samples at info()'s rate and
    // channel count (fewer only at the end of the stream) and returns the number of frames written;
    // 0 means the end. If the stream changes rate or channel layout midway, later samples are
    // resampled and remixed (without clipping) to what info() announced.
    // Errors: kInvalidArgument when `out` holds less than one frame; kIo when reading the file
    // fails (samples read before the failure are returned first). Damage never fails a read: a file
    // of which nothing decodes fails in Open() (kCorruptData), one damaged later yields what decodes.
    Result<size_t> Read(std::span<float> out);

    // Frames returned by Read() so far.
    int64_t frames_decoded() const;

private:
    struct Impl;
    explicit AudioDecoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::audio
