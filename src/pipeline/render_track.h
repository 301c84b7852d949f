// Track rendering pipeline: Score -> stems -> mix -> mastered files on disk, plus MIDI.
//
// The one place that strings the engine (synth, mix) to the ports (audio files, MIDI). Used by the
// `generate` command and, later, by generation jobs in the service.
//
//   RenderOutputs outputs{.mix_path = "out.wav", .midi_path = "out.mid", .stems_dir = "stems"};
//   Result<RenderReport> report = RenderTrack(score, outputs);
//
// Memory stays bounded: the score is rendered in blocks, stems stream straight to their files, and
// only the stereo mix is held (it must be measured as a whole for loudness normalisation).
// All outputs are written under temporary names and renamed at the end, so a failure leaves no
// output file behind (and removes a stems directory it created).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compose/score.h"
#include "core/error.h"
#include "mix/master.h"

namespace amapiano::pipeline {

inline constexpr int kSampleRateHz = 44100;

struct RenderOutputs final {
    std::filesystem::path mix_path = {};  // .wav, .flac, .ogg or .mp3
    std::optional<std::filesystem::path> midi_path = std::nullopt;
    std::optional<std::filesystem::path> stems_dir =
        std::nullopt;        // one file per instrument; created if missing
    int wav_bit_depth = 24;  // 16 or 24
    int threads = 0;         // 0 = one per hardware thread; output is the same for any count
};

struct WrittenFile final {
    std::string role;        // "mix", "stem" or "midi"
    std::string instrument;  // for stems
    std::filesystem::path path;
    std::string format;  // "wav24", "flac", "ogg", "mp3", "midi"
};

struct RenderTimings final {
    double synth_s = 0.0;              // instrument DSP
    double mix_s = 0.0;                // channel strips, reverb, bus
    double master_s = 0.0;             // loudness normalisation and limiting
    double encode_s = 0.0;             // audio/MIDI encoding and file I/O on the calling thread
    double background_encode_s = 0.0;  // stem encoding and I/O on the background thread (overlapped)
    double total_s = 0.0;
};

struct RenderReport final {
    int64_t frames = 0;
    int sample_rate_hz = kSampleRateHz;
    double duration_s = 0.0;
    mix::MasterReport master;
    RenderTimings timings;
    std::vector<WrittenFile> files;
};

// Checks the outputs can be written (supported extensions, existing writable directories) without
// touching the disk. Errors: kUnsupported for an unknown extension or bit depth, kIo for a
// directory that is missing or not writable.
Status CheckOutputs(const RenderOutputs& outputs);

// Renders `score` to the requested files. Errors: as CheckOutputs, kIo when writing fails.
Result<RenderReport> RenderTrack(const compose::Score& score, const RenderOutputs& outputs);

// The score's stems and mix, frame-exact: frames = round(score.LengthBeats() * 60 / bpm * rate).
int64_t RenderedFrames(const compose::Score& score, int sample_rate_hz);

}  // namespace amapiano::pipeline
