// OnsetStrength: how much new sound starts in each frame, per frequency band — the input of every
// rhythm stage (tempo, beats, downbeats, onsets, swing).
//
// For every SpectralFrames frame it takes the central 1024 samples (46 ms, sharper in time than the
// shared 93 ms spectrum), computes a log-compressed magnitude spectrum log(1 + 1000 |X|) and its
// half-wave-rectified rise over the previous frame, against a 3-bin maximum of the previous frame so
// that vibrato and the log drum's pitch glides do not count as new notes (Böck & Widmer's SuperFlux).
// The rises are summed in kOnsetBands log-spaced bands (multi-band spectral flux, as in Klapuri and
// Böck). It also keeps a 12-bin chroma of the shared spectrum (uint8, with its level) for the
// downbeat finder's chord-change cue. That is 44 bytes per frame: an hour costs ~14 MB.
//
//   OnsetStrength onsets;
//   SpectralFrames stft([&](const SpectrumView& s) { onsets.AddFrame(s); });
//   ...
//   OnsetEnvelopes env = onsets.Envelopes();   // env.all drives tempo and beats, env.low the kick register
//   std::vector<double> at = PickOnsets(env.all);  // frame positions; FrameTimeSeconds-compatible
//
// Envelope frame i describes frame i of SpectralFrames; a percussive onset peaks at its own frame
// (the detection latency is compensated in the positions PickOnsets returns, kOnsetLatencyFrames).
// Thread: one instance per thread.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "analysis/spectral_frames.h"

namespace amapiano::analysis {

inline constexpr int kOnsetBands = 7;
// Band edges in Hz: band 0 is the kick / log drum register, the last two the shakers and hats.
inline constexpr std::array<double, kOnsetBands + 1> kOnsetBandEdgesHz = {20.0,   150.0,  300.0,  600.0,
                                                                          1200.0, 2400.0, 4800.0, 11025.0};
inline constexpr int kHighOnsetFirstBand = 5;  // bands >= this make the "high" envelope (> 2.4 kHz)

// Where, relative to its frame index, an envelope peak's onset really is (frames). Measured: hats
// peak 1 ms early, synthetic kicks 6 ms early (the low band rises as soon as the hit enters the
// window), shakers 2 ms late, the generator's mixes' beats 1.5 ms late: no correction.
inline constexpr double kOnsetLatencyFrames = 0.0;

struct OnsetFrame final {
    std::array<float, kOnsetBands> band_flux{};  // summed log-magnitude rise per band (>= 0)
    std::array<uint8_t, 12> chroma{};            // pitch classes C..B, 255 = the frame's strongest
    uint8_t chroma_level = 0;                    // the strongest class's level: 0 = -120 dB .. 240 = 0 dB

    // The chroma with its level restored (linear amplitude; the strongest class = the level).
    float ChromaWeight() const { return std::pow(10.0f, (chroma_level * 0.5f - 120.0f) / 20.0f) / 255.0f; }
};

struct OnsetEnvelopes final {
    std::vector<float> all;   // every band, each normalised to its track mean (multi-band onset strength)
    std::vector<float> low;   // band 0 (< 150 Hz), normalised to its mean
    std::vector<float> high;  // bands >= kHighOnsetFirstBand (> 2.4 kHz), normalised to their mean
    bool silent = true;       // no band ever rose measurably: nothing to analyse
};

class OnsetStrength final {
public:
    OnsetStrength();
    ~OnsetStrength();
    OnsetStrength(OnsetStrength&&) noexcept;
    OnsetStrength& operator=(OnsetStrength&&) noexcept;

    void AddFrame(const SpectrumView& frame);

    const std::vector<OnsetFrame>& frames() const { return frames_; }
    // Per-frame envelopes, normalised so that level and mix balance do not matter: each band is
    // divided by its mean over the track (bands far quieter than the loudest are not boosted).
    OnsetEnvelopes Envelopes() const;

private:
    struct Fft;
    std::unique_ptr<Fft> fft_;
    std::vector<float> previous_;  // log magnitudes of the previous frame
    std::vector<float> current_;
    std::vector<OnsetFrame> frames_;
};

// Onsets: local maxima of `envelope` (within ±3 frames, so at least ~35 ms apart) that rise above the
// moving mean of the surrounding ~0.2 s by `threshold` (in units of the envelope's track mean).
// Returns sub-frame positions (parabolic interpolation, latency compensated), ascending.
std::vector<double> PickOnsets(std::span<const float> envelope, double threshold = 0.6);

}  // namespace amapiano::analysis
