#include "analysis/sections.h"

#include <gtest/gtest.h>

#include <vector>

namespace amapiano::analysis {
namespace {

// Frame summaries for bars of 2 s with a given overall level and low-end level.
struct Part final {
    int bars;
    float level_db;
    float low_db;
};

std::vector<FrameSummary> Frames(const std::vector<Part>& parts, std::vector<double>& downbeats) {
    std::vector<const Part*> bar_part;
    for (const Part& p : parts) bar_part.insert(bar_part.end(), size_t(p.bars), &p);
    for (size_t bar = 0; bar <= bar_part.size(); ++bar) downbeats.push_back(double(bar) * 2.0);
    std::vector<FrameSummary> frames;
    for (int i = 0; FrameTimeSeconds(i) < 2.0 * double(bar_part.size()); ++i) {
        const Part& p = *bar_part[size_t(FrameTimeSeconds(i) / 2.0)];
        FrameSummary f;
        f.total_db = p.level_db + ((i % 22) < 3 ? 6.0f : 0.0f);  // a beat pulse
        f.low_db = p.low_db;
        f.band_db = {p.low_db, p.low_db, p.level_db - 6, p.level_db - 3, p.level_db - 9};
        frames.push_back(f);
    }
    return frames;
}

TEST(Sections, IntroGrooveBreakdownGrooveOutro) {
    std::vector<double> downbeats;
    const auto frames =
        Frames({{8, -30, -40}, {16, -12, -10}, {8, -16, -45}, {16, -12, -10}, {8, -28, -40}}, downbeats);
    const std::vector<Section> sections = FindSections(frames, downbeats, 56 * 2.0);
    ASSERT_EQ(sections.size(), 5u);
    const std::vector<std::string> labels = {"intro", "main", "breakdown", "main", "outro"};
    const std::vector<int> starts = {0, 8, 24, 32, 48};
    for (size_t i = 0; i < sections.size(); ++i) {
        EXPECT_EQ(sections[i].label, labels[i]) << i;
        EXPECT_EQ(sections[i].start_bar, starts[i]) << i;
        EXPECT_DOUBLE_EQ(sections[i].start_s, starts[i] * 2.0) << i;
    }
    EXPECT_DOUBLE_EQ(sections.back().end_s, 112.0);
}

TEST(Sections, BarsCountFromTheStartWhenTheFirstDownbeatsAreMissedAndASilentTailDoesNotHideChanges) {
    std::vector<double> downbeats;
    auto frames =
        Frames({{8, -30, -40}, {16, -12, -10}, {8, -16, -45}, {16, -12, -10}, {8, -28, -40}}, downbeats);
    // The beat tracker found nothing in the sparse first three bars, nor in the ring-out.
    downbeats.erase(downbeats.begin(), downbeats.begin() + 3);
    downbeats.pop_back();
    // Two seconds of silence after the music: its huge novelty must not set the threshold for the rest.
    const int music_frames = int(frames.size());
    for (int i = music_frames; FrameTimeSeconds(i) < 114.0; ++i) frames.push_back(FrameSummary{});
    const std::vector<Section> sections = FindSections(frames, downbeats, 114.0);
    ASSERT_GE(sections.size(), 5u);
    const std::vector<std::string> labels = {"intro", "main", "breakdown", "main", "outro"};
    const std::vector<int> starts = {0, 8, 24, 32, 48};
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(sections[i].label, labels[i]) << i;
        EXPECT_EQ(sections[i].start_bar, starts[i]) << i;
        EXPECT_NEAR(sections[i].start_s, starts[i] * 2.0, 1e-9) << i;
    }
    EXPECT_DOUBLE_EQ(sections.back().end_s, 114.0);
}

TEST(Sections, SteadyTextureIsOneSection) {
    std::vector<double> downbeats;
    const auto frames = Frames({{32, -12, -10}}, downbeats);
    const std::vector<Section> sections = FindSections(frames, downbeats, 64.0);
    ASSERT_EQ(sections.size(), 1u);
    EXPECT_EQ(sections[0].label, "main");
    EXPECT_EQ(sections[0].bars, 32);
}

TEST(Sections, SilenceIsOneSilentSectionAndNothingIsNothing) {
    std::vector<double> downbeats;
    const auto frames = Frames({{8, -120, -120}}, downbeats);
    const std::vector<Section> sections = FindSections(frames, {}, 16.0);
    ASSERT_EQ(sections.size(), 1u);
    EXPECT_EQ(sections[0].label, "silence");
    EXPECT_TRUE(FindSections({}, {}, 0.0).empty());
}

}  // namespace
}  // namespace amapiano::analysis
