// Analyzer: streams one piece of audio through every requested analyser and assembles the Analysis.
//
// Two inputs, because loudness is measured on the audio as it is while everything else works on a
// mono 22.05 kHz version: PushSource() takes the decoded audio at its own rate and channel count
// (for the EBU R128 meter), PushMono() the downmixed, resampled signal (audio::MonoResampler) for the
// STFT-based analysers. The two may be pushed from different threads (each from one thread only);
// memory stays bounded whatever the length (a few floats per 11.6 ms frame).
//
//   auto analyzer = Analyzer::Create(FeatureSet::All(), 44100, 2);
//   (*analyzer)->PushSource(block);  (*analyzer)->PushMono(mono_block);  ...
//   Analysis a = (*analyzer)->Finish(source_frames);
#pragma once

#include <memory>
#include <span>

#include "analysis/analysis.h"
#include "core/error.h"

namespace amapiano::analysis {

class Analyzer final {
public:
    // Errors: kInvalidArgument for a rate or channel count that cannot be analysed.
    static Result<std::unique_ptr<Analyzer>> Create(FeatureSet features, int source_rate_hz, int channels);
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    bool wants_source() const;  // loudness requested
    bool wants_mono() const;    // any frame-based feature requested

    void PushSource(std::span<const float> interleaved);
    void PushMono(std::span<const float> mono);
    // `source_frames`: how many frames were decoded (the duration). Call once.
    Analysis Finish(int64_t source_frames);

private:
    struct Parts;
    explicit Analyzer(std::unique_ptr<Parts> parts);
    std::unique_ptr<Parts> parts_;
};

}  // namespace amapiano::analysis
