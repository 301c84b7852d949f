// The queue_stats log line that deploy/terraform's metric filters read: its event name and field names
// are a contract (QueueDepth <- queued, OldestQueuedJobAgeSeconds <- oldest_queued_age_s).
#include "jobs/queue_stats_reporter.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::jobs {
namespace {

using namespace std::chrono_literals;

std::vector<nlohmann::json> Lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}
std::vector<nlohmann::json> Lines(const std::ostringstream& out) { return Lines(out.str()); }

// A log sink another thread may write while the test reads it.
class SharedLog final : public std::streambuf {
public:
    std::string Text() {
        std::lock_guard lock(mutex_);
        return text_;
    }

protected:
    int_type overflow(int_type c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        const char ch = traits_type::to_char_type(c);
        return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::lock_guard lock(mutex_);
        text_.append(s, size_t(n));
        return n;
    }

private:
    std::mutex mutex_;
    std::string text_;
};

class QueueStatsReporterTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = testing_support::OpenMigratedSqlite(dir_ / "jobs.sqlite3");
        ASSERT_TRUE(db_);
        testing_support::AddTestUser(*db_, "u1");
    }
    testing_support::TempDir dir_;
    std::unique_ptr<store::Database> db_;
};

TEST_F(QueueStatsReporterTest, LogsQueuedRunningAndOldestAge) {
    JobStore jobs(*db_, {});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    ASSERT_TRUE(jobs.ClaimNext());
    std::ostringstream out;
    Logger log(out, LogLevel::kInfo);
    QueueStatsReporter(jobs, log, 60s, {{"environment", "prod"}}).ReportOnce();
    auto lines = Lines(out);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["event"], "queue_stats");
    EXPECT_EQ(lines[0]["environment"], "prod");
    EXPECT_EQ(lines[0]["queued"], 2);
    EXPECT_EQ(lines[0]["running"], 1);
    ASSERT_TRUE(lines[0]["oldest_queued_age_s"].is_number());
    EXPECT_GE(lines[0]["oldest_queued_age_s"].get<double>(), 0);
    EXPECT_LT(lines[0]["oldest_queued_age_s"].get<double>(), 60);
}

TEST_F(QueueStatsReporterTest, ReportsEveryPeriodUntilStoppedAndNotAtAllWithPeriodZero) {
    JobStore jobs(*db_, {});
    SharedLog sink;
    std::ostream out(&sink);
    Logger log(out, LogLevel::kInfo);
    {
        QueueStatsReporter off(jobs, log, 0ms);
        off.Start();
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(sink.Text().empty());
    QueueStatsReporter reporter(jobs, log, 10ms);
    reporter.Start();
    while (Lines(sink.Text()).size() < 3) std::this_thread::sleep_for(5ms);  // ctest's timeout bounds a hang
    reporter.Stop();
    const size_t stopped = Lines(sink.Text()).size();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(Lines(sink.Text()).size(), stopped);
    for (const auto& line : Lines(sink.Text())) EXPECT_EQ(line["queued"], 0);
}

TEST_F(QueueStatsReporterTest, AFailedReadIsAWarningNotACrash) {
    JobStore jobs(*db_, {});
    ASSERT_TRUE(db_->Execute("DROP TABLE tracks"));
    ASSERT_TRUE(db_->Execute("DROP TABLE jobs"));
    std::ostringstream out;
    Logger log(out, LogLevel::kInfo);
    QueueStatsReporter(jobs, log, 60s).ReportOnce();
    auto lines = Lines(out);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["event"], "queue_stats_failed");
    EXPECT_EQ(lines[0]["level"], "warn");
}

}  // namespace
}  // namespace amapiano::jobs
