// A timing check, not an assertion: renders a dense three-minute part per instrument and prints the
// CPU time. Run with --gtest_also_run_disabled_tests --gtest_filter='*SynthTiming*'.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/random.h"
#include "synth/track_renderer.h"
#include "synth_test_util.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;

void Add(std::vector<compose::NoteEvent>& events, double beat, double duration, int pitch, float velocity) {
    compose::NoteEvent e;
    e.step = static_cast<int64_t>(beat * 4);
    e.start_beats = beat;
    e.duration_beats = duration;
    e.pitch = pitch;
    e.velocity = velocity;
    events.push_back(e);
}

// A busy, realistic part: shaker every 16th, keys 5-note chords every beat, and so on.
compose::Track DenseTrack(Instrument instrument, int bars) {
    Rng rng(99);
    std::vector<compose::NoteEvent> events;
    const char* log_pattern = "x--x--x---x--x--";
    for (int bar = 0; bar < bars; ++bar) {
        const double b0 = bar * 4.0;
        for (int step = 0; step < 16; ++step) {
            const double beat = b0 + step * 0.25 + (step % 2 == 1 ? 0.03 : 0.0);
            const float vel = static_cast<float>(rng.Uniform(0.5, 1.0));
            switch (instrument) {
                case Instrument::kLogDrum:
                    if (log_pattern[step] == 'x') Add(events, beat, rng.Uniform(0.3, 1.0), rng.Int(33, 52), vel);
                    break;
                case Instrument::kKick:
                    if (step % 4 == 0) Add(events, beat, 0.25, 36, vel);
                    break;
                case Instrument::kShaker: Add(events, beat, 0.1, 82, vel); break;
                case Instrument::kClap:
                    if (step == 4 || step == 12) Add(events, beat, 0.25, 39, vel);
                    break;
                case Instrument::kHats:
                    Add(events, beat, 0.1, step % 4 == 2 ? 46 : 42, vel);
                    break;
                case Instrument::kRim:
                    if (step % 3 == 0) Add(events, beat, 0.1, 37, vel);
                    break;
                case Instrument::kPerc:
                    if (step % 2 == 0) Add(events, beat, 0.2, std::array{62, 63, 64, 60, 61, 45, 71}[rng.Int(0, 6)], vel);
                    break;
                case Instrument::kKeys:
                    if (step % 4 == 0) {
                        for (int p : {57, 60, 64, 67, 71}) Add(events, beat, 0.75, p + rng.Int(-2, 2), vel);
                    }
                    break;
                case Instrument::kPad:
                    if (step == 0) {
                        for (int p : {45, 52, 57, 60, 64}) Add(events, beat, 4.0, p, 0.7f);
                    }
                    break;
                case Instrument::kBass:
                    if (step % 8 == 0) Add(events, beat, 1.8, rng.Int(33, 45), vel);
                    break;
                case Instrument::kLead:
                    if (step % 4 == 0) Add(events, beat, 0.9, rng.Int(62, 79), vel);
                    break;
            }
        }
    }
    return testing::MakeTrack(instrument, std::move(events));
}

TEST(SynthTiming, DISABLED_DenseThreeMinuteTrackPerInstrument) {
    compose::Score score;
    score.bpm = 113.0;
    const int bars = 85;  // ~3 minutes at 113 BPM
    const double seconds = bars * 4 * 60.0 / score.bpm;
    const auto frames = static_cast<size_t>(seconds * testing::kSampleRate);
    std::vector<float> block(1024);
    double total_s = 0.0;
    for (Instrument instrument : compose::kAllInstruments) {
        const compose::Track track = DenseTrack(instrument, bars);
        const std::clock_t start = std::clock();
        auto renderer = CreateTrackRenderer(track, score, testing::kSampleRate);
        float peak = 0.0f;
        for (size_t pos = 0, n = 0; pos < frames; pos += block.size(), ++n) {
            renderer->Render(block);
            if (n % 16 == 0) peak = std::max(peak, testing::Peak(block));  // sampled: keep timing clean
        }
        const double cpu_s = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
        total_s += cpu_s;
        std::printf("%-9s %6zu events  %7.1f ms  peak~%.2f\n", std::string(compose::InstrumentName(instrument)).c_str(),
                    track.events.size(), cpu_s * 1000.0, peak);
    }
    std::printf("total     %.1f ms for %.0f s of audio at %.0f Hz\n", total_s * 1000.0, seconds, testing::kSampleRate);
}

}  // namespace
}  // namespace amapiano::synth
