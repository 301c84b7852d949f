// AnalyzeFile: decode any audio file and analyse it, streaming, with bounded memory.
//
// The decoder (audio::AudioDecoder, FFmpeg) reads blocks at the file's own rate and channel count;
// each block goes to the loudness meter on a second thread and, downmixed and resampled to
// 22.05 kHz (audio::MonoResampler), to the frame-based analysers on this one. An hour-long mix is
// never held in memory: only the per-frame summaries the analysers keep.
//
//   Result<analysis::Analysis> a = AnalyzeFile("mix.mp3", analysis::FeatureSet::All());
//   if (!a) report(a.error());   // kNotFound, kInvalidArgument (a directory), kCorruptData, ...
//
// Also timings, for the benchmark and --json.
#pragma once

#include <filesystem>

#include "analysis/analysis.h"
#include "core/error.h"

namespace amapiano::pipeline {

struct AnalysisTimings final {
    double total_s = 0.0;
    double decode_s = 0.0;   // decoding + resampling (this thread)
    double analyse_s = 0.0;  // STFT analysers while streaming + the final stages
};

struct FileAnalysis final {
    analysis::Analysis analysis;
    AnalysisTimings timings;
    std::string codec;  // as FFmpeg names it, e.g. "mp3", "flac", "aac"
    std::string container;
};

Result<FileAnalysis> AnalyzeFile(const std::filesystem::path& path, analysis::FeatureSet features);

}  // namespace amapiano::pipeline
