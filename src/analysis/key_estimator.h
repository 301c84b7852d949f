// KeyEstimator: the key (tonic and mode), its confidence and the tuning of a whole signal, streamed
// frame by frame from SpectralFrames.
//
// The method is that of Essentia's KeyExtractor: spectral peaks -> tuning-aware harmonic pitch-class
// profile (HpcpAccumulator, frames scaled to unit maximum and summed) -> correlation with the 24
// rotations of Faraldo's electronic-dance-music key profiles ("edma", key_profiles.h). One addition:
// the score blends in the correlation with each key's diatonic collection (scale_weight), which
// keeps jazz voicings (maj9, m9, 11ths) from pulling major keys to their dominant. Only every
// frame_stride-th frame is analysed (a 46 ms hop by default): 5-12 ms of work per minute of audio
// on top of the shared STFT (Essentia.js's KeyExtractor: ~250 ms per minute on the same machine).
//
//   KeyEstimator key;
//   SpectralFrames stft([&](const SpectrumView& s) { key.AddFrame(s); });
//   stft.Push(mono);  stft.Finish();
//   KeyEstimate k = key.Finish();   // k.has_key, k.tonic_pc (0 = C), k.mode, k.confidence, k.tuning_hz
//
// Silence, or less than half a second of sound, gives has_key = false. Confidence is in [0, 1]: high
// when the chroma is strongly shaped, fits the winning key and beats every other key clearly; noise
// scores below 0.01, whole amapiano tracks 0.9 on average, and below ~0.3 the key is a guess
// (typically the relative, dominant or subdominant key comes a close second).
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
    double confidence = 0.0;          // 0 .. 1
    double tuning_hz = 440.0;         // estimated reference A4
    std::array<double, 12> chroma{};  // mean HPCP, index 0 = C, maximum 1 (all zero for silence)
};

struct KeyEstimatorOptions final {
    KeyProfileType profile = KeyProfileType::kEdma;
    double scale_weight = 1.0;  // weight of the key-signature term in RankKeys (0: as Essentia)
    int frame_stride = 4;       // analyse frames 0, stride, 2 * stride, ...
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
