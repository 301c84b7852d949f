#include "cli/analyze_command.h"

#include <cstdio>
#include <iostream>

#include "cli/exit_codes.h"
#include "pipeline/analysis_json.h"
#include "pipeline/analyze_file.h"

namespace amapiano::cli {
namespace {

using analysis::Feature;

void PrintTable(const std::string& file, const pipeline::FileAnalysis& result) {
    const analysis::Analysis& a = result.analysis;
    const analysis::FeatureSet& f = a.features;
    std::printf("%s: %.1f s, %d Hz, %d channel%s (%s)\n", file.c_str(), a.duration_s, a.sample_rate_hz,
                a.channels, a.channels == 1 ? "" : "s", result.codec.c_str());
    if (f.Has(Feature::kTempo)) {
        if (a.has_tempo) {
            std::printf("  tempo     %.1f BPM (confidence %.2f), %zu beats, %zu downbeats\n", a.bpm,
                        a.bpm_confidence, a.beats_s.size(), a.downbeats_s.size());
        } else {
            std::printf("  tempo     none (no steady beat)\n");
        }
    }
    if (f.Has(Feature::kKey)) {
        if (a.has_key) {
            std::printf("  key       %s %s (confidence %.2f, tuning A=%.1f Hz)\n", a.key.c_str(),
                        a.mode.c_str(), a.key_confidence, a.tuning_hz);
        } else {
            std::printf("  key       none (no tonal content)\n");
        }
    }
    if (f.Has(Feature::kLoudness)) {
        std::printf(
            "  loudness  %.1f LUFS integrated, range %.1f LU, true peak %.1f dBTP, max momentary %.1f, "
            "max short-term %.1f LUFS\n",
            a.loudness.integrated_lufs, a.loudness.range_lu, a.loudness.true_peak_dbtp,
            a.loudness.momentary_max_lufs, a.loudness.short_term_max_lufs);
    }
    if (f.Has(Feature::kOnsets)) {
        std::printf("  onsets    %zu (%.2f per second)\n", a.onset_times_s.size(), a.onset_rate_hz);
    }
    if (f.Has(Feature::kSpectral)) {
        std::printf("  spectrum  centroid %.0f Hz, roll-off %.0f Hz, flatness %.3f\n", a.spectral.centroid_hz,
                    a.spectral.rolloff_hz, a.spectral.flatness);
    }
    if (f.Has(Feature::kBands)) {
        std::printf("  bands     sub %.0f%%, low %.0f%%, low-mid %.0f%%, mid %.0f%%, high %.0f%%\n",
                    100 * a.bands.sub, 100 * a.bands.low, 100 * a.bands.low_mid, 100 * a.bands.mid,
                    100 * a.bands.high);
    }
    if (f.Has(Feature::kSwing)) {
        std::printf("  swing     %.2f (%.1f%%, confidence %.2f), 16ths on %.0f%% of the grid\n",
                    a.swing_ratio, analysis::SwingPercent(a.swing_ratio), a.swing_confidence,
                    100 * a.sixteenth_coverage);
    }
    if (f.Has(Feature::kLogDrum)) {
        std::printf("  log drum  %s (confidence %.2f, %.1f hits per bar in %.0f%% of bars)\n",
                    a.log_drum.present ? "present" : "absent", a.log_drum.confidence, a.log_drum.hits_per_bar,
                    100 * a.log_drum.bar_coverage);
    }
    if (f.Has(Feature::kHarmony)) {
        std::printf("  harmony   chords on %.0f%% of the beats, %.0f%% of them extended (7th/9th/11th)\n",
                    100 * a.harmony.tonal_share, 100 * a.harmony.extended_share);
    }
    if (f.Has(Feature::kSections)) {
        for (const analysis::Section& s : a.sections) {
            std::printf("  section   %6.1f-%6.1f s  bar %3d +%-3d %s\n", s.start_s, s.end_s, s.start_bar + 1,
                        s.bars, s.label.c_str());
        }
    }
}

}  // namespace

void PrintFileError(std::string_view command, const std::string& file, const Error& error, bool json) {
    if (json) {
        std::cout << pipeline::AnalysisErrorJson(file, error).dump() << "\n";
    } else {
        std::cerr << "amapiano " << command << ": " << file << ": " << error.message << " ("
                  << ErrorCodeName(error.code) << ")\n";
    }
    std::cout.flush();
}

CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeFlags& flags) {
    CLI::App* cmd =
        app.add_subcommand("analyze", "Measure tempo, beats, key, loudness and features of audio files");
    cmd->add_option("files", flags.files, "Audio files (WAV, AIFF, FLAC, OGG, Opus, MP3, AAC/M4A, MP4/MOV)")
        ->required();
    cmd->add_option("--features", flags.features,
                    "all, or a comma-separated list of tempo, key, loudness, onsets, spectral, bands, swing, "
                    "log_drum, sections, harmony");
    cmd->add_flag("--json", flags.json, "One JSON object per file, one per line");
    cmd->add_flag("--timings", flags.timings, "Add the time each file took (decode, analysis) to the output");
    return cmd;
}

int RunAnalyze(const AnalyzeFlags& flags) {
    auto features = analysis::FeatureSet::Parse(flags.features);
    if (!features) {
        std::cerr << "amapiano analyze: --features: " << features.error().message << "\n";
        return kExitUsageError;
    }
    int exit_code = kExitOk;
    for (const std::string& file : flags.files) {
        auto result = pipeline::AnalyzeFile(file, *features);
        if (!result) {
            exit_code = kExitRuntimeError;
            PrintFileError("analyze", file, result.error(), flags.json);
            continue;
        }
        if (flags.json) {
            nlohmann::json out = pipeline::AnalysisJson(file, result->analysis);
            if (flags.timings) {
                out["timings"] = {{"total_s", result->timings.total_s},
                                  {"decode_s", result->timings.decode_s},
                                  {"analyse_s", result->timings.analyse_s}};
            }
            std::cout << out.dump() << "\n";
        } else {
            PrintTable(file, *result);
            if (flags.timings) {
                std::printf("  time      %.3f s (decode %.3f s, analysis %.3f s)\n", result->timings.total_s,
                            result->timings.decode_s, result->timings.analyse_s);
            }
        }
        std::cout.flush();
        std::fflush(stdout);
    }
    return exit_code;
}

}  // namespace amapiano::cli
