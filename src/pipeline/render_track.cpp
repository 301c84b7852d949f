#include "pipeline/render_track.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>
#include <system_error>

#include "audio/audio_file_writer.h"
#include "core/atomic_file.h"
#include "core/worker_team.h"
#include "mix/mixer.h"
#include "pipeline/midi_export.h"
#include "pipeline/stem_streamer.h"
#include "synth/track_renderer.h"

namespace amapiano::pipeline {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Large blocks keep the fork-join count low (a few hundred per track): per-block thread hand-offs
// cost tens of microseconds on a VM, which ate the gain of parallel rendering at 4096 frames.
constexpr size_t kBlockFrames = mix::Mixer::kMaxBlockFrames;
constexpr int kChannels = 2;

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Stems are delivered losslessly: in the mix's format when that is lossless, else as WAV.
audio::AudioFormat StemFormat(audio::AudioFormat mix_format, int wav_bit_depth) {
    if (mix_format == audio::AudioFormat::kFlac || mix_format == audio::AudioFormat::kWav16 ||
        mix_format == audio::AudioFormat::kWav24) {
        return mix_format;
    }
    return wav_bit_depth == 16 ? audio::AudioFormat::kWav16 : audio::AudioFormat::kWav24;
}

std::string_view StemExtension(audio::AudioFormat format) {
    return format == audio::AudioFormat::kFlac ? ".flac" : ".wav";
}

// A loop is rendered twice over: the first pass only warms up tails and reverb, so the delivered
// second pass starts with the ring-out of its own end, and loops seamlessly.
compose::Score WithLoopPreRoll(const compose::Score& score) {
    compose::Score expanded = score;
    const double loop_beats = score.bars * compose::kBeatsPerBar;
    const int64_t loop_steps = static_cast<int64_t>(score.bars) * compose::kStepsPerBar;
    for (compose::Track& track : expanded.tracks) {
        const size_t count = track.events.size();
        for (size_t i = 0; i < count; ++i) {
            compose::NoteEvent repeat = track.events[i];
            repeat.start_beats += loop_beats;
            repeat.step += loop_steps;
            track.events.push_back(repeat);
        }
    }
    expanded.bars = score.bars * 2;
    return expanded;
}

// Removes files and a created directory unless released: the all-or-nothing guarantee.
class OutputRollback final {
public:
    ~OutputRollback() {
        if (released_) return;
        std::error_code ignored;
        for (const fs::path& path : committed_) fs::remove(path, ignored);
        if (created_dir_) fs::remove(*created_dir_, ignored);
    }
    void AddCommitted(fs::path path) { committed_.push_back(std::move(path)); }
    void SetCreatedDirectory(fs::path dir) { created_dir_ = std::move(dir); }
    void Release() { released_ = true; }

private:
    std::vector<fs::path> committed_;
    std::optional<fs::path> created_dir_;
    bool released_ = false;
};

}  // namespace

int64_t RenderedFrames(const compose::Score& score, int sample_rate_hz) {
    return synth::BeatsToFrame(score.LengthBeats(), score.bpm, sample_rate_hz);
}

Status CheckOutputs(const RenderOutputs& outputs) {
    if (outputs.wav_bit_depth != 16 && outputs.wav_bit_depth != 24) {
        return Error::Unsupported("WAV bit depth must be 16 or 24, not " +
                                  std::to_string(outputs.wav_bit_depth));
    }
    if (outputs.mix_path.empty()) return Error::InvalidArgument("an output file is required (-o OUT.wav)");
    if (std::error_code ec; fs::is_directory(outputs.mix_path, ec)) {
        return Error::InvalidArgument("output '" + outputs.mix_path.string() +
                                      "' is a directory; give a file name such as OUT.wav");
    }
    auto format = audio::AudioFormatForPath(outputs.mix_path, outputs.wav_bit_depth);
    if (!format) return format.error();
    if (Status s = audio::CheckWritableDestination(outputs.mix_path); !s) return s;
    if (outputs.midi_path) {
        std::string ext = outputs.midi_path->extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (ext != ".mid" && ext != ".midi") {
            return Error::Unsupported("unsupported MIDI extension '" + ext + "'; use .mid");
        }
        if (Status s = audio::CheckWritableDestination(*outputs.midi_path); !s) return s;
    }
    if (outputs.stems_dir) {
        std::error_code ec;
        if (fs::exists(*outputs.stems_dir, ec)) {
            if (!fs::is_directory(*outputs.stems_dir, ec)) {
                return Error::Io("stems path '" + outputs.stems_dir->string() +
                                 "' exists and is not a directory");
            }
            if (Status s = audio::CheckWritableDestination(*outputs.stems_dir / "stem.wav"); !s) return s;
        } else if (Status s = audio::CheckWritableDestination(*outputs.stems_dir); !s) {
            return s;
        }
    }
    return Status::Ok();
}

Result<RenderReport> RenderTrack(const compose::Score& score, const RenderOutputs& outputs) {
    const Clock::time_point start = Clock::now();
    if (Status s = CheckOutputs(outputs); !s) return s.error();
    const audio::AudioFormat mix_format = *audio::AudioFormatForPath(outputs.mix_path, outputs.wav_bit_depth);

    RenderReport report;
    OutputRollback rollback;
    const compose::Score render_score = score.is_loop ? WithLoopPreRoll(score) : score;
    const int64_t frames = RenderedFrames(score, kSampleRateHz);
    // Frames rendered before delivery starts (the loop pre-roll); zero for full tracks.
    const int64_t skip_frames = score.is_loop ? frames : 0;
    const int64_t total_frames = skip_frames + frames;

    std::vector<std::unique_ptr<synth::TrackRenderer>> renderers;
    std::vector<compose::Instrument> instruments;
    for (const compose::Track& track : render_score.tracks) {
        renderers.push_back(synth::CreateTrackRenderer(track, render_score, kSampleRateHz));
        instruments.push_back(track.instrument);
    }
    mix::Mixer mixer(instruments, kSampleRateHz, score.sound);
    const size_t track_count = renderers.size();

    // Stem files stream block by block from a background thread.
    std::unique_ptr<StemStreamer> streamer;
    if (outputs.stems_dir) {
        std::error_code ec;
        if (!fs::exists(*outputs.stems_dir, ec)) {
            if (!fs::create_directory(*outputs.stems_dir, ec)) {
                return Error::Io("cannot create stems directory '" + outputs.stems_dir->string() +
                                 "': " + ec.message());
            }
            rollback.SetCreatedDirectory(*outputs.stems_dir);
        }
        const audio::AudioFormat stem_format = StemFormat(mix_format, outputs.wav_bit_depth);
        std::vector<std::unique_ptr<audio::AudioFileWriter>> writers;
        for (compose::Instrument instrument : instruments) {
            const fs::path path = *outputs.stems_dir / (std::string(compose::InstrumentName(instrument)) +
                                                        std::string(StemExtension(stem_format)));
            auto writer = audio::AudioFileWriter::Open(path, stem_format, kSampleRateHz, kChannels);
            if (!writer) return writer.error();
            writers.push_back(std::move(*writer));
            report.files.push_back({"stem", std::string(compose::InstrumentName(instrument)), path,
                                    std::string(audio::AudioFormatName(stem_format))});
        }
        streamer = std::make_unique<StemStreamer>(std::move(writers), kBlockFrames);
    }

    // Per block: every track's synthesiser in parallel, the sidechain, every channel strip in
    // parallel, then the bus in channel order. Each task writes only its own buffers, so the result
    // is the same whichever thread runs which track.
    WorkerTeam team(outputs.threads > 0 ? static_cast<size_t>(outputs.threads) : WorkerTeam::DefaultSize());
    std::vector<std::vector<float>> mono(track_count, std::vector<float>(kBlockFrames));
    std::vector<std::vector<float>> local_stems(streamer ? 0 : track_count,
                                                std::vector<float>(kBlockFrames * kChannels));
    std::vector<std::span<float>> local_stem_spans(local_stems.begin(), local_stems.end());
    std::vector<std::span<const float>> inputs(track_count);
    std::vector<std::span<const float>> stems_in(track_count);
    std::vector<float> mix_buffer(static_cast<size_t>(frames) * kChannels, 0.0f);
    std::vector<float> bus(kBlockFrames * kChannels);

    // The bus of block k (sum, reverb, compression: serial work) is finished as one more task while
    // the tracks of block k + 1 are synthesised, so both cores stay busy. The bus only reads block
    // k's stems and writes the bus buffer; synthesis only writes the mono buffers.
    struct PendingBlock final {
        int64_t start = 0;
        size_t frames = 0;
    };
    std::optional<PendingBlock> pending;
    auto finish_pending = [&] {
        mixer.FinishBlock(stems_in, std::span<float>(bus.data(), pending->frames * kChannels));
    };
    // Delivers the part of the pending block at or after skip_frames to the mix and the stem files.
    auto deliver_pending = [&] {
        const int64_t block_start = pending->start;
        const size_t n = pending->frames;
        pending.reset();
        if (block_start + static_cast<int64_t>(n) <= skip_frames) {
            if (streamer) streamer->Submit(0, 0);
            return;
        }
        const size_t offset = static_cast<size_t>(std::max<int64_t>(0, skip_frames - block_start));
        const size_t out_frame =
            static_cast<size_t>(block_start + static_cast<int64_t>(offset) - skip_frames);
        std::copy(bus.begin() + static_cast<std::ptrdiff_t>(offset * kChannels),
                  bus.begin() + static_cast<std::ptrdiff_t>(n * kChannels),
                  mix_buffer.begin() + static_cast<std::ptrdiff_t>(out_frame * kChannels));
        if (streamer) streamer->Submit(offset, n - offset);
    };

    for (int64_t block_start = 0; block_start < total_frames; block_start += kBlockFrames) {
        const size_t n = static_cast<size_t>(std::min<int64_t>(kBlockFrames, total_frames - block_start));
        Clock::time_point t = Clock::now();
        const size_t extra = pending ? 1 : 0;
        team.Run(track_count + extra, [&](size_t i) {
            if (extra == 1 && i == 0) {
                finish_pending();
                return;
            }
            i -= extra;
            renderers[i]->Render(std::span<float>(mono[i].data(), n));
        });
        if (pending) deliver_pending();
        for (size_t i = 0; i < track_count; ++i) inputs[i] = std::span<const float>(mono[i].data(), n);
        report.timings.synth_s += SecondsSince(t);

        t = Clock::now();
        const std::span<const std::span<float>> stem_out =
            streamer ? streamer->Acquire() : std::span<const std::span<float>>(local_stem_spans);
        report.timings.encode_s += SecondsSince(t);  // waiting for the stem writer, if it falls behind
        t = Clock::now();
        mixer.BeginBlock(inputs);
        team.Run(track_count,
                 [&](size_t i) { mixer.ProcessChannel(i, inputs[i], stem_out[i].first(n * kChannels)); });
        for (size_t i = 0; i < track_count; ++i) stems_in[i] = stem_out[i].first(n * kChannels);
        pending = PendingBlock{block_start, n};
        report.timings.mix_s += SecondsSince(t);
    }
    if (pending) {
        Clock::time_point t = Clock::now();
        finish_pending();
        deliver_pending();
        report.timings.mix_s += SecondsSince(t);
    }
    if (streamer) streamer->Close();  // stems finish writing and flush while the mix is mastered

    Clock::time_point t = Clock::now();
    auto mastered = mix::MasterInPlace(mix_buffer, kSampleRateHz, score.spec.loudness_target_lufs,
                                       score.spec.true_peak_ceiling_dbtp);
    if (!mastered) return mastered.error();
    report.master = *mastered;
    report.timings.master_s = SecondsSince(t);

    // The loudness we report is libebur128's measurement of the delivered mix (our mastering meter
    // only steers the gain); it runs on another thread while the mix is encoded.
    auto loudness = std::async(std::launch::async, [&mix_buffer] {
        return mix::MeasureIntegratedLoudness(mix_buffer, kSampleRateHz);
    });
    t = Clock::now();
    auto mix_writer = audio::AudioFileWriter::Open(outputs.mix_path, mix_format, kSampleRateHz, kChannels);
    if (!mix_writer) return mix_writer.error();
    constexpr size_t kWriteChunk = 1 << 16;
    for (size_t pos = 0; pos < mix_buffer.size(); pos += kWriteChunk * kChannels) {
        const size_t len = std::min(kWriteChunk * kChannels, mix_buffer.size() - pos);
        if (Status s = (*mix_writer)->Write(std::span<const float>(mix_buffer.data() + pos, len)); !s) {
            return s.error();
        }
    }
    if (Status s = (*mix_writer)->Finish(); !s) return s.error();
    auto measured = loudness.get();
    if (!measured) return measured.error();
    report.master.integrated_lufs = *measured;
    if (streamer) {
        if (Status s = streamer->Finish(); !s) return s.error();
        report.timings.background_encode_s = streamer->busy_s();
    }
    std::vector<uint8_t> midi_bytes;
    if (outputs.midi_path) midi_bytes = audio::EncodeMidi(ScoreToMidi(score));

    // Everything is encoded and on disk; now make it visible, all or nothing.
    if (streamer) {
        for (auto& writer : streamer->writers()) {
            if (Status s = writer->Commit(); !s) return s.error();
            rollback.AddCommitted(writer->path());
        }
    }
    if (Status s = (*mix_writer)->Commit(); !s) return s.error();
    rollback.AddCommitted(outputs.mix_path);
    report.files.insert(report.files.begin(), WrittenFile{"mix", "", outputs.mix_path,
                                                          std::string(audio::AudioFormatName(mix_format))});
    if (outputs.midi_path) {
        if (Status s = WriteFileAtomically(*outputs.midi_path, midi_bytes); !s) return s.error();
        rollback.AddCommitted(*outputs.midi_path);
        report.files.push_back({"midi", "", *outputs.midi_path, "midi"});
    }
    report.timings.encode_s += SecondsSince(t);
    rollback.Release();

    report.frames = frames;
    report.duration_s = static_cast<double>(frames) / kSampleRateHz;
    report.timings.total_s = SecondsSince(start);
    return report;
}

}  // namespace amapiano::pipeline
