#include "compose/composer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "compose/humanize.h"
#include "compose/test_util.h"
#include "theory/chord.h"

namespace amapiano::compose {
namespace {

using testing::BlockContent;
using testing::ComposeOrDie;
using testing::FindTrack;

GenerationSpec Spec(Subgenre subgenre, uint64_t seed) {
    GenerationSpec spec;
    spec.subgenre = subgenre;
    spec.seed = seed;
    return spec;
}

// Mean delay of the shaker's off-16ths behind the grid, in beats: the swing the listener hears.
double MeanShakerLateness(const Score& score) {
    double late = 0.0;
    int n = 0;
    for (const NoteEvent& e : FindTrack(score, Instrument::kShaker)->events) {
        if (e.step % 2 == 1) {
            late += e.start_beats - static_cast<double>(e.step) / kStepsPerBeat;
            ++n;
        }
    }
    return late / n;
}

TEST(Composer, ResolvesDefaultsFromTheStyle) {
    const Score score = ComposeOrDie(Spec(Subgenre::kPrivateSchool, 3));
    EXPECT_EQ(score.bpm, 110);
    EXPECT_EQ(score.bars, 96);
    EXPECT_EQ(score.swing_percent, 57);
    EXPECT_EQ(score.tail_beats, 4.0);
    EXPECT_FALSE(score.is_loop);
    EXPECT_EQ(score.subgenre, Subgenre::kPrivateSchool);
}

TEST(Composer, HonoursExplicitTempoKeyAndLength) {
    GenerationSpec spec = Spec(Subgenre::kClassic, 5);
    spec.bpm = 112;
    spec.key = theory::Key{6, theory::Mode::kMinor};
    spec.seconds = 60;
    const Score score = ComposeOrDie(spec);
    EXPECT_EQ(score.bpm, 112);
    EXPECT_EQ(score.key, (theory::Key{6, theory::Mode::kMinor}));
    EXPECT_EQ(score.bars, 28);  // 60 s at 112 BPM = 28 bars
}

TEST(Composer, IsDeterministic) {
    for (Subgenre subgenre : kAllSubgenres) {
        const Score a = ComposeOrDie(Spec(subgenre, 42));
        const Score b = ComposeOrDie(Spec(subgenre, 42));
        ASSERT_EQ(a.tracks.size(), b.tracks.size());
        for (size_t t = 0; t < a.tracks.size(); ++t) {
            ASSERT_EQ(a.tracks[t].instrument, b.tracks[t].instrument);
            ASSERT_EQ(a.tracks[t].events.size(), b.tracks[t].events.size());
            for (size_t i = 0; i < a.tracks[t].events.size(); ++i) {
                ASSERT_TRUE(testing::SameEvents(a.tracks[t].events[i], b.tracks[t].events[i]));
            }
        }
        ASSERT_EQ(a.harmony.size(), b.harmony.size());
        for (size_t i = 0; i < a.harmony.size(); ++i) EXPECT_EQ(a.harmony[i].symbol, b.harmony[i].symbol);
    }
}

// Log drum placement (steps within the bar) and pitch intervals relative to the first note of the
// bar: transposition-free, so a different key alone does not count as different.
std::set<std::vector<std::pair<int, int>>> LogDrumFigures(const Score& score) {
    std::map<int64_t, std::vector<std::pair<int, int>>> bars;
    for (const NoteEvent& e : FindTrack(score, Instrument::kLogDrum)->events) {
        bars[e.step / kStepsPerBar].emplace_back(static_cast<int>(e.step % kStepsPerBar), e.pitch);
    }
    std::set<std::vector<std::pair<int, int>>> figures;
    for (auto& [bar, notes] : bars) {
        const int base = notes.front().second;
        for (auto& n : notes) n.second -= base;
        figures.insert(notes);
    }
    return figures;
}

TEST(Composer, DifferentSeedsGiveDifferentMusicNotJustATransposition) {
    for (Subgenre subgenre : kAllSubgenres) {
        GenerationSpec a = Spec(subgenre, 1);
        GenerationSpec b = Spec(subgenre, 2);
        a.key = b.key = theory::Key{9, theory::Mode::kMinor};
        const Score sa = ComposeOrDie(a);
        const Score sb = ComposeOrDie(b);
        EXPECT_NE(LogDrumFigures(sa), LogDrumFigures(sb)) << SubgenreName(subgenre);
        // Keys voicings/rhythms differ.
        const Track* ka = FindTrack(sa, Instrument::kKeys);
        const Track* kb = FindTrack(sb, Instrument::kKeys);
        std::vector<std::pair<int64_t, int>> va, vb;
        for (const NoteEvent& e : ka->events) va.emplace_back(e.step, e.pitch);
        for (const NoteEvent& e : kb->events) vb.emplace_back(e.step, e.pitch);
        EXPECT_NE(va, vb);
        // Fills differ: percussion in the last bar of each 8-bar block.
        std::vector<std::tuple<int64_t, int, int>> fa, fb;
        for (const Score* s : {&sa, &sb}) {
            auto& f = s == &sa ? fa : fb;
            for (const Track& t : s->tracks) {
                if (!IsDrum(t.instrument)) continue;
                for (const NoteEvent& e : t.events) {
                    if ((e.step / kStepsPerBar) % 8 == 7)
                        f.emplace_back(e.step, e.pitch, static_cast<int>(t.instrument));
                }
            }
            std::sort(f.begin(), f.end());
        }
        EXPECT_NE(fa, fb);
    }
}

TEST(Composer, NoTwoEightBarBlocksAreIdentical) {
    for (Subgenre subgenre : kAllSubgenres) {
        for (uint64_t seed : {1u, 9u, 123u}) {
            const Score score = ComposeOrDie(Spec(subgenre, seed));
            ASSERT_EQ(score.bars, 96);
            std::set<std::vector<std::tuple<int, int64_t, int>>> seen;
            for (int block = 0; block < score.bars / 8; ++block) {
                EXPECT_TRUE(seen.insert(BlockContent(score, block)).second)
                    << SubgenreName(subgenre) << " seed " << seed << " block " << block;
            }
        }
    }
}

TEST(Composer, SectionsCoverTheTrackWithIntroBreakdownAndOutro) {
    for (int bars : {8, 12, 16, 28, 32, 48, 64, 96, 100, 200}) {
        GenerationSpec spec = Spec(Subgenre::kClassic, 4);
        spec.bars = bars;
        const Score score = ComposeOrDie(spec);
        int next = 0;
        std::set<std::string> names;
        for (const Section& s : score.sections) {
            EXPECT_EQ(s.start_bar, next) << bars;
            EXPECT_GT(s.bars, 0);
            next += s.bars;
            names.insert(s.name);
        }
        EXPECT_EQ(next, bars);
        EXPECT_TRUE(names.count("intro")) << bars;
        EXPECT_TRUE(names.count("outro")) << bars;
        EXPECT_TRUE(names.count("breakdown")) << bars;
        EXPECT_TRUE(names.count("log-drum-entry")) << bars;
    }
    const Score full = ComposeOrDie(Spec(Subgenre::kClassic, 4));
    EXPECT_EQ(full.sections.front().name, "intro");
    EXPECT_GE(full.sections.front().bars, 16);
    EXPECT_EQ(full.sections.back().name, "outro");
    EXPECT_GE(full.sections.back().bars, 16);
    for (const Section& s : full.sections) EXPECT_EQ(s.bars % 8, 0) << s.name;
}

TEST(Composer, LogDrumStaysInRangeAndMostlyOffTheKick) {
    for (Subgenre subgenre : kAllSubgenres) {
        const Score score = ComposeOrDie(Spec(subgenre, 11));
        std::set<int64_t> kicks;
        for (const NoteEvent& e : FindTrack(score, Instrument::kKick)->events) kicks.insert(e.step);
        int on_kick = 0;
        const auto& log = FindTrack(score, Instrument::kLogDrum)->events;
        ASSERT_FALSE(log.empty());
        for (const NoteEvent& e : log) {
            EXPECT_GE(e.pitch, 33);
            EXPECT_LE(e.pitch, 52);
            on_kick += kicks.count(e.step) ? 1 : 0;
        }
        EXPECT_LT(on_kick, static_cast<int>(log.size()) / 2) << SubgenreName(subgenre);
        // Some notes overlap their successor: the synth glides there.
        int overlaps = 0;
        for (size_t i = 0; i + 1 < log.size(); ++i) {
            overlaps += log[i].start_beats + log[i].duration_beats > log[i + 1].start_beats ? 1 : 0;
        }
        EXPECT_GT(overlaps, 0);
    }
}

TEST(Composer, KickOnTheGridOthersSwungWithinRange) {
    for (Subgenre subgenre : kAllSubgenres) {
        const Score score = ComposeOrDie(Spec(subgenre, 8));
        const double max_offset_beats = 0.03 * score.bpm / 60.0;  // micro-timing stays within 30 ms
        for (const Track& t : score.tracks) {
            for (const NoteEvent& e : t.events) {
                const double grid = static_cast<double>(e.step) / kStepsPerBeat;
                ASSERT_GE(e.start_beats, 0.0);
                ASSERT_LT(e.start_beats, score.bars * kBeatsPerBar);
                if (t.instrument == Instrument::kKick) {
                    ASSERT_EQ(e.start_beats, grid);
                } else {
                    const double swing = SwingOffsetBeats(e.step, score.swing_percent);
                    ASSERT_NEAR(e.start_beats, grid + swing, max_offset_beats)
                        << InstrumentName(t.instrument);
                }
                ASSERT_GT(e.velocity, 0.0f);
                ASSERT_LE(e.velocity, 1.0f);
            }
            for (size_t i = 1; i < t.events.size(); ++i)
                ASSERT_LE(t.events[i - 1].start_beats, t.events[i].start_beats);
        }
        // Shakers on off-16ths are late on average by the swing amount.
        EXPECT_NEAR(MeanShakerLateness(score), (score.swing_percent - 50.0) / 200.0, 0.005);
    }
}

// --swing 50 is straight time: off-16ths land on the grid (up to micro-timing), while the default
// pushes them late. The validator's groove criterion relies on this contrast.
TEST(Composer, ExplicitSwingFiftyIsStraight) {
    GenerationSpec straight = Spec(Subgenre::kClassic, 4);
    straight.swing_percent = 50.0;
    const Score straight_score = ComposeOrDie(straight);
    const Score swung_score = ComposeOrDie(Spec(Subgenre::kClassic, 4));
    EXPECT_EQ(straight_score.swing_percent, 50.0);
    EXPECT_NEAR(MeanShakerLateness(straight_score), 0.0, 0.004);
    EXPECT_GT(MeanShakerLateness(swung_score), 0.015);
}

TEST(Composer, ClapOnTwoAndFourKickFourOnTheFloorInGrooves) {
    const Score score = ComposeOrDie(Spec(Subgenre::kClassic, 2));
    std::map<int, int> clap_steps;
    for (const NoteEvent& e : FindTrack(score, Instrument::kClap)->events)
        clap_steps[static_cast<int>(e.step % 16)]++;
    EXPECT_GT(clap_steps[4] + clap_steps[12],
              static_cast<int>(FindTrack(score, Instrument::kClap)->events.size()) / 2);
    int on_beat = 0;
    const auto& kicks = FindTrack(score, Instrument::kKick)->events;
    for (const NoteEvent& e : kicks) on_beat += e.step % 4 == 0 ? 1 : 0;
    EXPECT_GT(on_beat, static_cast<int>(kicks.size()) * 9 / 10);
}

TEST(Composer, ChordsUseTheJazzVocabularyAndEstablishTheKey) {
    const std::set<std::string> vocabulary = {"",  "m", "m7", "m9", "m11",   "maj7", "maj9",
                                              "7", "9", "11", "13", "7sus4", "sus4", "add9"};
    for (Subgenre subgenre : kAllSubgenres) {
        for (theory::Key key : {theory::Key{6, theory::Mode::kMinor}, theory::Key{0, theory::Mode::kMinor},
                                theory::Key{7, theory::Mode::kMajor}}) {
            for (uint64_t seed : {1u, 2u, 3u}) {
                GenerationSpec spec = Spec(subgenre, seed);
                spec.key = key;
                const Score score = ComposeOrDie(spec);
                std::map<int, double> by_root;
                double covered = 0.0;
                for (const ChordSpan& span : score.harmony) {
                    const std::optional<theory::Chord> chord = theory::ParseChordSymbol(span.symbol);
                    ASSERT_TRUE(chord.has_value()) << span.symbol;
                    EXPECT_TRUE(vocabulary.count(std::string(theory::QualitySuffix(chord->quality))));
                    EXPECT_EQ(chord->root_pc, span.root_pc);
                    by_root[span.root_pc] += span.duration_beats;
                    EXPECT_NEAR(span.start_beats, covered, 1e-9);
                    covered += span.duration_beats;
                }
                EXPECT_NEAR(covered, score.bars * kBeatsPerBar, 1e-9);
                // The tonic chord sounds longest, and it is minor in minor keys, major in major.
                for (const auto& [root, beats] : by_root) {
                    if (root != key.tonic_pc) {
                        EXPECT_GT(by_root[key.tonic_pc], beats) << theory::KeyName(key);
                    }
                }
                const theory::Chord first = *theory::ParseChordSymbol(score.harmony.front().symbol);
                EXPECT_EQ(first.root_pc, key.tonic_pc);
                EXPECT_EQ(theory::IsMinorQuality(first.quality), key.mode == theory::Mode::kMinor);
            }
        }
    }
}

TEST(Composer, KeysVoicingsSitInTheMiddleRegister) {
    const Score score = ComposeOrDie(Spec(Subgenre::kPrivateSchool, 6));
    for (const NoteEvent& e : FindTrack(score, Instrument::kKeys)->events) {
        EXPECT_GE(e.pitch, 52);
        EXPECT_LE(e.pitch, 84);  // riffs may climb above the stabs
    }
    for (const NoteEvent& e : FindTrack(score, Instrument::kBass)->events) {
        EXPECT_GE(e.pitch, 28);
        EXPECT_LE(e.pitch, 40);
    }
    EXPECT_NE(FindTrack(score, Instrument::kLead), nullptr);  // private school has its sax/flute answers
}

TEST(Composer, LoopsHoldOnlyTheirPartAndStayInside) {
    const std::map<LoopPart, std::set<Instrument>> allowed = {
        {LoopPart::kLogDrum, {Instrument::kLogDrum}},
        {LoopPart::kPiano, {Instrument::kKeys, Instrument::kPad}},
        {LoopPart::kDrums,
         {Instrument::kKick, Instrument::kShaker, Instrument::kClap, Instrument::kHats, Instrument::kRim,
          Instrument::kPerc}},
        {LoopPart::kBass, {Instrument::kBass, Instrument::kLogDrum}},
        {LoopPart::kFull, {std::begin(kAllInstruments), std::end(kAllInstruments)}},
    };
    for (const auto& [part, instruments] : allowed) {
        for (int bars : {4, 8, 16}) {
            GenerationSpec spec = Spec(Subgenre::kSgija, 5);
            spec.loop = part;
            spec.bars = bars;
            const Score score = ComposeOrDie(spec);
            EXPECT_TRUE(score.is_loop);
            EXPECT_EQ(score.tail_beats, 0.0);
            EXPECT_EQ(score.bars, bars);
            ASSERT_EQ(score.sections.size(), 1u);
            EXPECT_EQ(score.sections[0].bars, bars);
            ASSERT_FALSE(score.tracks.empty()) << LoopPartName(part);
            for (const Track& t : score.tracks) {
                EXPECT_TRUE(instruments.count(t.instrument))
                    << LoopPartName(part) << " " << InstrumentName(t.instrument);
                for (const NoteEvent& e : t.events) {
                    EXPECT_GE(e.start_beats, 0.0);
                    EXPECT_LT(e.start_beats, bars * kBeatsPerBar);
                }
            }
        }
    }
    GenerationSpec spec = Spec(Subgenre::kClassic, 5);
    spec.loop = LoopPart::kDrums;
    EXPECT_EQ(ComposeOrDie(spec).bars, 8);  // default loop length
}

TEST(Composer, ExcludedInstrumentsNeverAppearIncludedOnesDo) {
    GenerationSpec spec = Spec(Subgenre::kSgija, 3);
    spec.exclude = {Instrument::kLogDrum, Instrument::kClap};
    spec.include = {Instrument::kLead, Instrument::kLogDrum};
    const Score score = ComposeOrDie(spec);
    EXPECT_EQ(FindTrack(score, Instrument::kLogDrum), nullptr);
    EXPECT_EQ(FindTrack(score, Instrument::kClap), nullptr);
    EXPECT_NE(FindTrack(score, Instrument::kLead), nullptr);

    GenerationSpec loop = Spec(Subgenre::kClassic, 3);
    loop.loop = LoopPart::kBass;
    loop.exclude = {Instrument::kLogDrum};
    for (const Track& t : ComposeOrDie(loop).tracks) EXPECT_NE(t.instrument, Instrument::kLogDrum);
}

TEST(Composer, MoodShapesTempoAndSound) {
    GenerationSpec dark = Spec(Subgenre::kClassic, 1);
    dark.mood = "dark";
    GenerationSpec mellow = Spec(Subgenre::kClassic, 1);
    mellow.mood = "mellow";
    const Score d = ComposeOrDie(dark);
    const Score m = ComposeOrDie(mellow);
    EXPECT_GT(d.bpm, m.bpm);
    EXPECT_GE(d.bpm, 110);
    EXPECT_LE(d.bpm, 116);
    EXPECT_GT(d.sound.log_drum_drive, m.sound.log_drum_drive);
    EXPECT_LT(d.sound.keys_brightness, m.sound.keys_brightness);
    EXPECT_EQ(d.key.mode, theory::Mode::kMinor);
}

TEST(Composer, InvalidSpecsAreInvalidArgument) {
    auto expect_invalid = [](const GenerationSpec& spec, const char* what) {
        Result<Score> score = Compose(spec);
        ASSERT_FALSE(score.ok()) << what;
        EXPECT_EQ(score.error().code, ErrorCode::kInvalidArgument) << what;
        EXPECT_FALSE(score.error().message.empty());
    };
    GenerationSpec spec;
    spec.bpm = 250;
    expect_invalid(spec, "bpm");
    spec = {};
    spec.bpm = std::nan("");
    expect_invalid(spec, "nan bpm");
    spec = {};
    spec.bars = 4;
    expect_invalid(spec, "short track");
    spec = {};
    spec.bars = 600;
    expect_invalid(spec, "long track");
    spec = {};
    spec.bars = 16;
    spec.seconds = 30;
    expect_invalid(spec, "bars and seconds");
    spec = {};
    spec.loop = LoopPart::kDrums;
    spec.bars = 32;
    expect_invalid(spec, "long loop");
    spec = {};
    spec.swing_percent = 80;
    expect_invalid(spec, "swing");
    spec = {};
    spec.seconds = -3;
    expect_invalid(spec, "negative seconds");
    spec = {};
    spec.energy = 2;
    expect_invalid(spec, "energy");
}

}  // namespace
}  // namespace amapiano::compose
