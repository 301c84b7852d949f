// AudioFileWriter: streams float audio into WAV (16/24-bit), FLAC, OGG Vorbis or MP3 via libsndfile.
//
// Writes go to a temporary file beside the destination; Commit() closes it and renames it into
// place, so a failure or a crash never leaves a partial file under the final name. A writer
// destroyed without Commit() removes its temporary file.
//
//   auto writer = AudioFileWriter::Open("out.flac", *AudioFormatForPath("out.flac", 24), 44100, 2);
//   if (!writer) return writer.error();
//   (*writer)->Write(block);   // interleaved
//   (*writer)->Commit();
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "core/error.h"

namespace amapiano::audio {

enum class AudioFormat { kWav16, kWav24, kFlac, kOgg, kMp3 };

// Picks the format from the extension (.wav, .flac, .ogg, .mp3; case-insensitive). WAV uses
// `wav_bit_depth` (16 or 24); FLAC is 24-bit. Errors: kUnsupported naming the extension.
Result<AudioFormat> AudioFormatForPath(const std::filesystem::path& path, int wav_bit_depth = 24);
std::string_view AudioFormatName(AudioFormat format);  // "wav16", "wav24", "flac", "ogg", "mp3"

// Checks that `path`'s directory exists and is writable, without creating anything.
// Errors: kIo with a sentence naming the directory.
Status CheckWritableDestination(const std::filesystem::path& path);

class AudioFileWriter final {
public:
    // Errors: kUnsupported when libsndfile cannot encode the format; kIo when the temporary file
    // cannot be created.
    static Result<std::unique_ptr<AudioFileWriter>> Open(const std::filesystem::path& path,
                                                         AudioFormat format, int sample_rate_hz,
                                                         int channels);
    ~AudioFileWriter();
    AudioFileWriter(const AudioFileWriter&) = delete;
    AudioFileWriter& operator=(const AudioFileWriter&) = delete;

    // Appends interleaved samples (size a multiple of channels). Samples are clipped to [-1, 1]
    // by the integer encoders. Errors: kIo (disk full, ...).
    Status Write(std::span<const float> interleaved);
    // Completes the temporary file (headers, flush to disk) without making it visible yet; lets a
    // caller do the slow part early and rename many files together. Errors: kIo.
    Status Finish();
    // Finishes the file if needed and renames it to the destination. Errors: kIo.
    Status Commit();

    const std::filesystem::path& path() const;
    int64_t frames_written() const;

private:
    struct Impl;
    explicit AudioFileWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::audio
