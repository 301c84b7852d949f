#include "pipeline/report_json.h"

#include <cmath>

#include "pipeline/json_numbers.h"
#include "pipeline/validation_json.h"

namespace amapiano::pipeline {

nlohmann::json SpecJson(const compose::Score& score, const prompt::PromptReading& reading) {
    nlohmann::json instruments = nlohmann::json::array();
    for (const compose::Track& track : score.tracks)
        instruments.push_back(compose::InstrumentName(track.instrument));
    nlohmann::json spec = {
        {"prompt",
         {{"text", score.spec.prompt}, {"understood", reading.understood}, {"ignored", reading.ignored}}},
        {"subgenre", compose::SubgenreName(score.subgenre)},
        {"bpm", score.bpm},
        {"key", theory::KeyName(score.key)},
        {"tonic", theory::TonicName(score.key)},
        {"mode", theory::ModeName(score.key.mode)},
        {"bars", score.bars},
        {"seconds", Round(score.bars * compose::kBeatsPerBar * score.SecondsPerBeat(), 3)},
        {"seed", score.spec.seed},
        {"loop", score.is_loop ? nlohmann::json(compose::LoopPartName(score.loop)) : nlohmann::json(nullptr)},
        {"swing_percent", Round(score.swing_percent, 2)},
        {"mood", score.spec.mood},
        {"instruments", instruments},
    };
    if (score.spec.energy) spec["energy"] = *score.spec.energy;
    return spec;
}

nlohmann::json SectionsJson(const compose::Score& score) {
    nlohmann::json sections = nlohmann::json::array();
    const double bar_s = compose::kBeatsPerBar * score.SecondsPerBeat();
    for (const compose::Section& section : score.sections) {
        sections.push_back({{"name", section.name},
                            {"start_bar", section.start_bar + 1},
                            {"end_bar", section.start_bar + section.bars},
                            {"bars", section.bars},
                            {"start_s", Round(section.start_bar * bar_s, 3)},
                            {"end_s", Round((section.start_bar + section.bars) * bar_s, 3)},
                            {"energy", Round(section.energy, 2)}});
    }
    return sections;
}

nlohmann::json GenerationJson(const compose::Score& score, const prompt::PromptReading& reading,
                              const RenderReport& report, double compose_s,
                              const GenerationValidation* validation) {
    nlohmann::json files = nlohmann::json::array();
    for (const WrittenFile& file : report.files) {
        nlohmann::json entry = {{"role", file.role}, {"path", file.path.string()}, {"format", file.format}};
        if (!file.instrument.empty()) entry["instrument"] = file.instrument;
        files.push_back(entry);
    }
    nlohmann::json progression = nlohmann::json::array();
    for (const compose::ChordSpan& chord : score.harmony) {
        if (chord.start_beats >= score.bars * compose::kBeatsPerBar) break;
        progression.push_back({{"bar", static_cast<int>(chord.start_beats / compose::kBeatsPerBar) + 1},
                               {"beats", chord.duration_beats},
                               {"chord", chord.symbol}});
    }
    const double render_s = report.timings.total_s;
    nlohmann::json out = {
        {"spec", SpecJson(score, reading)},
        {"sections", SectionsJson(score)},
        {"harmony", progression},
        {"files", files},
        {"duration_s", Round(report.duration_s, 3)},
        {"sample_rate_hz", report.sample_rate_hz},
        {"frames", report.frames},
        {"loudness",
         {{"integrated_lufs", Round(report.master.integrated_lufs, 2)},
          {"true_peak_dbtp", Round(report.master.true_peak_dbtp, 2)},
          {"gain_db", Round(report.master.gain_db, 2)}}},
        {"render_time_s", Round(compose_s + render_s, 4)},
        {"realtime_factor", render_s > 0 ? Round(report.duration_s / (compose_s + render_s), 1) : 0.0},
        {"timings_s",
         {{"compose", Round(compose_s, 4)},
          {"synth", Round(report.timings.synth_s, 4)},
          {"mix", Round(report.timings.mix_s, 4)},
          {"master", Round(report.timings.master_s, 4)},
          {"encode", Round(report.timings.encode_s, 4)},
          {"stems_background", Round(report.timings.background_encode_s, 4)}}},
    };
    if (validation != nullptr) {
        nlohmann::json v = ValidationJson(validation->report);
        v["path"] = validation->path.string();
        out["validation"] = std::move(v);
        out["files"].push_back(
            {{"role", "validation"}, {"path", validation->path.string()}, {"format", "json"}});
        out["timings_s"]["validate_analysis"] = Round(validation->timings.analysis.total_s, 4);
        out["timings_s"]["validate_scoring"] = Round(validation->timings.validate_s, 4);
    }
    return out;
}

}  // namespace amapiano::pipeline
