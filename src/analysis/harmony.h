// Harmony: what kind of chords a track plays — none (drums, a drone, a single melody line), plain
// triads, or the extended 7th/9th/11th chords that give amapiano (and house, jazz, gospel) its colour.
//
// HarmonyAnalyzer keeps a 12-bin harmonic pitch-class profile (HpcpAccumulator, sub-harmonics folded
// into their fundamentals) of every ~0.5 s block of the shared spectrum. Finish() averages the blocks
// into segments — the bars, when the downbeats are known — and fits each segment's profile to chord
// templates on all 12 roots (FitChord): triads (major, minor, suspended, diminished, augmented) and
// extended chords (maj7, 7, m7, m7b5, 7sus4, add9, 9ths, 11ths). A segment is *tonal* when a chord
// explains its profile well (cosine similarity >= kTonalSimilarity), and *extended* when the best
// extended chord beats the best triad.
//
//   HarmonyAnalyzer harmony;
//   SpectralFrames stft([&](const SpectrumView& s) { harmony.AddFrame(s); });
//   ...
//   HarmonyResult h = harmony.Finish(rhythm.downbeats_s, duration_s);
//   h.extended_share   // 0.8 for a track of m9/maj7 chords, ~0 for triads, 0 when nothing is tonal
//
// Memory: 48 bytes per 0.5 s (an hour: 350 KB). Thread: one instance per thread.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "analysis/hpcp.h"
#include "analysis/spectral_frames.h"

namespace amapiano::analysis {

// A chord explains a segment's pitch-class profile when their cosine similarity reaches this.
inline constexpr double kTonalSimilarity = 0.85;

struct ChordFit final {
    int root = 0;                      // pitch class, 0 = C
    std::string quality;               // "maj", "m", "sus4", "dim", "aug", "maj7", "7", "m7", "m9", ...
    int tones = 0;                     // notes in the chord
    bool extended = false;             // a 7th, 9th or 11th chord
    double similarity = 0.0;           // cosine similarity of the best chord (any kind) with the profile
    double triad_similarity = 0.0;     // of the best triad
    double extended_similarity = 0.0;  // of the best extended chord
};

// The chord that best explains `chroma` (index 0 = C, any scale). An all-zero profile gives
// similarity 0.
ChordFit FitChord(const std::array<double, 12>& chroma);

struct HarmonyResult final {
    int segments = 0;             // bars (or blocks) with sound
    double tonal_share = 0.0;     // share of those whose profile a chord explains
    double extended_share = 0.0;  // share of the tonal ones whose best chord is extended (7th/9th/11th)
    double mean_tones = 0.0;      // mean number of notes of the best chords of the tonal segments
};

class HarmonyAnalyzer final {
public:
    HarmonyAnalyzer();
    void AddFrame(const SpectrumView& frame);

    // Segments start at `segment_starts_s` (the downbeats; the audio before the first one is a
    // segment of its own when it is longer than a block); without at least two starts, 2-second
    // segments.
    HarmonyResult Finish(std::span<const double> segment_starts_s, double duration_s) const;

    // Mean profile of the blocks whose centres lie in [start_s, end_s), maximum 1 (zero: silence).
    std::array<double, 12> ChromaBetween(double start_s, double end_s) const;

private:
    void CloseBlock();

    HpcpAccumulator block_;
    int frames_in_block_ = 0;
    std::vector<std::array<float, 12>> blocks_;
};

}  // namespace amapiano::analysis
