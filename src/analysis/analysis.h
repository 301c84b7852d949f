// Analysis: everything `amapiano analyze` measures about one piece of audio, and which of it to measure.
//
//   Result<FeatureSet> features = FeatureSet::Parse("tempo,key");   // or "all"
//   Analysis a = ...;              // from Analyzer (analyzer.h) or pipeline::AnalyzeFile
//   if (a.has_tempo) Use(a.bpm);
//
// Fields of features that were not requested keep their defaults; `features` says which are real.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/harmony.h"
#include "analysis/log_drum.h"
#include "analysis/loudness_meter.h"
#include "analysis/sections.h"
#include "analysis/spectral_features.h"
#include "core/error.h"

namespace amapiano::analysis {

enum class Feature : uint32_t {
    kTempo = 1u << 0,     // bpm, confidence, beats, downbeats
    kKey = 1u << 1,       // key, mode, confidence, tuning
    kLoudness = 1u << 2,  // EBU R128
    kOnsets = 1u << 3,    // onset times and rate
    kSpectral = 1u << 4,  // centroid, roll-off, flatness
    kBands = 1u << 5,     // energy per band
    kSwing = 1u << 6,     // swing of the 16th-note grid
    kLogDrum = 1u << 7,   // log drum presence
    kSections = 1u << 8,  // texture changes
    kHarmony = 1u << 9,   // chords: triads or extended
};

class FeatureSet final {
public:
    FeatureSet() = default;
    static FeatureSet All();
    // "all", or names separated by commas: tempo, key, loudness, onsets, spectral, bands, swing,
    // log_drum (or log-drum), sections, harmony. Errors: kInvalidArgument naming the unknown feature.
    static Result<FeatureSet> Parse(std::string_view text);

    bool Has(Feature f) const { return (bits_ & uint32_t(f)) != 0; }
    FeatureSet& Add(Feature f) {
        bits_ |= uint32_t(f);
        return *this;
    }
    bool operator==(const FeatureSet&) const = default;

    // Stages the requested features depend on.
    bool NeedsRhythm() const;    // tempo, onsets, swing, log drum, sections, harmony (bar lines)
    bool NeedsSpectral() const;  // spectral, bands, log drum, sections
    bool NeedsFrames() const;    // anything but loudness

private:
    uint32_t bits_ = 0;
};

struct Analysis final {
    FeatureSet features;
    double duration_s = 0.0;
    int sample_rate_hz = 0;
    int channels = 0;

    bool has_tempo = false;
    double bpm = 0.0;
    double bpm_confidence = 0.0;
    std::vector<double> beats_s;
    std::vector<double> downbeats_s;

    bool has_key = false;
    std::string key;   // tonic, e.g. "F#", "Eb" (theory::PitchClassName)
    std::string mode;  // "major" | "minor"
    double key_confidence = 0.0;
    double tuning_hz = 440.0;

    LoudnessResult loudness;

    std::vector<double> onset_times_s;
    double onset_rate_hz = 0.0;

    SpectralSummary spectral;
    BandEnergies bands;

    double swing_ratio = 1.0;  // long:short of the 16th pairs; 1 = straight, 2 = triplet feel
    double swing_confidence = 0.0;
    double sixteenth_coverage = 0.0;  // share of 16th slots with a shaker/hat hit (with swing)

    LogDrumResult log_drum;
    std::vector<Section> sections;
    HarmonyResult harmony;
};

// Swing as the generator's --swing percentage: the first 16th's share of each 8th (50 = straight).
double SwingPercent(double swing_ratio);

}  // namespace amapiano::analysis
