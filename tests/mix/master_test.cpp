#include "mix/master.h"

#include <ebur128.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "mix/test_signals.h"

namespace amapiano::mix {
namespace {

struct Measured final {
    double lufs = 0.0;
    double true_peak_dbtp = 0.0;
};

// The independent reference: libebur128's integrated loudness and true peak.
Measured MeasureWithLibebur128(const std::vector<float>& x, double rate) {
    ebur128_state* st =
        ebur128_init(2, static_cast<unsigned long>(rate), EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
    ebur128_add_frames_float(st, x.data(), x.size() / 2);
    Measured m;
    ebur128_loudness_global(st, &m.lufs);
    double peak = 0.0;
    for (unsigned int ch = 0; ch < 2; ++ch) {
        double p = 0.0;
        ebur128_true_peak(st, ch, &p);
        peak = std::max(peak, p);
    }
    m.true_peak_dbtp = 20.0 * std::log10(peak);
    ebur128_destroy(&st);
    return m;
}

void ExpectMastered(std::vector<float> x, double rate, const char* label) {
    Result<MasterReport> report = MasterInPlace(x, rate, -14.0, -1.0);
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (float v : x) ASSERT_TRUE(std::isfinite(v));
    const Measured m = MeasureWithLibebur128(x, rate);
    std::printf(
        "%s: in %.2f LUFS, gain %.2f dB, limiter %.2f dB -> %.3f LUFS (ours %.3f), %.3f dBTP (ours %.3f)\n",
        label, report->input_lufs, report->gain_db, report->max_reduction_db, m.lufs, report->integrated_lufs,
        m.true_peak_dbtp, report->true_peak_dbtp);
    EXPECT_NEAR(m.lufs, -14.0, 0.5) << label;
    EXPECT_NEAR(m.lufs, -14.0, 0.2) << label;
    EXPECT_NEAR(report->integrated_lufs, m.lufs, 0.05) << label;
    EXPECT_LE(m.true_peak_dbtp, -1.0) << label;
    EXPECT_LE(report->true_peak_dbtp, -1.0) << label;
}

TEST(MasterInPlace, PinkNoiseLandsOnTarget) {
    ExpectMastered(testing_signals::PinkNoise(44100 * 20, 0.1f, 7), 44100.0, "pink noise");
}

TEST(MasterInPlace, QuietPinkNoiseNeedsNoLimiting) {
    ExpectMastered(testing_signals::PinkNoise(44100 * 10, 0.01f, 3), 44100.0, "quiet pink noise");
}

TEST(MasterInPlace, LoudDrumsLandOnTargetBelowCeiling) {
    ExpectMastered(testing_signals::DrumMix(44100.0, 44100 * 20, 5), 44100.0, "drums 44.1k");
}

TEST(MasterInPlace, WorksAtFortyEightKilohertz) {
    ExpectMastered(testing_signals::DrumMix(48000.0, 48000 * 12, 9), 48000.0, "drums 48k");
}

TEST(MasterInPlace, QuietDrumsAreRaisedAndLimited) {
    std::vector<float> x = testing_signals::DrumMix(44100.0, 44100 * 15, 11);
    for (float& v : x) v *= 0.05f;  // -26 dB: the static gain alone would clip
    ExpectMastered(std::move(x), 44100.0, "quiet drums");
}

TEST(MasterInPlace, SilenceStaysSilence) {
    std::vector<float> x(2 * 44100 * 3, 0.0f);
    Result<MasterReport> report = MasterInPlace(x, 44100.0, -14.0, -1.0);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->input_lufs, -70.0);
    EXPECT_EQ(report->integrated_lufs, -70.0);
    for (float v : x) ASSERT_EQ(v, 0.0f);
}

TEST(MasterInPlace, OddSampleCountIsAnError) {
    std::vector<float> x(101, 0.1f);
    Result<MasterReport> report = MasterInPlace(x, 44100.0, -14.0, -1.0);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(MasterInPlace(std::span<float>(x).first(100), 0.0, -14.0, -1.0).error().code,
              ErrorCode::kInvalidArgument);
}

TEST(MasterInPlace, NonFiniteSamplesAreRemoved) {
    std::vector<float> x = testing_signals::PinkNoise(44100 * 5, 0.1f, 1);
    x[1000] = std::nanf("");
    x[2001] = INFINITY;
    ASSERT_TRUE(MasterInPlace(x, 44100.0, -14.0, -1.0).ok());
    for (float v : x) ASSERT_TRUE(std::isfinite(v));
}

TEST(MasterInPlace, ThreeMinutesMasterQuickly) {
    std::vector<float> x = testing_signals::DrumMix(44100.0, 44100 * 180, 21);
    const auto start = std::chrono::steady_clock::now();
    Result<MasterReport> report = MasterInPlace(x, 44100.0, -14.0, -1.0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(report.ok());
    std::printf("3-minute stereo master: %.3f s (%.2f LUFS, %.2f dBTP, limiter %.2f dB)\n", seconds,
                report->integrated_lufs, report->true_peak_dbtp, report->max_reduction_db);
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
    EXPECT_LT(seconds, 1.0);  // the target is well under 0.4 s; this only catches gross regressions
#endif
}

}  // namespace
}  // namespace amapiano::mix
