// TranscodeAudioFile: re-encode an audio file into another format (a WAV mix into FLAC/MP3/OGG for
// download), streaming block by block at the source's rate and channel count. The destination is
// written atomically (AudioFileWriter): it appears complete or not at all.
//
//   Status s = TranscodeAudioFile("mix.wav", "mix.mp3", AudioFormat::kMp3);
//
// Errors: the decoder's (kNotFound, kCorruptData, ...) and the writer's (kUnsupported, kIo).
#pragma once

#include <filesystem>

#include "audio/audio_file_writer.h"
#include "core/error.h"

namespace amapiano::audio {

Status TranscodeAudioFile(const std::filesystem::path& source, const std::filesystem::path& destination,
                          AudioFormat format);

}  // namespace amapiano::audio
