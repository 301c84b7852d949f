#include "jobs/generation_job.h"

#include <cmath>
#include <set>

#include "audio/transcode.h"
#include "compose/composer.h"
#include "core/clock.h"
#include "core/text.h"
#include "pipeline/analysis_json.h"
#include "pipeline/render_track.h"
#include "pipeline/report_json.h"
#include "pipeline/validate_generation.h"
#include "pipeline/validation_json.h"
#include "store/checksum.h"
#include "theory/key.h"

namespace amapiano::jobs {
namespace {

using nlohmann::json;

constexpr size_t kMaxPromptBytes = 2000;
constexpr double kMaxSeconds = 3600.0;

Error FieldError(std::string_view field, std::string_view must) {
    return Error::InvalidArgument(std::string(field) + " must be " + std::string(must));
}

std::string Number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", v);
    return buf;
}

Result<double> NumberIn(const json& value, std::string_view field, double lo, double hi) {
    if (!value.is_number()) return FieldError(field, "a number");
    const double v = value.get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) {
        return FieldError(field, "a number between " + Number(lo) + " and " + Number(hi));
    }
    return v;
}

Result<std::string> Text(const json& value, std::string_view field) {
    if (!value.is_string()) return FieldError(field, "a string");
    return value.get<std::string>();
}

// A scratch folder removed when the job is done, whatever happens.
struct ScratchDir final {
    std::filesystem::path path;
    ~ScratchDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
};

std::string MimeFormat(const std::string& ext) { return ext == "mid" ? "midi" : ext; }

}  // namespace

Result<GenerationParams> ParseGenerationParams(const json& body) {
    if (!body.is_object()) return Error::InvalidArgument("the request body must be a JSON object");
    static const std::set<std::string> kKnown = {"prompt", "subgenre", "bpm",  "key",     "bars",  "seconds",
                                                 "seed",   "swing",    "loop", "formats", "stems", "midi"};
    for (const auto& [name, value] : body.items()) {
        if (!kKnown.contains(name)) return Error::InvalidArgument("unknown field '" + name + "'");
    }
    GenerationParams p;
    compose::GenerationSpec& spec = p.spec;
    auto has = [&](const char* name) { return body.contains(name) && !body.at(name).is_null(); };
    if (has("prompt")) {
        auto prompt = Text(body["prompt"], "prompt");
        if (!prompt) return prompt.error();
        if (prompt->size() > kMaxPromptBytes) return FieldError("prompt", "at most 2000 bytes long");
        spec.prompt = *prompt;
        p.reading = prompt::ReadPrompt(spec.prompt);
        prompt::ApplyReading(p.reading, spec);
    }
    if (has("subgenre")) {
        auto name = Text(body["subgenre"], "subgenre");
        if (!name) return name.error();
        auto subgenre = compose::ParseSubgenre(*name);
        if (!subgenre) return FieldError("subgenre", "one of classic, private-school, bacardi, sgija");
        spec.subgenre = *subgenre;
    }
    if (has("bpm")) {
        auto bpm = NumberIn(body["bpm"], "bpm", compose::kMinBpm, compose::kMaxBpm);
        if (!bpm) return bpm.error();
        spec.bpm = *bpm;
    }
    if (has("key")) {
        auto text = Text(body["key"], "key");
        if (!text) return text.error();
        auto key = theory::ParseKey(*text);
        if (!key) return Error::InvalidArgument("key: " + key.error().message);
        spec.key = *key;
    }
    if (has("loop")) {
        auto text = Text(body["loop"], "loop");
        if (!text) return text.error();
        auto part = compose::ParseLoopPart(*text);
        if (!part) return FieldError("loop", "one of log-drum, piano, drums, bass, full");
        spec.loop = *part;
    }
    if (has("bars") && has("seconds")) {
        return Error::InvalidArgument("give the length either as bars or as seconds, not both");
    }
    if (has("bars")) {
        const bool loop = spec.loop != compose::LoopPart::kNone;
        const int lo = loop ? compose::kMinLoopBars : compose::kMinTrackBars;
        const int hi = loop ? compose::kMaxLoopBars : compose::kMaxTrackBars;
        const json& bars = body["bars"];
        if (!bars.is_number_integer() || bars.get<int64_t>() < lo || bars.get<int64_t>() > hi) {
            return FieldError("bars",
                              "a whole number between " + std::to_string(lo) + " and " + std::to_string(hi));
        }
        spec.bars = bars.get<int>();
        spec.seconds.reset();
    }
    if (has("seconds")) {
        auto seconds = NumberIn(body["seconds"], "seconds", 1.0, kMaxSeconds);
        if (!seconds) return seconds.error();
        spec.seconds = *seconds;
        spec.bars.reset();
    }
    if (has("seed")) {
        const json& seed = body["seed"];
        if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0)) {
            return FieldError("seed", "a non-negative whole number");
        }
        spec.seed = seed.get<uint64_t>();
    }
    if (has("swing")) {
        auto swing = NumberIn(body["swing"], "swing", compose::kMinSwingPercent, compose::kMaxSwingPercent);
        if (!swing) return swing.error();
        spec.swing_percent = *swing;
    }
    p.formats = {"wav"};
    if (has("formats")) {
        const json& formats = body["formats"];
        if (!formats.is_array() || formats.empty() || formats.size() > 4) {
            return FieldError("formats", "a list of one to four of wav, flac, mp3, ogg");
        }
        p.formats.clear();
        for (const json& f : formats) {
            if (!f.is_string()) return FieldError("formats", "a list of strings: wav, flac, mp3, ogg");
            const std::string name = f.get<std::string>();
            if (name != "wav" && name != "flac" && name != "mp3" && name != "ogg") {
                return Error::InvalidArgument("formats: unknown format '" + name +
                                              "'; use wav, flac, mp3 or ogg");
            }
            if (std::find(p.formats.begin(), p.formats.end(), name) != p.formats.end()) {
                return Error::InvalidArgument("formats: '" + name + "' is listed twice");
            }
            p.formats.push_back(name);
        }
    }
    for (const char* flag : {"stems", "midi"}) {
        if (!has(flag)) continue;
        if (!body[flag].is_boolean()) return FieldError(flag, "true or false");
        (std::string_view(flag) == "stems" ? p.stems : p.midi) = body[flag].get<bool>();
    }
    return p;
}

std::string TrackTitle(const compose::Score& score, std::string_view prompt) {
    std::string_view trimmed = TrimWhitespace(prompt);
    if (!trimmed.empty()) {
        if (trimmed.size() <= 80) return std::string(trimmed);
        size_t cut = trimmed.rfind(' ', 77);
        if (cut == std::string_view::npos || cut < 40) cut = 77;
        while (cut > 0 && (static_cast<unsigned char>(trimmed[cut]) & 0xC0) == 0x80)
            --cut;  // whole UTF-8 characters
        return std::string(trimmed.substr(0, cut)) + "...";
    }
    std::string name(compose::SubgenreName(score.subgenre));
    for (char& c : name) c = c == '-' ? ' ' : c;
    if (!name.empty()) name[0] = char(std::toupper(static_cast<unsigned char>(name[0])));
    return name + " in " + theory::KeyName(score.key) + ", " + Number(std::round(score.bpm * 10) / 10) +
           " BPM";
}

JobRunner MakeGenerationRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir,
                               int render_threads) {
    return [&objects, scratch_dir, render_threads](const Job& job,
                                                   JobContext& context) -> Result<JobOutcome> {
        auto params = ParseGenerationParams(job.params);
        if (!params) return params.error();
        auto score = compose::Compose(params->spec);
        if (!score) return score.error();
        context.Progress(0.05);

        ScratchDir scratch{scratch_dir / ("generation-" + job.id + "-" + std::to_string(job.attempts))};
        std::error_code ec;
        std::filesystem::remove_all(scratch.path, ec);
        std::filesystem::create_directories(scratch.path, ec);
        if (ec) return Error::Io("cannot create " + scratch.path.string() + ": " + ec.message());

        pipeline::RenderOutputs outputs;
        outputs.mix_path = scratch.path / "mix.wav";
        if (params->midi) outputs.midi_path = scratch.path / "track.mid";
        if (params->stems) outputs.stems_dir = scratch.path / "stems";
        outputs.threads = render_threads;
        auto rendered = pipeline::RenderTrack(*score, outputs);
        if (!rendered) return rendered.error();
        if (context.Cancelled()) return Error::Unavailable("cancelled");
        context.Progress(0.6);

        auto validation = pipeline::ValidateGeneration(*score, outputs.mix_path);
        if (!validation) return validation.error();
        if (context.Cancelled()) return Error::Unavailable("cancelled");
        context.Progress(0.75);

        struct Asset {
            std::string kind, name, format;
            std::filesystem::path path;
        };
        std::vector<Asset> assets;
        for (const std::string& format : params->formats) {
            const std::filesystem::path path = scratch.path / ("mix." + format);
            if (format != "wav") {
                auto audio_format = audio::AudioFormatForPath(path);
                if (!audio_format) return audio_format.error();
                if (Status s = audio::TranscodeAudioFile(outputs.mix_path, path, *audio_format); !s)
                    return s.error();
            }
            assets.push_back({"mix", "mix." + format, format, path});
        }
        for (const pipeline::WrittenFile& file : rendered->files) {
            if (file.role == "stem") {
                assets.push_back(
                    {"stem", "stem-" + file.instrument + file.path.extension().string(), "wav", file.path});
            } else if (file.role == "midi") {
                assets.push_back({"midi", "track.mid", MimeFormat("mid"), file.path});
            }
        }
        if (context.Cancelled()) return Error::Unavailable("cancelled");
        context.Progress(0.85);

        struct Stored {
            Asset asset;
            std::string key;
            int64_t size = 0;
            std::string sha256;
        };
        std::vector<Stored> stored;
        for (size_t i = 0; i < assets.size(); ++i) {
            Stored s{assets[i], "tracks/" + job.id + "/" + assets[i].name, 0, {}};
            s.size = int64_t(std::filesystem::file_size(s.asset.path, ec));
            if (ec) return Error::Io("cannot read " + s.asset.path.string());
            auto digest = store::Sha256OfFile(s.asset.path);
            if (!digest) return digest.error();
            s.sha256 = *digest;
            if (Status put = objects.PutFile(s.key, s.asset.path); !put) return put.error();
            stored.push_back(std::move(s));
            context.Progress(0.85 + 0.14 * double(i + 1) / double(assets.size()));
            if (context.Cancelled()) return Error::Unavailable("cancelled");
        }

        JobOutcome outcome;
        const json validation_json = pipeline::ValidationJson(validation->report);
        outcome.result = {{"track_id", job.id}, {"validation", validation_json}};
        const std::string title = TrackTitle(*score, params->spec.prompt);
        const std::string spec = pipeline::SpecJson(*score, params->reading).dump();
        const std::string analysis = pipeline::AnalysisJson("mix.wav", validation->analysis).dump();
        outcome.commit = [job, title, spec, analysis, validation_json,
                          stored](store::SqlSession& sql) -> Status {
            auto track = sql.Execute(
                "INSERT INTO tracks (id, user_id, job_id, title, spec, analysis, validation, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                {job.id, job.user_id, job.id, title, spec, analysis, validation_json.dump(), UtcTimestamp()});
            if (!track) return track.error();
            for (const Stored& s : stored) {
                auto asset = sql.Execute(
                    "INSERT INTO assets (track_id, name, kind, format, object_key, size_bytes, sha256) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    {job.id, s.asset.name, s.asset.kind, s.asset.format, s.key, s.size, s.sha256});
                if (!asset) return asset.error();
            }
            return {};
        };
        return outcome;
    };
}

}  // namespace amapiano::jobs
