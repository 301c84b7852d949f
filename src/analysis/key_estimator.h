// KeyEstimator: the key (tonic and mode), its confidence and the tuning of a whole signal, streamed
// frame by frame from SpectralFrames.
//
// The method is that of Essentia's KeyExtractor: spectral peaks -> tuning-aware harmonic pitch-class
// profile (HpcpAccumulator, averaged over the non-silent frames) -> correlation with the 24 rotations
// of a pair of key profiles (key_profiles.h; by default Faraldo's electronic-dance-music "edma"
// profiles). Only every options.frame_stride-th frame is analysed (a 46 ms hop by default), which
// costs a few milliseconds per minute of audio.
//
//   KeyEstimator key;
//   SpectralFrames stft([&](const SpectrumView& s) { key.AddFrame(s); });
//   stft.Push(mono);  stft.Finish();
//   KeyEstimate k = key.Finish();   // k.has_key, k.tonic_pc (0 = C), k.mode, k.confidence, k.tuning_hz
//
// Silence, or too little sound to judge, gives has_key = false. Confidence is in [0, 1]: it is high
// when the chroma is strongly shaped, correlates well with the winning key and clearly better than
// with any other key; noise and atonal material score near 0, and below ~0.3 the key is a guess.
// Memory: O(1) whatever the length of the signal. Thread: one instance per thread.
#pragma once

#include <array>
#include <cstdint>

#include "analysis/hpcp.h"
#include "analysis/key_profiles.h"
#include "analysis/spectral_frames.h"
#include "theory/key.h"

namespace amapiano::analysis {

struct KeyEstimate final {
    bool has_key = false;
    int tonic_pc = 0;  // 0 = C .. 11 = B
    theory::Mode mode = theory::Mode::kMajor;
    double confidence = 0.0;        // 0 .. 1
    double tuning_hz = 440.0;       // estimated reference A4
    std::array<double, 12> chroma{};  // mean HPCP, index 0 = C, maximum 1 (all zero for silence)
};

struct KeyEstimatorOptions final {
    KeyProfileType profile = KeyProfileType::kEdma;
    int frame_stride = 4;  // analyse frames 0, stride, 2 * stride, ...
    double pcp_threshold = 0.0;  // chroma values below this (of the maximum) are zeroed before matching
    HpcpOptions hpcp;
};

class KeyEstimator final {
public:
    KeyEstimator() : KeyEstimator(KeyEstimatorOptions{}) {}
    explicit KeyEstimator(const KeyEstimatorOptions& options);

    void AddFrame(const SpectrumView& frame);
    KeyEstimate Finish() const;

private:
    KeyEstimatorOptions options_;
    HpcpAccumulator hpcp_;
};

}  // namespace amapiano::analysis
