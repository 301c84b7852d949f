// Text helpers: trimming and hexadecimal round trips, including malformed input.
#include "core/text.h"

#include <gtest/gtest.h>

namespace amapiano {
namespace {

TEST(TextTest, TrimsWhitespaceOnBothEnds) {
    EXPECT_EQ(TrimWhitespace("  a b\t\n"), "a b");
    EXPECT_EQ(TrimWhitespace(" \t "), "");
}

TEST(TextTest, HexRoundTripsEveryByte) {
    std::string all;
    for (int b = 0; b < 256; ++b) all += char(b);
    const std::string hex = HexEncode(all);
    EXPECT_EQ(hex.substr(0, 8), "00010203");
    EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
    EXPECT_EQ(HexDecode(hex), all);
    EXPECT_EQ(HexDecode("ABcd"), std::string("\xab\xcd"));
    EXPECT_FALSE(HexDecode("abc"));
    EXPECT_FALSE(HexDecode("zz"));
    EXPECT_EQ(HexDecode(""), "");
}

}  // namespace
}  // namespace amapiano
