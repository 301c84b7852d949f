// Job changes crossing process boundaries: JobEvents passes each version of a job on once and never
// lets a listener see it step back; JobFeed brings changes written through another connection (as
// another process would) into this process's events — by polling on SQLite, and on PostgreSQL woken
// by LISTEN/NOTIFY from the jobs trigger, with the poll timer set so long that only NOTIFY can explain
// a prompt delivery. The PostgreSQL half also runs the real claim statement (UPDATE ... WHERE id =
// (SELECT ... FOR UPDATE SKIP LOCKED)) from several connections at once: every job claimed once.
#include "jobs/job_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <set>
#include <sstream>
#include <thread>

#include "store/migrations.h"
#include "store/postgres_database.h"
#include "support/postgres_server.h"
#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::jobs {
namespace {

using namespace std::chrono_literals;

// Collects what listeners hear, and lets a test wait for a condition on it.
struct Heard final {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Job> jobs;

    void Add(const Job& job) {
        std::lock_guard lock(mutex);
        jobs.push_back(job);
        changed.notify_all();
    }
    bool WaitFor(const std::function<bool(const std::vector<Job>&)>& done, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, limit, [&] { return done(jobs); });
    }
    static auto Has(const std::string& id, JobStatus status) {
        return [id, status](const std::vector<Job>& jobs) {
            return std::any_of(jobs.begin(), jobs.end(),
                               [&](const Job& j) { return j.id == id && j.status == status; });
        };
    }
};

// The feed wakes the workers just after it has published a poll's changes: wait for it a moment.
bool WokenWithin(const std::atomic<int>& wakes, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (wakes.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    return wakes.load() >= 1;
}

Job Version(std::string id, std::string updated_at, JobStatus status, double progress) {
    Job job;
    job.id = std::move(id);
    job.updated_at = std::move(updated_at);
    job.status = status;
    job.progress = progress;
    return job;
}

TEST(JobEventsTest, PassesEachVersionOnceAndNeverBackwards) {
    JobEvents events;
    std::vector<std::pair<JobStatus, double>> heard;
    events.Subscribe([&](const Job& job) { heard.emplace_back(job.status, job.progress); });
    EXPECT_TRUE(events.Publish(Version("a", "2026-01-01T00:00:00.000Z", JobStatus::kRunning, 0.0)));
    EXPECT_TRUE(events.Publish(Version("a", "2026-01-01T00:00:00.500Z", JobStatus::kRunning, 0.4)));
    // The same version again (the feed re-reading its overlap window) and an older one arriving late.
    EXPECT_FALSE(events.Publish(Version("a", "2026-01-01T00:00:00.500Z", JobStatus::kRunning, 0.4)));
    EXPECT_FALSE(events.Publish(Version("a", "2026-01-01T00:00:00.200Z", JobStatus::kRunning, 0.2)));
    EXPECT_TRUE(events.Publish(Version("a", "2026-01-01T00:00:01.000Z", JobStatus::kSucceeded, 1.0)));
    EXPECT_FALSE(events.Publish(Version("a", "2026-01-01T00:00:00.900Z", JobStatus::kRunning, 0.9)));
    // Another job is independent.
    EXPECT_TRUE(events.Publish(Version("b", "2026-01-01T00:00:00.000Z", JobStatus::kQueued, 0.0)));
    ASSERT_EQ(heard.size(), 4u);
    EXPECT_EQ(heard[1], std::make_pair(JobStatus::kRunning, 0.4));
    EXPECT_EQ(heard[2], std::make_pair(JobStatus::kSucceeded, 1.0));
}

TEST(JobFeedTest, SqlitePollingCarriesAnotherConnectionsChanges) {
    testing_support::TempDir dir;
    auto writer_db = testing_support::OpenMigratedSqlite(dir / "shared.sqlite3");
    ASSERT_TRUE(writer_db);
    testing_support::AddTestUser(*writer_db, "u1");
    auto reader_db = store::OpenSqlite(dir / "shared.sqlite3");  // a second "process"
    ASSERT_TRUE(reader_db);
    JobStore writer(*writer_db, {});
    JobStore reader(**reader_db, {});
    JobEvents events;
    Heard heard;
    events.Subscribe([&](const Job& job) { heard.Add(job); });
    Logger log(std::cerr, LogLevel::kError);
    std::atomic<int> wakes{0};
    JobFeed feed(reader, events, log, {.poll_interval = 50ms});
    feed.SetWake([&] { ++wakes; });
    feed.Start();

    auto job = writer.Enqueue("u1", "generation", {{"bars", 8}});
    ASSERT_TRUE(job);
    EXPECT_TRUE(heard.WaitFor(Heard::Has(job->id, JobStatus::kQueued), 5s)) << "the queued job never arrived";
    EXPECT_TRUE(WokenWithin(wakes, 5s)) << "a queued job must wake the workers";
    auto claimed = writer.ClaimNext();
    ASSERT_TRUE(claimed && *claimed);
    ASSERT_TRUE(writer.Renew(**claimed, 0.5));
    ASSERT_TRUE(writer_db->Transaction([&](store::SqlSession& sql) {
        return writer.MarkSucceeded(sql, **claimed, {{"track_id", job->id}});
    }));
    EXPECT_TRUE(heard.WaitFor(Heard::Has(job->id, JobStatus::kSucceeded), 5s));
    feed.Stop();
    std::lock_guard lock(heard.mutex);
    // In order, each version once (the overlap window re-reads rows; none may repeat).
    std::vector<std::string> seen;
    for (const Job& j : heard.jobs) seen.push_back(std::string(JobStatusName(j.status)));
    EXPECT_EQ(seen.front(), "queued");
    EXPECT_EQ(seen.back(), "succeeded");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "succeeded"), 1);
    EXPECT_EQ(heard.jobs.back().result["track_id"], job->id);
}

TEST(JobFeedTest, ChangesBeforeTheStartAreNotReplayed) {
    testing_support::TempDir dir;
    auto db = testing_support::OpenMigratedSqlite(dir / "old.sqlite3");
    ASSERT_TRUE(db);
    testing_support::AddTestUser(*db, "u1");
    JobStore jobs(*db, {});
    ASSERT_TRUE(db->Execute(
        "INSERT INTO jobs (id, user_id, kind, status, progress, params, attempts, created_at, updated_at) "
        "VALUES ('old', 'u1', 'generation', 'succeeded', 1, '{}', 1, '2020-01-01T00:00:00.000Z', "
        "'2020-01-01T00:00:00.000Z')"));
    JobEvents events;
    Heard heard;
    events.Subscribe([&](const Job& job) { heard.Add(job); });
    Logger log(std::cerr, LogLevel::kError);
    JobFeed feed(jobs, events, log, {});
    feed.PollOnce();
    EXPECT_TRUE(heard.jobs.empty());
}

// --- PostgreSQL ---------------------------------------------------------------------------------

testing_support::PostgresServer& Server() {
    static testing_support::PostgresServer server;
    return server;
}

class JobsOnPostgresTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(Server().Url().empty()) << Server().Why();
        auto db = store::OpenPostgres(Server().Url(), {.connections = 6});
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::move(*db);
        ASSERT_TRUE(db_->Execute("DROP SCHEMA public CASCADE"));
        ASSERT_TRUE(db_->Execute("CREATE SCHEMA public"));
        ASSERT_TRUE(store::Migrate(*db_, store::SchemaMigrations()));
        testing_support::AddTestUser(*db_, "u1");
    }
    std::unique_ptr<store::Database> db_;
};

TEST_F(JobsOnPostgresTest, ConcurrentClaimsTakeEveryJobExactlyOnce) {
    JobStore jobs(*db_, {});
    constexpr int kJobs = 120;
    for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(jobs.Enqueue("u1", "generation", {{"n", i}}));
    std::mutex mutex;
    std::multiset<std::string> claimed;
    std::vector<std::thread> workers;
    std::atomic<int> errors{0};
    for (int w = 0; w < 5; ++w) {
        workers.emplace_back([&] {
            while (true) {
                auto job = jobs.ClaimNext();
                if (!job) {
                    ++errors;
                    continue;
                }
                if (!*job) return;
                std::lock_guard lock(mutex);
                claimed.insert((*job)->id);
            }
        });
    }
    for (auto& t : workers) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(claimed.size(), size_t(kJobs));
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), size_t(kJobs))
        << "a job was claimed twice";
    EXPECT_EQ(jobs.Stats()->running, kJobs);
}

TEST_F(JobsOnPostgresTest, NotifyWakesTheFeedWithoutPolling) {
    JobStore jobs(*db_, {});
    JobEvents events;
    Heard heard;
    events.Subscribe([&](const Job& job) { heard.Add(job); });
    Logger log(std::cerr, LogLevel::kError);
    // Timers far longer than the test: only a NOTIFY can make the feed poll.
    JobFeed feed(jobs, events, log,
                 {.listen_url = Server().Url(), .poll_interval = 600s, .fallback_interval = 600s});
    std::atomic<int> wakes{0};
    feed.SetWake([&] { ++wakes; });
    feed.Start();
    std::this_thread::sleep_for(200ms);  // the LISTEN is in place
    auto job = jobs.Enqueue("u1", "generation", {});
    ASSERT_TRUE(job);
    EXPECT_TRUE(heard.WaitFor(Heard::Has(job->id, JobStatus::kQueued), 10s)) << "no wake-up from NOTIFY";
    EXPECT_TRUE(WokenWithin(wakes, 5s)) << "a queued job must wake the workers";
    auto claimed = jobs.ClaimNext();
    ASSERT_TRUE(claimed && *claimed);
    ASSERT_TRUE(jobs.Renew(**claimed, 0.25));
    EXPECT_TRUE(heard.WaitFor(
        [&](const std::vector<Job>& all) {
            return std::any_of(all.begin(), all.end(), [&](const Job& j) { return j.progress == 0.25; });
        },
        10s))
        << "progress did not arrive";
    // A lease renewal alone changes neither status nor progress: no notification, no event.
    const size_t before = [&] {
        std::lock_guard lock(heard.mutex);
        return heard.jobs.size();
    }();
    ASSERT_TRUE(jobs.Renew(**claimed, std::nullopt));
    std::this_thread::sleep_for(300ms);
    {
        std::lock_guard lock(heard.mutex);
        EXPECT_EQ(heard.jobs.size(), before);
    }
    feed.Stop();
}

}  // namespace
}  // namespace amapiano::jobs
