// JSON view of an analysis: the object `amapiano analyze --json` prints (one per line) and that
// analysis jobs will store. Only the requested features appear; `file`, `duration_s`,
// `sample_rate_hz` and `channels` always do. Times in seconds rounded to the millisecond.
//
//   {"file": "a.mp3", "duration_s": 183.2, "sample_rate_hz": 44100, "channels": 2,
//    "bpm": 112.0, "bpm_confidence": 0.93, "beats_s": [...], "downbeats_s": [...],
//    "key": "F#", "mode": "minor", "key_confidence": 0.81, "tuning_hz": 440.1,
//    "loudness": {"integrated_lufs", "range_lu", "true_peak_dbtp", "momentary_max_lufs",
//    "short_term_max_lufs"}, "onsets_s": [...], "onset_rate_hz": 7.9, "spectral": {"centroid_hz",
//    "rolloff_hz", "flatness"}, "bands": {"sub", "low", "low_mid", "mid", "high"}, "swing": 1.27,
//    "swing_percent": 56.0, "swing_confidence": 0.7, "sixteenth_coverage": 0.9, "log_drum": {"present",
//    "confidence", "hits_per_bar", "bar_coverage", "median_pitch_hz"}, "sections": [{"start_s", "end_s",
//    "start_bar", "bars", "label"}], "harmony": {"tonal_share", "extended_share", "mean_chord_tones"}}
//
// `bpm` and `key`/`mode` are null when there is no tempo or no key (silence, noise).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analysis/analysis.h"
#include "core/error.h"

namespace amapiano::pipeline {

nlohmann::json AnalysisJson(const std::string& file, const analysis::Analysis& analysis);

// {"file": ..., "error": {"code": "corrupt_data", "message": "..."}}
nlohmann::json AnalysisErrorJson(const std::string& file, const Error& error);

}  // namespace amapiano::pipeline
