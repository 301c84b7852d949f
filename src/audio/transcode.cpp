#include "audio/transcode.h"

#include <vector>

#include "audio/audio_decoder.h"

namespace amapiano::audio {

Status TranscodeAudioFile(const std::filesystem::path& source, const std::filesystem::path& destination,
                          AudioFormat format) {
    auto decoder = AudioDecoder::Open(source);
    if (!decoder) return decoder.error();
    const AudioStreamInfo& info = (*decoder)->info();
    auto writer = AudioFileWriter::Open(destination, format, info.sample_rate_hz, info.channels);
    if (!writer) return writer.error();
    std::vector<float> block(size_t(8192) * size_t(info.channels));
    while (true) {
        Result<size_t> frames = (*decoder)->Read(block);
        if (!frames) return frames.error();
        if (*frames == 0) break;
        if (Status s = (*writer)->Write(std::span<const float>(block).first(*frames * size_t(info.channels)));
            !s) {
            return s;
        }
    }
    return (*writer)->Commit();
}

}  // namespace amapiano::audio
