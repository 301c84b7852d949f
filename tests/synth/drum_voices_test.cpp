#include "synth/drum_voices.h"

#include <gtest/gtest.h>

#include "synth/track_renderer.h"
#include "synth_test_util.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;
using namespace testing;

std::vector<float> Hit(Instrument instrument, int note, float velocity = 0.9f, double seconds = 0.5) {
    return Render(MakeTrack(instrument, {Note(0.0, 0.1, note, velocity)}), MakeScore(), seconds);
}

TEST(Kick, EnergyMostlyBelow150Hz) {
    const auto out = Hit(Instrument::kKick, 36);
    EXPECT_GT(1.0 - EnergyFractionAbove(Window(out, 0.0, 0.4), 150.0), 0.75);
}

TEST(Kick, SweepsDownToAboutFiftyHz) {
    const auto out = Hit(Instrument::kKick, 36, 0.9f, 0.4);
    const double early_hz = ZeroCrossingHz(Window(out, 0.0, 0.02));
    const double late_hz = ZeroCrossingHz(Window(out, 0.08, 0.3));
    EXPECT_GT(early_hz, 85.0);
    EXPECT_NEAR(late_hz, 52.0, 5.0);
}

TEST(Kick, DecayFollowsSoundDesign) {
    compose::Score short_score = MakeScore();
    short_score.sound.kick_decay_s = 0.06;
    compose::Score long_score = MakeScore();
    long_score.sound.kick_decay_s = 0.25;
    const auto track = MakeTrack(Instrument::kKick, {Note(0.0, 0.1, 36)});
    const auto short_out = Render(track, short_score, 0.6);
    const auto long_out = Render(track, long_score, 0.6);
    EXPECT_LT(Rms(Window(short_out, 0.2, 0.3)), 0.1 * Rms(Window(long_out, 0.2, 0.3)));
}

TEST(Shaker, EnergyMostlyAbove4kHz) {
    for (int note : {69, 70, 82}) {
        const auto out = Hit(Instrument::kShaker, note, 0.8f, 0.15);
        EXPECT_GT(EnergyFractionAbove(out, 4000.0), 0.8) << "note " << note;
        EXPECT_LT(Rms(Window(out, 0.1, 0.15)), 0.02 * Peak(out)) << "short burst, note " << note;
    }
}

TEST(Shaker, VelocitySensitive) {
    const auto soft = Hit(Instrument::kShaker, 82, 0.3f, 0.1);
    const auto hard = Hit(Instrument::kShaker, 82, 1.0f, 0.1);
    EXPECT_GT(Rms(hard), 3.0 * Rms(soft));
}

TEST(Hats, EnergyMostlyAbove4kHz) {
    for (int note : {42, 44, 46}) {
        const auto out = Hit(Instrument::kHats, note, 0.8f, 0.3);
        EXPECT_GT(EnergyFractionAbove(out, 4000.0), 0.8) << "note " << note;
    }
}

TEST(Hats, OpenRingsLongerThanClosed) {
    const auto closed = Hit(Instrument::kHats, 42);
    const auto open = Hit(Instrument::kHats, 46);
    EXPECT_LT(Rms(Window(closed, 0.08, 0.12)), 0.01 * Peak(closed));
    EXPECT_GT(Rms(Window(open, 0.08, 0.12)), 0.05 * Peak(open));
}

TEST(Hats, ClosedHatChokesOpenHat) {
    const auto alone = Render(MakeTrack(Instrument::kHats, {Note(0.0, 0.1, 46)}), MakeScore(), 0.4);
    // The closed hat is quiet enough that only the open hat's tail can carry energy after 0.15 s.
    const auto choked = Render(MakeTrack(Instrument::kHats, {Note(0.0, 0.1, 46), Note(0.05, 0.05, 42, 0.1f)}),
                               MakeScore(), 0.4);
    EXPECT_LT(Rms(Window(choked, 0.15, 0.3)), 0.05 * Rms(Window(alone, 0.15, 0.3)));
}

TEST(Clap, EnergyCentredAroundOneToTwoKilohertz) {
    const auto out = Hit(Instrument::kClap, 39, 0.9f, 0.25);
    const double band = EnergyFractionAbove(out, 600.0) - EnergyFractionAbove(out, 3500.0);
    EXPECT_GT(band, 0.6);
}

TEST(Clap, HasSeveralMicroBursts) {
    const auto out = Hit(Instrument::kClap, 39, 0.9f, 0.1);
    // RMS in 2 ms slices: a burst is a slice louder than the one before by 1.5x.
    int bursts = 0;
    double previous = 0.0;
    for (double t = 0.0; t < 0.045; t += 0.002) {
        const double r = Rms(Window(out, t, t + 0.002));
        if (r > 1.5 * previous && r > 0.05) ++bursts;
        previous = r;
    }
    EXPECT_GE(bursts, 3);
}

TEST(Perc, CongasAreTunedHighToLow) {
    const double hi = PeakHz(Window(Hit(Instrument::kPerc, 63), 0.02, 0.2), 150.0, 700.0, 2.0);
    const double low = PeakHz(Window(Hit(Instrument::kPerc, 64), 0.02, 0.2), 150.0, 700.0, 2.0);
    const double bongo = PeakHz(Window(Hit(Instrument::kPerc, 60), 0.02, 0.2), 150.0, 700.0, 2.0);
    EXPECT_LT(low, hi);
    EXPECT_LT(hi, bongo);
}

TEST(Drums, EveryGmNoteIsFiniteBoundedAndAudible) {
    for (Instrument instrument : {Instrument::kKick, Instrument::kShaker, Instrument::kClap,
                                  Instrument::kHats, Instrument::kRim, Instrument::kPerc}) {
        for (int note = 27; note <= 87; ++note) {
            const auto out = Hit(instrument, note, 1.0f, 0.6);
            EXPECT_TRUE(AllFinite(out));
            EXPECT_LE(Peak(out), 1.2f) << "note " << note;
            EXPECT_GT(Peak(out), 0.05f) << "note " << note;
        }
    }
}

TEST(Perc, WhistleFollowsItsLength) {
    const auto short_whistle = Render(MakeTrack(Instrument::kPerc, {Note(0.0, 0.5, 71)}), MakeScore(), 0.6);
    const auto long_whistle = Render(MakeTrack(Instrument::kPerc, {Note(0.0, 0.5, 72)}), MakeScore(), 0.6);
    EXPECT_LT(Rms(Window(short_whistle, 0.3, 0.4)), 1e-3);
    EXPECT_GT(Rms(Window(long_whistle, 0.3, 0.4)), 0.05);
}

}  // namespace
}  // namespace amapiano::synth
