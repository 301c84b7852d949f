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

}  // namespace
}  // namespace amapiano
