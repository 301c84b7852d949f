// `amapiano generate`: prompt + flags -> GenerationSpec -> Score -> audio, MIDI and stems.
//
//   amapiano generate [--prompt TEXT] [--subgenre classic|private-school|bacardi|sgija]
//                     [--bpm N] [--key KEY] [--bars N | --seconds S] [--seed N] [--swing PERCENT]
//                     [--loop log-drum|piano|drums|bass|full] [--bit-depth 16|24] [--threads N]
//                     -o OUT.{wav,flac,ogg,mp3} [--midi OUT.mid] [--stems DIR] [--json]
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "compose/generation_spec.h"
#include "core/error.h"
#include "pipeline/render_track.h"
#include "prompt/prompt_reader.h"

namespace amapiano::cli {

// Flag values exactly as typed; validated by BuildGenerationRequest so every mistake gets one
// clear sentence rather than a parser's message.
struct GenerateFlags final {
    std::string prompt;
    std::optional<std::string> subgenre;
    std::optional<std::string> bpm;
    std::optional<std::string> key;
    std::optional<std::string> bars;
    std::optional<std::string> seconds;
    std::optional<std::string> seed;
    std::optional<std::string> swing;
    std::optional<std::string> loop;
    std::string output;
    std::optional<std::string> midi;
    std::optional<std::string> stems;
    std::string bit_depth = "24";
    std::optional<std::string> threads;
    bool json = false;
};

struct GenerationRequest final {
    compose::GenerationSpec spec;
    prompt::PromptReading reading;
    pipeline::RenderOutputs outputs;
};

// Prompt first, then explicit flags on top. Errors: kInvalidArgument with a sentence naming the
// flag and what it accepts.
Result<GenerationRequest> BuildGenerationRequest(const GenerateFlags& flags);

// Registers the subcommand; `flags` must outlive `app`.
CLI::App* AddGenerateCommand(CLI::App& app, GenerateFlags& flags);

// Runs a parsed generate command; returns the exit code.
int RunGenerate(const GenerateFlags& flags);

}  // namespace amapiano::cli
