#include "synth/track_renderer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/random.h"
#include "synth_test_util.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;
using namespace testing;

// A dense, deterministic pseudo-random part for `instrument`: notes on most 16ths, chords for the
// polyphonic instruments, overlapping notes for the monophonic ones.
// Notes each drum instrument's track carries in practice.
std::vector<int> DrumNotes(Instrument instrument) {
    switch (instrument) {
        case Instrument::kKick: return {35, 36};
        case Instrument::kShaker: return {69, 70, 82};
        case Instrument::kClap: return {38, 39, 40};
        case Instrument::kHats: return {42, 44, 46};
        case Instrument::kRim: return {37, 75, 76, 77};
        default: return {41, 43, 45, 47, 48, 50, 56, 60, 61, 62, 63, 64, 71, 72};
    }
}

compose::Track RandomTrack(Instrument instrument, int bars, uint64_t seed, float fixed_velocity = -1.0f) {
    Rng rng(seed);
    const std::vector<int> drum_notes = DrumNotes(instrument);
    std::vector<compose::NoteEvent> events;
    const bool chords = instrument == Instrument::kKeys || instrument == Instrument::kPad;
    const bool drum = compose::IsDrum(instrument);
    for (int step = 0; step < bars * compose::kStepsPerBar; ++step) {
        if (!rng.Chance(chords ? 0.2 : 0.7)) continue;
        const int notes = chords ? rng.Int(3, 6) : 1;
        const double start = step * 0.25 + rng.Uniform(0.0, 0.05);
        const double duration = rng.Uniform(0.05, chords ? 2.0 : 1.5);
        for (int n = 0; n < notes; ++n) {
            compose::NoteEvent e;
            e.step = step;
            e.start_beats = start;
            e.duration_beats = duration;
            e.pitch =
                drum ? drum_notes[static_cast<size_t>(rng.Int(0, static_cast<int>(drum_notes.size()) - 1))]
                : instrument == Instrument::kLogDrum ? rng.Int(33, 52)
                : instrument == Instrument::kBass    ? rng.Int(28, 48)
                                                     : rng.Int(48, 84);
            e.velocity = fixed_velocity >= 0.0f ? fixed_velocity : static_cast<float>(rng.Uniform(0.2, 1.0));
            events.push_back(e);
        }
    }
    return MakeTrack(instrument, std::move(events));
}

TEST(TrackRenderer, BeatsToFrameRoundsToNearest) {
    EXPECT_EQ(BeatsToFrame(1.0, 120.0, 44100.0), 22050);
    EXPECT_EQ(BeatsToFrame(0.0, 113.0, 48000.0), 0);
    EXPECT_EQ(BeatsToFrame(0.25, 113.0, 48000.0), std::llround(0.25 * 60.0 / 113.0 * 48000.0));
}

TEST(TrackRenderer, EmptyTrackIsExactSilence) {
    const compose::Score score = MakeScore();
    for (Instrument instrument : compose::kAllInstruments) {
        const compose::Track track = MakeTrack(instrument, {});
        auto renderer = CreateTrackRenderer(track, score, kSampleRate);
        std::vector<float> out(5000, 1.0f);
        renderer->Render(out);
        renderer->Render(out);
        for (float v : out) ASSERT_EQ(v, 0.0f) << compose::InstrumentName(instrument);
    }
}

TEST(TrackRenderer, EventStartsAtItsExactFrame) {
    const compose::Score score = MakeScore();
    for (Instrument instrument : compose::kAllInstruments) {
        compose::NoteEvent e;
        e.start_beats = 1.0;  // frame 22050
        e.duration_beats = 0.5;
        e.pitch = compose::IsDrum(instrument) ? 36 : 45;
        e.velocity = 1.0f;
        const auto out = Render(MakeTrack(instrument, {e}), score, 0.6, 777);
        for (size_t i = 0; i < 22050; ++i) ASSERT_EQ(out[i], 0.0f) << compose::InstrumentName(instrument);
        EXPECT_NE(out[22050], 0.0f) << compose::InstrumentName(instrument);
    }
}

TEST(TrackRenderer, OutputIsIndependentOfBlockSizes) {
    const compose::Score score = MakeScore();
    for (Instrument instrument : compose::kAllInstruments) {
        const compose::Track track = RandomTrack(instrument, 2, 42);
        const size_t frames = static_cast<size_t>(5.0 * kSampleRate);
        std::vector<float> whole(frames);
        CreateTrackRenderer(track, score, kSampleRate)->Render(whole);

        std::vector<float> pieces(frames);
        auto renderer = CreateTrackRenderer(track, score, kSampleRate);
        const size_t blocks[] = {1, 7, 1000, 13, 4096, 1, 2, 333};
        size_t pos = 0;
        for (size_t b = 0; pos < frames; ++b) {
            const size_t n = std::min(blocks[b % std::size(blocks)], frames - pos);
            renderer->Render(std::span<float>(pieces).subspan(pos, n));
            pos += n;
        }
        EXPECT_EQ(std::memcmp(whole.data(), pieces.data(), frames * sizeof(float)), 0)
            << compose::InstrumentName(instrument);
        EXPECT_GT(Peak(whole), 0.01f) << compose::InstrumentName(instrument);
    }
}

TEST(TrackRenderer, SameInputGivesIdenticalOutput) {
    const compose::Score score = MakeScore();
    const compose::Track track = RandomTrack(Instrument::kShaker, 2, 7);
    EXPECT_EQ(Render(track, score, 4.0), Render(track, score, 4.0));
}

TEST(TrackRenderer, DenseRandomInputAtFullVelocityIsFiniteAndBounded) {
    const compose::Score score = MakeScore();
    for (Instrument instrument : compose::kAllInstruments) {
        for (uint64_t seed : {1u, 2u, 3u}) {
            const auto out = Render(RandomTrack(instrument, 4, seed, 1.0f), score, 9.0);
            EXPECT_TRUE(AllFinite(out)) << compose::InstrumentName(instrument);
            EXPECT_LE(Peak(out), 1.5f) << compose::InstrumentName(instrument) << " seed " << seed;
        }
    }
}

TEST(TrackRenderer, VoicePoolExhaustionStaysFinite) {
    const compose::Score score = MakeScore();
    for (Instrument instrument : compose::kAllInstruments) {
        std::vector<compose::NoteEvent> events;
        for (int i = 0; i < 300; ++i) {
            events.push_back(
                Note(0.01 * (i % 3), 2.0, (compose::IsDrum(instrument) ? 35 : 30) + i % 48, 1.0f));
        }
        const auto out = Render(MakeTrack(instrument, events), score, 3.0);
        EXPECT_TRUE(AllFinite(out)) << compose::InstrumentName(instrument);
        EXPECT_LT(Peak(out), 16.0f) << compose::InstrumentName(instrument);
    }
}

TEST(TrackRenderer, ExtremeSoundDesignStaysFinite) {
    compose::Score score = MakeScore();
    score.sound = {.log_drum_decay_s = 0.0,
                   .log_drum_pitch_drop_st = 100.0,
                   .log_drum_pitch_time_s = 0.0,
                   .log_drum_glide_s = 0.0,
                   .log_drum_drive = 0.0,
                   .log_drum_cutoff_hz = 1e6,
                   .kick_decay_s = 0.0,
                   .keys_brightness = 5.0,
                   .reverb_amount = 0.0};
    for (Instrument instrument : compose::kAllInstruments) {
        const auto out = Render(RandomTrack(instrument, 1, 9, 1.0f), score, 2.5);
        EXPECT_TRUE(AllFinite(out)) << compose::InstrumentName(instrument);
        EXPECT_LE(Peak(out), 1.5f) << compose::InstrumentName(instrument);
    }
}

}  // namespace
}  // namespace amapiano::synth
