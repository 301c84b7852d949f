#include "cli/generate_command.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/exit_codes.h"
#include "compose/composer.h"
#include "pipeline/report_json.h"
#include "pipeline/validate_generation.h"

namespace amapiano::cli {
namespace {

std::optional<double> ParseNumber(const std::string& text) {
    double value = 0.0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
    uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

std::string FormatNumber(double value) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", value);
    return buf;
}

Error RangeError(std::string_view flag, std::string_view what, double lo, double hi,
                 const std::string& given) {
    return Error::InvalidArgument(std::string(flag) + " must be " + std::string(what) + " between " +
                                  FormatNumber(lo) + " and " + FormatNumber(hi) + ", not '" + given + "'");
}

}  // namespace

Result<GenerationRequest> BuildGenerationRequest(const GenerateFlags& flags) {
    GenerationRequest request;
    compose::GenerationSpec& spec = request.spec;
    spec.prompt = flags.prompt;
    request.reading = prompt::ReadPrompt(flags.prompt);
    prompt::ApplyReading(request.reading, spec);

    if (flags.subgenre) {
        auto subgenre = compose::ParseSubgenre(*flags.subgenre);
        if (!subgenre) {
            return Error::InvalidArgument("unknown subgenre '" + *flags.subgenre +
                                          "'; use classic, private-school, bacardi or sgija");
        }
        spec.subgenre = *subgenre;
    }
    if (flags.bpm) {
        auto bpm = ParseNumber(*flags.bpm);
        if (!bpm || *bpm < compose::kMinBpm || *bpm > compose::kMaxBpm) {
            return RangeError("--bpm", "a tempo in beats per minute", compose::kMinBpm, compose::kMaxBpm,
                              *flags.bpm);
        }
        spec.bpm = *bpm;
    }
    if (flags.key) {
        auto key = theory::ParseKey(*flags.key);
        if (!key) return Error::InvalidArgument("--key: " + key.error().message);
        spec.key = *key;
    }
    if (flags.bars && flags.seconds) {
        return Error::InvalidArgument("give the length either as --bars or as --seconds, not both");
    }
    const bool loop = flags.loop.has_value();
    if (flags.bars) {
        const int lo = loop ? compose::kMinLoopBars : compose::kMinTrackBars;
        const int hi = loop ? compose::kMaxLoopBars : compose::kMaxTrackBars;
        auto bars = ParseUnsigned(*flags.bars);
        if (!bars || *bars < static_cast<uint64_t>(lo) || *bars > static_cast<uint64_t>(hi)) {
            return RangeError("--bars", loop ? "a whole number of loop bars" : "a whole number of bars", lo,
                              hi, *flags.bars);
        }
        spec.bars = static_cast<int>(*bars);
        spec.seconds.reset();
    }
    if (flags.seconds) {
        auto seconds = ParseNumber(*flags.seconds);
        if (!seconds || *seconds <= 0.0 || *seconds > 3600.0) {
            return RangeError("--seconds", "a length in seconds", 1, 3600, *flags.seconds);
        }
        spec.seconds = *seconds;
        spec.bars.reset();
    }
    if (flags.seed) {
        auto seed = ParseUnsigned(*flags.seed);
        if (!seed) {
            return Error::InvalidArgument("--seed must be a non-negative whole number, not '" + *flags.seed +
                                          "'");
        }
        spec.seed = *seed;
    }
    if (flags.swing) {
        auto swing = ParseNumber(*flags.swing);
        if (!swing || *swing < compose::kMinSwingPercent || *swing > compose::kMaxSwingPercent) {
            return RangeError("--swing", "a percentage", compose::kMinSwingPercent, compose::kMaxSwingPercent,
                              *flags.swing);
        }
        spec.swing_percent = *swing;
    }
    if (flags.loop) {
        auto part = compose::ParseLoopPart(*flags.loop);
        if (!part) {
            return Error::InvalidArgument("unknown loop part '" + *flags.loop +
                                          "'; use log-drum, piano, drums, bass or full");
        }
        spec.loop = *part;
    }

    if (flags.output.empty()) return Error::InvalidArgument("an output file is required: -o OUT.wav");
    request.outputs.mix_path = flags.output;
    if (flags.midi) request.outputs.midi_path = *flags.midi;
    if (flags.stems) request.outputs.stems_dir = *flags.stems;
    if (flags.bit_depth != "16" && flags.bit_depth != "24") {
        return Error::InvalidArgument("--bit-depth must be 16 or 24, not '" + flags.bit_depth + "'");
    }
    request.outputs.wav_bit_depth = flags.bit_depth == "16" ? 16 : 24;
    if (flags.threads) {
        auto threads = ParseUnsigned(*flags.threads);
        if (!threads || *threads < 1 || *threads > 64) {
            return RangeError("--threads", "a thread count", 1, 64, *flags.threads);
        }
        request.outputs.threads = static_cast<int>(*threads);
    }
    return request;
}

CLI::App* AddGenerateCommand(CLI::App& app, GenerateFlags& flags) {
    CLI::App* cmd = app.add_subcommand("generate", "Compose and render a track or loop");
    cmd->add_option("--prompt", flags.prompt, "What you want, in words (explicit flags win)");
    cmd->add_option("--subgenre", flags.subgenre, "classic, private-school, bacardi or sgija");
    cmd->add_option("--bpm", flags.bpm, "Tempo in beats per minute (60-200)");
    cmd->add_option("--key", flags.key, "Key: tonic, optional #/b, 'm' for minor (F#m, Am, Eb, C)");
    cmd->add_option("--bars", flags.bars, "Length in bars (tracks 8-512, loops 4-16)");
    cmd->add_option("--seconds", flags.seconds, "Length in seconds, rounded to whole bars");
    cmd->add_option("--seed", flags.seed, "Random seed: same spec and seed give identical output");
    cmd->add_option("--swing", flags.swing, "Swing of the 16th grid in percent (50 = straight, up to 75)");
    cmd->add_option("--loop", flags.loop, "Render a seamless loop of log-drum, piano, drums, bass or full");
    cmd->add_option("-o,--output", flags.output, "Mix file: .wav, .flac, .ogg or .mp3")->required();
    cmd->add_option("--midi", flags.midi, "Also write a Standard MIDI File (.mid)");
    cmd->add_option("--stems", flags.stems, "Also write one audio file per instrument into this directory");
    cmd->add_option("--bit-depth", flags.bit_depth, "WAV bit depth, 16 or 24 (default 24)");
    cmd->add_option("--threads", flags.threads,
                    "Threads for rendering (default: all cores; output is identical)");
    cmd->add_flag("--json", flags.json, "Print one JSON object describing the result");
    return cmd;
}

int RunGenerate(const GenerateFlags& flags) {
    auto request = BuildGenerationRequest(flags);
    if (!request) {
        std::cerr << "amapiano generate: " << request.error().message << "\n";
        return ExitCodeFor(request.error().code);
    }
    // Fail on unwritable or unsupported outputs before spending time on composing.
    if (Status s = pipeline::CheckOutputs(request->outputs); !s) {
        std::cerr << "amapiano generate: " << s.error().message << "\n";
        return ExitCodeFor(s.error().code);
    }
    const auto compose_start = std::chrono::steady_clock::now();
    auto score = compose::Compose(request->spec);
    const double compose_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - compose_start).count();
    if (!score) {
        std::cerr << "amapiano generate: " << score.error().message << "\n";
        return ExitCodeFor(score.error().code);
    }
    auto report = pipeline::RenderTrack(*score, request->outputs);
    if (!report) {
        std::cerr << "amapiano generate: " << report.error().message << "\n";
        return ExitCodeFor(report.error().code);
    }
    // Every generation is validated; the report is stored next to the mix.
    auto validation = pipeline::ValidateGeneration(*score, request->outputs.mix_path);
    if (!validation) {
        std::cerr << "amapiano generate: validating " << request->outputs.mix_path.string() << ": "
                  << validation.error().message << "\n";
        return ExitCodeFor(validation.error().code);
    }
    if (flags.json) {
        std::cout
            << pipeline::GenerationJson(*score, request->reading, *report, compose_s, &*validation).dump()
            << "\n";
        return kExitOk;
    }
    const double total_s = compose_s + report->timings.total_s;
    std::printf("wrote %s: %s, %.0f BPM, %s, %d bars, %.1f s of audio in %.2f s (%.0fx real time)\n",
                request->outputs.mix_path.c_str(),
                std::string(compose::SubgenreName(score->subgenre)).c_str(), score->bpm,
                theory::KeyName(score->key).c_str(), score->bars, report->duration_s, total_s,
                total_s > 0 ? report->duration_s / total_s : 0.0);
    std::printf("loudness %.1f LUFS integrated, true peak %.1f dBTP\n", report->master.integrated_lufs,
                report->master.true_peak_dbtp);
    for (const compose::Section& section : score->sections) {
        std::printf("  bars %3d-%3d  %s\n", section.start_bar + 1, section.start_bar + section.bars,
                    section.name.c_str());
    }
    for (const pipeline::WrittenFile& file : report->files) {
        if (file.role != "mix") std::printf("  %-5s %s\n", file.role.c_str(), file.path.c_str());
    }
    std::printf("validation %.0f/100 %s as %s (%s)\n", validation->report.score,
                validation->report.verdict.c_str(), validation->report.subgenre.c_str(),
                validation->path.c_str());
    return kExitOk;
}

}  // namespace amapiano::cli
