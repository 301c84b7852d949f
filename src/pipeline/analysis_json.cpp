#include "pipeline/analysis_json.h"

#include <cmath>

#include "pipeline/json_numbers.h"

namespace amapiano::pipeline {
namespace {

using analysis::Feature;
using nlohmann::json;

json Times(const std::vector<double>& seconds) {
    json out = json::array();
    for (double t : seconds) out.push_back(Round(t, 3));
    return out;
}

}  // namespace

json AnalysisJson(const std::string& file, const analysis::Analysis& a) {
    const analysis::FeatureSet& f = a.features;
    json out;
    out["file"] = file;
    out["duration_s"] = Round(a.duration_s, 3);
    out["sample_rate_hz"] = a.sample_rate_hz;
    out["channels"] = a.channels;
    if (f.Has(Feature::kTempo)) {
        out["bpm"] = a.has_tempo ? json(Round(a.bpm, 2)) : json(nullptr);
        out["bpm_confidence"] = Round(a.bpm_confidence, 3);
        out["beats_s"] = Times(a.beats_s);
        out["downbeats_s"] = Times(a.downbeats_s);
    }
    if (f.Has(Feature::kKey)) {
        out["key"] = a.has_key ? json(a.key) : json(nullptr);
        out["mode"] = a.has_key ? json(a.mode) : json(nullptr);
        out["key_confidence"] = Round(a.key_confidence, 3);
        out["tuning_hz"] = Round(a.tuning_hz, 1);
    }
    if (f.Has(Feature::kLoudness)) {
        out["loudness"] = {
            {"integrated_lufs", Round(a.loudness.integrated_lufs, 2)},
            {"range_lu", Round(a.loudness.range_lu, 2)},
            {"true_peak_dbtp", Round(a.loudness.true_peak_dbtp, 2)},
            {"momentary_max_lufs", Round(a.loudness.momentary_max_lufs, 2)},
            {"short_term_max_lufs", Round(a.loudness.short_term_max_lufs, 2)},
        };
    }
    if (f.Has(Feature::kOnsets)) {
        out["onsets_s"] = Times(a.onset_times_s);
        out["onset_rate_hz"] = Round(a.onset_rate_hz, 3);
    }
    if (f.Has(Feature::kSpectral)) {
        out["spectral"] = {{"centroid_hz", Round(a.spectral.centroid_hz, 1)},
                           {"rolloff_hz", Round(a.spectral.rolloff_hz, 1)},
                           {"flatness", Round(a.spectral.flatness, 4)}};
    }
    if (f.Has(Feature::kBands)) {
        out["bands"] = {{"sub", Round(a.bands.sub, 4)},
                        {"low", Round(a.bands.low, 4)},
                        {"low_mid", Round(a.bands.low_mid, 4)},
                        {"mid", Round(a.bands.mid, 4)},
                        {"high", Round(a.bands.high, 4)}};
    }
    if (f.Has(Feature::kSwing)) {
        out["swing"] = Round(a.swing_ratio, 3);
        out["swing_percent"] = Round(analysis::SwingPercent(a.swing_ratio), 1);
        out["swing_confidence"] = Round(a.swing_confidence, 3);
        out["sixteenth_coverage"] = Round(a.sixteenth_coverage, 3);
    }
    if (f.Has(Feature::kLogDrum)) {
        out["log_drum"] = {{"present", a.log_drum.present},
                           {"confidence", Round(a.log_drum.confidence, 3)},
                           {"hits_per_bar", Round(a.log_drum.hits_per_bar, 2)},
                           {"bar_coverage", Round(a.log_drum.bar_coverage, 3)},
                           {"median_pitch_hz", Round(a.log_drum.median_pitch_hz, 1)},
                           {"decay_s", Round(a.log_drum.decay_s, 3)}};
    }
    if (f.Has(Feature::kSections)) {
        json sections = json::array();
        for (const analysis::Section& s : a.sections) {
            sections.push_back({{"start_s", Round(s.start_s, 3)},
                                {"end_s", Round(s.end_s, 3)},
                                {"start_bar", s.start_bar},
                                {"bars", s.bars},
                                {"label", s.label}});
        }
        out["sections"] = std::move(sections);
    }
    if (f.Has(Feature::kHarmony)) {
        out["harmony"] = {{"tonal_share", Round(a.harmony.tonal_share, 3)},
                          {"extended_share", Round(a.harmony.extended_share, 3)},
                          {"mean_chord_tones", Round(a.harmony.mean_tones, 2)}};
    }
    return out;
}

json AnalysisErrorJson(const std::string& file, const Error& error) {
    return {{"file", file},
            {"error", {{"code", std::string(ErrorCodeName(error.code))}, {"message", error.message}}}};
}

}  // namespace amapiano::pipeline
