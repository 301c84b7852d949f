// Generation jobs: a request (the JSON body of POST /api/v1/generations) becomes a track — the mix
// in each requested format, optionally stems and MIDI, its analysis and its validation — stored in
// the object store under tracks/<track id>/ and in the tracks/assets tables.
//
//   Result<GenerationParams> p = ParseGenerationParams(body);     // kInvalidArgument names the field
//   pool.Register("generation", MakeGenerationRunner(objects, scratch_dir, 1));
//
// The track's id is the job's id, so a retried job rewrites the same object keys (each write is
// atomic) and the rows are committed in the transaction that marks the job succeeded: a job that
// dies half-way leaves no visible track, and a finished one is never stored twice.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compose/generation_spec.h"
#include "compose/score.h"
#include "jobs/worker_pool.h"
#include "prompt/prompt_reader.h"
#include "store/object_store.h"

namespace amapiano::jobs {

inline constexpr std::string_view kGenerationJob = "generation";

struct GenerationParams final {
    compose::GenerationSpec spec;
    prompt::PromptReading reading;
    std::vector<std::string> formats;  // "wav", "flac", "mp3", "ogg"; at least one, no repeats
    bool stems = false;
    bool midi = false;
};

// {prompt?, subgenre?, bpm?, key?, bars? | seconds?, seed?, swing?, loop?, formats?, stems?, midi?}.
// Unknown fields, wrong types and values out of range are kInvalidArgument, the message naming the
// field ("bpm must be a number between 60 and 200").
Result<GenerationParams> ParseGenerationParams(const nlohmann::json& body);

// Renders on `render_threads` threads in a private folder under `scratch_dir`.
JobRunner MakeGenerationRunner(store::ObjectStore& objects, std::filesystem::path scratch_dir,
                               int render_threads);

// "Private school in F#m, 112 BPM" or the prompt (shortened): how the track is listed.
std::string TrackTitle(const compose::Score& score, std::string_view prompt);

}  // namespace amapiano::jobs
