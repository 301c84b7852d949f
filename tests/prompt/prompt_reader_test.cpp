#include "prompt/prompt_reader.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace amapiano::prompt {
namespace {

using compose::Instrument;
using compose::Subgenre;

bool Has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(PromptReader, ReadsTheExamplePrompt) {
    const PromptReading r =
        ReadPrompt("soulful private school amapiano, jazzy piano, deep log drums, 112 BPM in F#m");
    EXPECT_EQ(r.subgenre, Subgenre::kPrivateSchool);
    EXPECT_EQ(r.bpm, 112.0);
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(*r.key, (theory::Key{6, theory::Mode::kMinor}));
    EXPECT_EQ(r.mood, "soulful");
    EXPECT_EQ(r.include, (std::set<Instrument>{Instrument::kKeys, Instrument::kLogDrum}));
    EXPECT_TRUE(r.exclude.empty());
    for (const char* phrase :
         {"soulful", "private school", "amapiano", "jazzy piano", "deep log drums", "112 BPM", "in F#m"}) {
        EXPECT_TRUE(Has(r.understood, phrase)) << phrase;
    }
    EXPECT_TRUE(r.ignored.empty());
}

TEST(PromptReader, EmptyAndGarbage) {
    const PromptReading empty = ReadPrompt("");
    EXPECT_FALSE(empty.subgenre || empty.bpm || empty.key || empty.bars || empty.seconds);
    EXPECT_TRUE(empty.understood.empty());
    EXPECT_TRUE(empty.ignored.empty());

    const PromptReading garbage = ReadPrompt("qwzx ##!! florp 12ab");
    EXPECT_FALSE(garbage.subgenre || garbage.bpm || garbage.key);
    EXPECT_TRUE(garbage.understood.empty());
    EXPECT_TRUE(Has(garbage.ignored, "qwzx"));
    EXPECT_TRUE(Has(garbage.ignored, "florp"));
}

TEST(PromptReader, OutOfRangeTempoIsIgnored) {
    const PromptReading r = ReadPrompt("bacardi at 900 bpm");
    EXPECT_EQ(r.subgenre, Subgenre::kBacardi);
    EXPECT_FALSE(r.bpm.has_value());
    EXPECT_TRUE(Has(r.ignored, "900 bpm"));
}

TEST(PromptReader, TempoForms) {
    EXPECT_EQ(ReadPrompt("112bpm").bpm, 112.0);
    EXPECT_EQ(ReadPrompt("112 BPM").bpm, 112.0);
    EXPECT_EQ(ReadPrompt("bpm 115").bpm, 115.0);
    EXPECT_EQ(ReadPrompt("113.5 bpm").bpm, 113.5);
}

TEST(PromptReader, Keys) {
    EXPECT_EQ(ReadPrompt("in A minor").key, (theory::Key{9, theory::Mode::kMinor}));
    EXPECT_EQ(ReadPrompt("C major groove").key, (theory::Key{0, theory::Mode::kMajor}));
    EXPECT_EQ(ReadPrompt("something in Eb").key, (theory::Key{3, theory::Mode::kMajor}));
    EXPECT_EQ(ReadPrompt("F#m vibes").key, (theory::Key{6, theory::Mode::kMinor}));
    EXPECT_EQ(ReadPrompt("key of Gm").key, (theory::Key{7, theory::Mode::kMinor}));
    // Articles and ordinary words are not keys.
    EXPECT_FALSE(ReadPrompt("a deep track").key.has_value());
    EXPECT_FALSE(ReadPrompt("Deep bass, a beat").key.has_value());
}

TEST(PromptReader, Lengths) {
    EXPECT_EQ(ReadPrompt("3 minutes").seconds, 180.0);
    EXPECT_EQ(ReadPrompt("90 seconds").seconds, 90.0);
    EXPECT_EQ(ReadPrompt("32 bars").bars, 32);
    EXPECT_EQ(ReadPrompt("three minute track").seconds, 180.0);
    const PromptReading r = ReadPrompt("5000 bars");
    EXPECT_FALSE(r.bars.has_value());
    EXPECT_TRUE(Has(r.ignored, "5000 bars"));
}

TEST(PromptReader, SubgenreWords) {
    EXPECT_EQ(ReadPrompt("quantum amapiano").subgenre, Subgenre::kSgija);
    EXPECT_EQ(ReadPrompt("Sgija").subgenre, Subgenre::kSgija);
    EXPECT_EQ(ReadPrompt("classic amapiano").subgenre, Subgenre::kClassic);
    EXPECT_EQ(ReadPrompt("private-school").subgenre, Subgenre::kPrivateSchool);
    EXPECT_EQ(ReadPrompt("Bacardi!").subgenre, Subgenre::kBacardi);
}

TEST(PromptReader, InstrumentsAskedForAndExcluded) {
    const PromptReading r = ReadPrompt("dark sgija with sax, no log drum, without vocals");
    EXPECT_EQ(r.mood, "dark");
    EXPECT_TRUE(r.include.count(Instrument::kLead));
    EXPECT_TRUE(r.exclude.count(Instrument::kLogDrum));
    EXPECT_FALSE(r.include.count(Instrument::kLogDrum));
    EXPECT_TRUE(Has(r.understood, "no log drum"));
    EXPECT_TRUE(Has(r.understood, "without vocals"));
    const PromptReading p = ReadPrompt("without piano");
    EXPECT_TRUE(p.exclude.count(Instrument::kKeys));
}

TEST(PromptReader, EnergyAndSwing) {
    const PromptReading chilled = ReadPrompt("chilled and swung");
    EXPECT_LT(*chilled.energy, 0.4);
    EXPECT_GT(*chilled.swing_percent, 55.0);
    const PromptReading high = ReadPrompt("high energy, straight");
    EXPECT_GT(*high.energy, 0.7);
    EXPECT_EQ(*high.swing_percent, 50.0);
}

TEST(PromptReader, ApplyReadingFillsTheSpec) {
    compose::GenerationSpec spec;
    spec.include = {Instrument::kKeys};
    ApplyReading(ReadPrompt("uplifting bacardi 118 bpm in C major, 32 bars, no piano, with congas"), spec);
    EXPECT_EQ(spec.subgenre, Subgenre::kBacardi);
    EXPECT_EQ(spec.bpm, 118.0);
    EXPECT_EQ(spec.key, (theory::Key{0, theory::Mode::kMajor}));
    EXPECT_EQ(spec.bars, 32);
    EXPECT_EQ(spec.mood, "uplifting");
    EXPECT_TRUE(spec.exclude.count(Instrument::kKeys));
    EXPECT_FALSE(spec.include.count(Instrument::kKeys));
    EXPECT_TRUE(spec.include.count(Instrument::kPerc));
}

}  // namespace
}  // namespace amapiano::prompt
