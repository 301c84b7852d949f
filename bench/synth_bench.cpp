// Times the synth module on real scores: composes a 3-minute track for every subgenre (seed 7) and
// renders each of its tracks with synth::CreateTrackRenderer in 4096-frame blocks at 44.1 kHz,
// printing the best-of-N CPU milliseconds per instrument and the total per score.
//
//   synth_bench                      # best of 5 runs
//   synth_bench --runs=9
//   synth_bench --only=pad           # one instrument
//   synth_bench --dump=DIR           # also write every rendered track as raw float32
//   (DIR/<genre>_<inst>.f32) synth_bench --compare=DIR        # also compare every track with a earlier
//   --dump: peak error, SNR
//
// Also registers BM_SynthAllTracks (Google Benchmark) when run with --benchmark_filter=...
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "compose/composer.h"
#include "synth/track_renderer.h"

namespace {

using amapiano::compose::Score;
using amapiano::compose::Subgenre;

constexpr double kSampleRateHz = 44100.0;
constexpr size_t kBlockFrames = 4096;

Score ComposeScore(Subgenre subgenre) {
    amapiano::compose::GenerationSpec spec;
    spec.subgenre = subgenre;
    spec.seconds = 180.0;
    spec.seed = 7;
    auto score = amapiano::compose::Compose(spec);
    if (!score) {
        std::fprintf(stderr, "compose failed\n");
        std::exit(1);
    }
    return std::move(*score);
}

size_t TotalFrames(const Score& score) {
    return static_cast<size_t>(std::ceil(score.LengthBeats() * score.SecondsPerBeat() * kSampleRateHz));
}

// CPU time of this thread: robust against other processes competing for the cores.
double ThreadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The output buffer is allocated and touched before the clock starts: only synthesis is timed.
std::vector<float> RenderTrack(const amapiano::compose::Track& track, const Score& score, size_t frames,
                               double* elapsed_ms) {
    std::vector<float> out(frames, 1.0f);
    const double start_s = ThreadCpuSeconds();
    auto renderer = amapiano::synth::CreateTrackRenderer(track, score, kSampleRateHz);
    for (size_t pos = 0; pos < frames; pos += kBlockFrames) {
        renderer->Render(std::span<float>(out).subspan(pos, std::min(kBlockFrames, frames - pos)));
    }
    *elapsed_ms = (ThreadCpuSeconds() - start_s) * 1000.0;
    return out;
}

std::string FileName(const std::string& dir, Subgenre subgenre, amapiano::compose::Instrument instrument) {
    return dir + "/" + std::string(amapiano::compose::SubgenreName(subgenre)) + "_" +
           std::string(amapiano::compose::InstrumentName(instrument)) + ".f32";
}

void Compare(const std::vector<float>& out, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<float> ref(out.size());
    if (!in.read(reinterpret_cast<char*>(ref.data()),
                 static_cast<std::streamsize>(ref.size() * sizeof(float)))) {
        std::printf("  (no reference)");
        return;
    }
    double err = 0.0, sig = 0.0, peak_err = 0.0, peak = 0.0;
    for (size_t i = 0; i < out.size(); ++i) {
        const double d = static_cast<double>(out[i]) - ref[i];
        err += d * d;
        sig += static_cast<double>(ref[i]) * ref[i];
        peak_err = std::max(peak_err, std::abs(d));
        peak = std::max(peak, std::abs(static_cast<double>(ref[i])));
    }
    const double snr_db = err > 0.0 ? 10.0 * std::log10(sig / err) : 999.0;
    std::printf("  peak %.3f  max|err| %.2e (%.1f dBFS)  SNR %.1f dB", peak, peak_err,
                peak_err > 0.0 ? 20.0 * std::log10(peak_err) : -999.0, snr_db);
}

void BM_SynthAllTracks(benchmark::State& state) {
    const Score score = ComposeScore(static_cast<Subgenre>(state.range(0)));
    const size_t frames = TotalFrames(score);
    for (auto _ : state) {
        for (const auto& track : score.tracks) {
            double ms = 0.0;
            benchmark::DoNotOptimize(RenderTrack(track, score, frames, &ms));
        }
    }
}
BENCHMARK(BM_SynthAllTracks)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    int runs = 5;
    std::string dump_dir, compare_dir, only;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--runs=", 7) == 0) runs = std::max(1, std::atoi(argv[i] + 7));
        if (std::strncmp(argv[i], "--only=", 7) == 0) only = argv[i] + 7;
        if (std::strncmp(argv[i], "--dump=", 7) == 0) dump_dir = argv[i] + 7;
        if (std::strncmp(argv[i], "--compare=", 10) == 0) compare_dir = argv[i] + 10;
        if (std::strncmp(argv[i], "--benchmark", 11) == 0) {
            benchmark::Initialize(&argc, argv);
            benchmark::RunSpecifiedBenchmarks();
            return 0;
        }
    }
    double grand_total_ms = 0.0;
    for (Subgenre subgenre : amapiano::compose::kAllSubgenres) {
        const Score score = ComposeScore(subgenre);
        const size_t frames = TotalFrames(score);
        std::printf("%s: %zu tracks, %.1f s at %.0f Hz, best of %d\n",
                    std::string(amapiano::compose::SubgenreName(subgenre)).c_str(), score.tracks.size(),
                    static_cast<double>(frames) / kSampleRateHz, kSampleRateHz, runs);
        double total_ms = 0.0;
        for (const auto& track : score.tracks) {
            if (!only.empty() && only != amapiano::compose::InstrumentName(track.instrument)) continue;
            double best_ms = 1e30;
            std::vector<float> out;
            for (int r = 0; r < runs; ++r) {
                double ms = 0.0;
                out = RenderTrack(track, score, frames, &ms);
                best_ms = std::min(best_ms, ms);
            }
            total_ms += best_ms;
            std::printf("  %-9s %5zu events %8.1f ms",
                        std::string(amapiano::compose::InstrumentName(track.instrument)).c_str(),
                        track.events.size(), best_ms);
            if (!dump_dir.empty()) {
                std::ofstream f(FileName(dump_dir, subgenre, track.instrument), std::ios::binary);
                f.write(reinterpret_cast<const char*>(out.data()),
                        static_cast<std::streamsize>(out.size() * sizeof(float)));
            }
            if (!compare_dir.empty()) Compare(out, FileName(compare_dir, subgenre, track.instrument));
            std::printf("\n");
        }
        std::printf("  total     %8.1f ms\n", total_ms);
        grand_total_ms += total_ms;
    }
    std::printf("mean per score: %.1f ms\n", grand_total_ms / 4.0);
    return 0;
}
