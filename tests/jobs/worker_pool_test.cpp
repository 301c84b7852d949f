// The worker pool over a real SQLite queue, with small runners standing in for the engine: results
// and extra writes committed together, bad input failing at once, other errors retried, leases kept
// alive by the heartbeat, events pushed, and a drain handing unfinished jobs back to the queue.
#include "jobs/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::jobs {
namespace {

using testing_support::TempDir;
using namespace std::chrono_literals;

class WorkerPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = testing_support::OpenMigratedSqlite(dir_ / "pool.sqlite3");
        ASSERT_TRUE(db_);
        testing_support::AddTestUser(*db_, "u1");
    }
    Job WaitFinished(JobStore& jobs, const std::string& id, std::chrono::seconds timeout = 20s) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            auto job = jobs.Find(id);
            if (job && job->Finished()) return *job;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "job " << id << " did not finish";
        return {};
    }
    // Starts the pool, runs one job of `kind` to its end and stops the pool.
    Job RunOne(WorkerPool& pool, JobStore& jobs, const std::string& kind) {
        pool.Start();
        auto queued = jobs.Enqueue("u1", kind, {});
        EXPECT_TRUE(queued);
        pool.Wake();
        Job done = WaitFinished(jobs, queued->id);
        pool.Stop(std::chrono::steady_clock::now() + 5s);
        return done;
    }
    TempDir dir_;
    std::unique_ptr<store::Database> db_;
    std::ostringstream log_text_;
    Logger log_{log_text_, LogLevel::kInfo};
    JobEvents events_;
};

TEST_F(WorkerPoolTest, SuccessCommitsResultAndExtraWritesTogether) {
    JobStore jobs(*db_, {});
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 2, .poll_interval = 50ms});
    pool.Register("generation", [](const Job& job, JobContext& context) -> Result<JobOutcome> {
        context.Progress(0.5);
        JobOutcome outcome;
        outcome.result = {{"track_id", job.id}};
        outcome.commit = [job](store::SqlSession& sql) -> Status {
            auto r = sql.Execute(
                "INSERT INTO tracks (id, user_id, job_id, title, spec, created_at) VALUES ($1, 'u1', $1, "
                "'t', '{}', 'now')",
                {job.id});
            return r ? Status{} : Status{r.error()};
        };
        return outcome;
    });
    std::vector<std::string> seen;
    std::mutex seen_mutex;
    events_.Subscribe([&](const Job& job) {
        std::lock_guard lock(seen_mutex);
        seen.push_back(std::string(JobStatusName(job.status)) + "@" + std::to_string(job.progress));
    });
    pool.Start();
    auto queued = jobs.Enqueue("u1", "generation", {});
    ASSERT_TRUE(queued);
    pool.Wake();
    Job done = WaitFinished(jobs, queued->id);
    EXPECT_EQ(done.status, JobStatus::kSucceeded);
    EXPECT_EQ(done.result["track_id"], queued->id);
    EXPECT_EQ(done.attempts, 1);
    EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM tracks WHERE job_id = $1", {queued->id})->front().Int(0), 1);
    pool.Stop(std::chrono::steady_clock::now() + 5s);
    std::lock_guard lock(seen_mutex);
    ASSERT_GE(seen.size(), 3u);
    EXPECT_EQ(seen.front(), "running@0.000000");
    EXPECT_NE(std::find(seen.begin(), seen.end(), "running@0.500000"), seen.end());
    EXPECT_EQ(seen.back(), "succeeded@1.000000");
    EXPECT_NE(log_text_.str().find("\"event\":\"job_succeeded\""), std::string::npos);
}

TEST_F(WorkerPoolTest, FailedCommitRollsBackAndIsRetried) {
    JobStore jobs(*db_, {.lease = 30s, .max_attempts = 3, .retry_backoff = 0s});
    std::atomic<int> runs{0};
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 1, .poll_interval = 20ms});
    pool.Register("generation", [&](const Job& job, JobContext&) -> Result<JobOutcome> {
        const int run = ++runs;
        JobOutcome outcome;
        outcome.commit = [job, run](store::SqlSession& sql) -> Status {
            auto r = sql.Execute(
                "INSERT INTO tracks (id, user_id, job_id, title, spec, created_at) VALUES ($1, 'u1', $1, "
                "'t', '{}', 'now')",
                {job.id});
            if (!r) return r.error();
            if (run == 1) return Error::Io("disk full");  // after the insert: it must be rolled back
            return {};
        };
        return outcome;
    });
    Job done = RunOne(pool, jobs, "generation");
    EXPECT_EQ(done.status, JobStatus::kSucceeded);
    EXPECT_EQ(done.attempts, 2);
    EXPECT_EQ(runs.load(), 2);
    EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM tracks")->front().Int(0), 1);
}

TEST_F(WorkerPoolTest, BadInputFailsAtOnceAndCleansUp) {
    JobStore jobs(*db_, {.lease = 30s, .max_attempts = 3, .retry_backoff = 0s});
    std::atomic<int> runs{0}, cleanups{0};
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 1, .poll_interval = 20ms});
    pool.Register(
        "analysis",
        [&](const Job&, JobContext&) -> Result<JobOutcome> {
            ++runs;
            return Error::CorruptData("the uploaded file: not audio");
        },
        [&](const Job&) { ++cleanups; });
    Job done = RunOne(pool, jobs, "analysis");
    EXPECT_EQ(done.status, JobStatus::kFailed);
    EXPECT_EQ(done.error_code, "corrupt_data");
    EXPECT_EQ(done.error_message, "the uploaded file: not audio");
    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(cleanups.load(), 1);
}

TEST_F(WorkerPoolTest, TransientErrorsUseUpAttemptsThenFail) {
    JobStore jobs(*db_, {.lease = 30s, .max_attempts = 2, .retry_backoff = 0s});
    std::atomic<int> runs{0};
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 1, .poll_interval = 20ms});
    pool.Register("generation", [&](const Job&, JobContext&) -> Result<JobOutcome> {
        ++runs;
        return Error::Io("object store write failed");
    });
    Job done = RunOne(pool, jobs, "generation");
    EXPECT_EQ(done.status, JobStatus::kFailed);
    EXPECT_EQ(done.error_code, "io_error");
    EXPECT_EQ(runs.load(), 2);
}

TEST_F(WorkerPoolTest, UnknownKindFails) {
    JobStore jobs(*db_, {});
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 1, .poll_interval = 20ms});
    Job done = RunOne(pool, jobs, "mystery");
    EXPECT_EQ(done.status, JobStatus::kFailed);
    EXPECT_EQ(done.error_code, "unsupported");
}

TEST_F(WorkerPoolTest, HeartbeatKeepsALongJobsLease) {
    // A 1 s lease and a 2.5 s job: without renewals the job would be re-queued and run twice.
    JobStore jobs(*db_, {.lease = 1s, .max_attempts = 3, .retry_backoff = 0s});
    std::atomic<int> runs{0};
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 2, .poll_interval = 20ms});
    pool.Register("generation", [&](const Job&, JobContext&) -> Result<JobOutcome> {
        ++runs;
        std::this_thread::sleep_for(2500ms);
        return JobOutcome{};
    });
    Job done = RunOne(pool, jobs, "generation");
    EXPECT_EQ(done.status, JobStatus::kSucceeded);
    EXPECT_EQ(done.attempts, 1);
    EXPECT_EQ(runs.load(), 1);
}

TEST_F(WorkerPoolTest, DrainHandsUnfinishedJobsBack) {
    JobStore jobs(*db_, {});
    std::atomic<bool> started{false};
    WorkerPool pool(*db_, jobs, events_, log_, {.workers = 1, .poll_interval = 20ms});
    pool.Register("generation", [&](const Job&, JobContext& context) -> Result<JobOutcome> {
        started = true;
        while (!context.Cancelled()) std::this_thread::sleep_for(5ms);
        return Error::Unavailable("cancelled");
    });
    pool.Start();
    auto queued = jobs.Enqueue("u1", "generation", {});
    pool.Wake();
    while (!started) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(pool.Stop(std::chrono::steady_clock::now() + 200ms), 1);
    auto job = jobs.Find(queued->id);
    EXPECT_EQ(job->status, JobStatus::kQueued);
    EXPECT_EQ(job->attempts, 0) << "a drain must not use up an attempt";
    // The runner notices the cancellation and returns; its thread must be gone before the pool is.
    while (pool.running() > 0) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(jobs.Find(queued->id)->status, JobStatus::kQueued);
    EXPECT_NE(log_text_.str().find("\"event\":\"job_requeued\""), std::string::npos);
}

}  // namespace
}  // namespace amapiano::jobs
