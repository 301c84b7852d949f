#include "core/random.h"

#include <gtest/gtest.h>

#include <set>

namespace amapiano {
namespace {

TEST(Rng, SameSeedGivesSameSequence) {
    Rng a(123), b(123);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.NextU64(), b.NextU64());
}

TEST(Rng, SequenceIsPinnedAcrossPlatformsAndReleases) {
    // Generated audio must stay identical for a seed: pin the first outputs.
    Rng rng(1);
    EXPECT_EQ(rng.NextU64(), 0xB3F2AF6D0FC710C5ULL);
}

TEST(Rng, ForksAreIndependentAndStable) {
    Rng rng(7);
    Rng drums = rng.Fork("drums");
    Rng keys = rng.Fork("keys");
    EXPECT_NE(drums.NextU64(), keys.NextU64());
    EXPECT_EQ(Rng(7).Fork("drums").NextU64(), Rng(7).Fork("drums").NextU64());
    // Forking does not advance the parent.
    Rng fresh(7);
    EXPECT_EQ(rng.NextU64(), fresh.NextU64());
}

TEST(Rng, IntCoversItsInclusiveRange) {
    Rng rng(3);
    std::set<int> seen;
    for (int i = 0; i < 1000; ++i) {
        const int v = rng.Int(-2, 2);
        ASSERT_GE(v, -2);
        ASSERT_LE(v, 2);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 5u);
}

TEST(Rng, UniformStaysInRangeWithSensibleMean) {
    Rng rng(5);
    double sum = 0.0;
    for (int i = 0; i < 10000; ++i) {
        const double u = rng.Uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(Rng, WeightedNeverPicksZeroWeight) {
    Rng rng(9);
    const std::vector<double> weights = {0.0, 1.0, 0.0, 3.0};
    int counts[4] = {};
    for (int i = 0; i < 4000; ++i) ++counts[rng.Weighted(weights)];
    EXPECT_EQ(counts[0], 0);
    EXPECT_EQ(counts[2], 0);
    EXPECT_GT(counts[3], counts[1] * 2);
}

}  // namespace
}  // namespace amapiano
