#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "core/ids.h"

namespace amapiano {
namespace {

TEST(Ids, AreUniqueUrlSafeAndOfFixedLength) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = NewId();
        ASSERT_EQ(id.size(), 26u);
        EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos) << id;
        EXPECT_TRUE(seen.insert(id).second);
    }
    const std::string token = RandomToken(32);
    EXPECT_EQ(token.size(), 43u);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_NE(RandomToken(32), token);
    EXPECT_EQ(RandomBytes(0).size(), 0u);
}

TEST(Clock, UtcTimestampsAreIso8601WithMillisecondsAndSortLikeTime) {
    using namespace std::chrono;
    const system_clock::time_point t =
        sys_days{2026y / November / 27} + hours(6) + minutes(5) + milliseconds(7);
    EXPECT_EQ(UtcTimestamp(t), "2026-11-27T06:05:00.007Z");
    EXPECT_EQ(UtcTimestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
    EXPECT_LT(UtcTimestamp(t), UtcTimestamp(t + milliseconds(1)));
    EXPECT_LT(UtcTimestamp(t + seconds(9)), UtcTimestamp(t + seconds(10)));
}

TEST(Clock, ParseUtcTimestampReadsBackWhatUtcTimestampWrites) {
    using namespace std::chrono;
    const system_clock::time_point t =
        sys_days{2024y / February / 29} + hours(23) + minutes(59) + seconds(58) + milliseconds(999);
    EXPECT_EQ(ParseUtcTimestamp(UtcTimestamp(t)), t);
    EXPECT_EQ(ParseUtcTimestamp("1970-01-01T00:00:00.000Z"), system_clock::time_point{});
    EXPECT_EQ(ParseUtcTimestamp("2026-11-27T06:05:00Z"),
              sys_days{2026y / November / 27} + hours(6) + minutes(5));
    for (const char* bad : {"", "2026-11-27", "2026-11-27T06:05:00.007", "2026-13-27T06:05:00.007Z",
                            "2026-11-27 06:05:00.007Z", "2026-11-27T06:05:00.07xZ", "2026-11-27T24:05:00Z"}) {
        EXPECT_EQ(ParseUtcTimestamp(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace amapiano
