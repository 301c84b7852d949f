// Progress reporting: JSON lines are rate-limited but the final report of a table always comes out;
// on a terminal the bar goes to stderr and is cleared before plain-text lines on stdout.
#include "ops/migration_progress.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace amapiano::ops {
namespace {

std::string Contents(std::FILE* f) {
    std::rewind(f);
    std::string text;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    return text;
}

std::vector<nlohmann::json> Lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
        start = end + 1;
    }
    return lines;
}

TEST(MigrationProgress, JsonLinesAreRateLimitedButFinalReportsAlwaysAppear) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        MigrationProgress p(ProgressOutput::kJsonLines, out, err);
        p.StartPhase("copy");
        // Four threads reporting at once, thousands of times, within well under a second.
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&p] {
                for (int i = 0; i < 2000; ++i)
                    p.Update({.phase = "copy", .table = "users", .done = i, .total = 2000});
            });
        }
        for (std::thread& t : threads) t.join();
        p.Finish({.phase = "copy", .table = "users", .done = 2000, .total = 2000, .bytes = 5000});
        p.Mismatch({{"table", "users"}, {"key", {{"id", "u1"}}}}, "users: missing_in_target: id=u1");
        p.Summary({{"ok", false}, {"rows_per_s", 10.5}}, "summary text");
    }
    const auto lines = Lines(Contents(out));
    EXPECT_TRUE(Contents(err).empty());
    ASSERT_GE(lines.size(), 4u);
    EXPECT_LE(lines.size(), 8u);  // the thousands of updates gave a handful of lines
    const nlohmann::json& final_progress = lines[lines.size() - 3];
    EXPECT_EQ(final_progress.at("event"), "progress");
    EXPECT_EQ(final_progress.at("phase"), "copy");
    EXPECT_EQ(final_progress.at("table"), "users");
    EXPECT_EQ(final_progress.at("done"), 2000);
    EXPECT_EQ(final_progress.at("total"), 2000);
    EXPECT_EQ(final_progress.at("bytes"), 5000);
    EXPECT_TRUE(final_progress.contains("eta_s"));
    EXPECT_EQ(lines[lines.size() - 2].at("event"), "mismatch");
    EXPECT_EQ(lines[lines.size() - 2].at("key").at("id"), "u1");
    EXPECT_EQ(lines.back().at("event"), "summary");
    EXPECT_EQ(lines.back().at("ok"), false);
    std::fclose(out);
    std::fclose(err);
}

TEST(MigrationProgress, TerminalDrawsABarOnStderrAndTextOnStdout) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    {
        MigrationProgress p(ProgressOutput::kTerminal, out, err);
        p.StartPhase("copy");
        for (int i = 0; i < 1000; ++i) {
            p.Update({.phase = "copy",
                      .unit = "objects",
                      .done = i,
                      .total = 1000,
                      .bytes = i * 1000,
                      .total_bytes = 1000000});
        }
        p.Finish({.phase = "copy",
                  .unit = "objects",
                  .done = 1000,
                  .total = 1000,
                  .bytes = 1000000,
                  .total_bytes = 1000000});
        p.Mismatch({{"key", "a/b"}}, "a/b: checksum_differs");
        p.Summary({{"ok", false}}, "copied 1000 objects: 12.0 MB/s");
    }
    const std::string bar = Contents(err);
    EXPECT_NE(bar.find("\r\033[K"), std::string::npos);
    EXPECT_NE(bar.find("copy  1000/1000 objects (100%)"), std::string::npos) << bar;
    EXPECT_NE(bar.find("ETA"), std::string::npos);
    EXPECT_EQ(bar.find('\n'), std::string::npos);  // redrawn in place, never a new line
    EXPECT_EQ(Contents(out), "a/b: checksum_differs\ncopied 1000 objects: 12.0 MB/s\n");
    std::fclose(out);
    std::fclose(err);
}

TEST(MigrationProgress, QuietPrintsNothing) {
    std::FILE* out = std::tmpfile();
    {
        MigrationProgress p(ProgressOutput::kQuiet, out, out);
        p.Finish({.phase = "verify", .done = 1, .total = 1});
        p.Summary({{"ok", true}}, "done");
    }
    EXPECT_TRUE(Contents(out).empty());
    std::fclose(out);
}

TEST(FormatBytes, UsesDecimalUnits) {
    EXPECT_EQ(FormatBytes(17), "17 B");
    EXPECT_EQ(FormatBytes(312000), "312 kB");
    EXPECT_EQ(FormatBytes(1.5e6), "1.5 MB");
    EXPECT_EQ(FormatBytes(2.25e9), "2.25 GB");
}

}  // namespace
}  // namespace amapiano::ops
