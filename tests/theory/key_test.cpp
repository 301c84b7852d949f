#include "theory/key.h"

#include <gtest/gtest.h>

namespace amapiano::theory {
namespace {

TEST(ParseKey, AcceptsTheContractSpellings) {
    EXPECT_EQ(*ParseKey("F#m"), (Key{6, Mode::kMinor}));
    EXPECT_EQ(*ParseKey("Am"), (Key{9, Mode::kMinor}));
    EXPECT_EQ(*ParseKey("Eb"), (Key{3, Mode::kMajor}));
    EXPECT_EQ(*ParseKey("C"), (Key{0, Mode::kMajor}));
    EXPECT_EQ(*ParseKey("Bbm"), (Key{10, Mode::kMinor}));
    EXPECT_EQ(*ParseKey("f# minor"), (Key{6, Mode::kMinor}));
    EXPECT_EQ(*ParseKey("Db major"), (Key{1, Mode::kMajor}));
    EXPECT_EQ(*ParseKey("Cb"), (Key{11, Mode::kMajor}));
}

TEST(ParseKey, RejectsWhatIsNotAKey) {
    for (const char* text : {"H", "", "Xm", "F#q", "minor", "C##m"}) {
        auto key = ParseKey(text);
        ASSERT_FALSE(key.ok()) << text;
        EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_NE(ParseKey("H").error().message.find("'H'"), std::string::npos);
}

TEST(KeyName, RoundTripsEveryKey) {
    for (int pc = 0; pc < 12; ++pc) {
        for (Mode mode : {Mode::kMajor, Mode::kMinor}) {
            const Key key{pc, mode};
            EXPECT_EQ(*ParseKey(KeyName(key)), key) << KeyName(key);
        }
    }
    EXPECT_EQ(KeyName(Key{6, Mode::kMinor}), "F#m");
    EXPECT_EQ(TonicName(Key{3, Mode::kMajor}), "Eb");
}

TEST(KeySignature, CountsSharpsAndFlats) {
    EXPECT_EQ(KeySignatureAccidentals(Key{6, Mode::kMinor}), 3);   // F# minor: 3 sharps
    EXPECT_EQ(KeySignatureAccidentals(Key{3, Mode::kMajor}), -3);  // Eb major: 3 flats
    EXPECT_EQ(KeySignatureAccidentals(Key{9, Mode::kMinor}), 0);
    EXPECT_EQ(KeySignatureAccidentals(Key{5, Mode::kMinor}), -4);  // F minor: 4 flats
}

}  // namespace
}  // namespace amapiano::theory
