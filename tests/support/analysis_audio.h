// Decodes a file with the product's own decoder and resampler into what the analysers take: mono at
// kAnalysisRateHz. For analysis tests on the shared reference recordings.
//
//   std::vector<float> mono = LoadForAnalysis(EssentiaAudio("recorded/flamenco.flac"));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <span>
#include <vector>

#include "analysis/spectral_frames.h"
#include "audio/audio_decoder.h"
#include "audio/mono_resampler.h"

namespace amapiano::testing_support {

inline std::vector<float> LoadForAnalysis(const std::filesystem::path& path) {
    auto decoder = audio::AudioDecoder::Open(path);
    if (!decoder) {
        ADD_FAILURE() << decoder.error().message;
        return {};
    }
    const int channels = (*decoder)->info().channels;
    auto resampler =
        audio::MonoResampler::Create((*decoder)->info().sample_rate_hz, channels, analysis::kAnalysisRateHz);
    if (!resampler) {
        ADD_FAILURE() << resampler.error().message;
        return {};
    }
    std::vector<float> block(4096 * size_t(channels)), mono;
    while (true) {
        auto frames = (*decoder)->Read(block);
        if (!frames || *frames == 0) break;
        (*resampler)->Push(std::span(block).first(*frames * size_t(channels)), mono);
    }
    (*resampler)->Flush(mono);
    return mono;
}

}  // namespace amapiano::testing_support
