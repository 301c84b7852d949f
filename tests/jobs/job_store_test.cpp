// The job queue over a real SQLite database: claiming in order, the attempt count as a fencing
// token, expired leases re-queued with a back-off or failed after max_attempts, drained jobs handed
// back without using an attempt, and finished jobs never claimed again.
#include "jobs/job_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/clock.h"
#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::jobs {
namespace {

using testing_support::TempDir;

class JobStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = testing_support::OpenMigratedSqlite(dir_ / "jobs.sqlite3");
        ASSERT_TRUE(db_);
        testing_support::AddTestUser(*db_, "u1");
    }
    Job MustClaim(JobStore& jobs) {
        auto claimed = jobs.ClaimNext();
        EXPECT_TRUE(claimed) << claimed.error().message;
        EXPECT_TRUE(claimed && claimed->has_value());
        return claimed && *claimed ? **claimed : Job{};
    }
    void ExpireLeases() {
        ASSERT_TRUE(db_->Execute(
            "UPDATE jobs SET lease_until = '2000-01-01T00:00:00.000Z' WHERE status = 'running'"));
    }
    void MakeRunnable() {
        ASSERT_TRUE(db_->Execute("UPDATE jobs SET lease_until = NULL WHERE status = 'queued'"));
    }
    TempDir dir_;
    std::unique_ptr<store::Database> db_;
};

TEST_F(JobStoreTest, StatsCountQueuedAndRunningAndAgeTheOldestQueuedJob) {
    JobStore jobs(*db_, {});
    EXPECT_EQ(jobs.Stats()->queued, 0);
    EXPECT_EQ(jobs.Stats()->oldest_queued_age_s, 0);
    auto old = jobs.Enqueue("u1", "generation", {});
    ASSERT_TRUE(old);
    ASSERT_TRUE(
        db_->Execute("UPDATE jobs SET created_at = $1 WHERE id = $2",
                     {UtcTimestamp(std::chrono::system_clock::now() - std::chrono::minutes(2)), old->id}));
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    MustClaim(jobs);  // the oldest runs; the age is now the next one's
    QueueStats stats = *jobs.Stats();
    EXPECT_EQ(stats.queued, 2);
    EXPECT_EQ(stats.running, 1);
    EXPECT_LT(stats.oldest_queued_age_s, 60);
    ASSERT_TRUE(db_->Execute("UPDATE jobs SET status = 'queued' WHERE id = $1", {old->id}));
    stats = *jobs.Stats();
    EXPECT_EQ(stats.queued, 3);
    EXPECT_EQ(stats.running, 0);
    EXPECT_NEAR(stats.oldest_queued_age_s, 120, 30);
}

TEST_F(JobStoreTest, ClaimsOldestFirstAndOnlyOnce) {
    JobStore jobs(*db_, {});
    auto first = jobs.Enqueue("u1", "generation", {{"bars", 8}});
    ASSERT_TRUE(first);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto second = jobs.Enqueue("u1", "analysis", {});
    ASSERT_TRUE(second);
    EXPECT_EQ(jobs.Stats()->queued, 2);

    Job a = MustClaim(jobs);
    EXPECT_EQ(a.id, first->id);
    EXPECT_EQ(a.status, JobStatus::kRunning);
    EXPECT_EQ(a.attempts, 1);
    EXPECT_EQ(a.params["bars"], 8);
    Job b = MustClaim(jobs);
    EXPECT_EQ(b.id, second->id);
    auto none = jobs.ClaimNext();
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(jobs.Stats()->queued, 0);
    EXPECT_EQ(jobs.Stats()->running, 2);
}

TEST_F(JobStoreTest, SucceededJobKeepsResultAndIsNeverClaimedAgain) {
    JobStore jobs(*db_, {});
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    Job job = MustClaim(jobs);
    ASSERT_TRUE(db_->Transaction([&](store::SqlSession& sql) {
        return jobs.MarkSucceeded(sql, job, {{"track_id", "t"}});
    }));
    auto found = jobs.Find(job.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, JobStatus::kSucceeded);
    EXPECT_DOUBLE_EQ(found->progress, 1.0);
    EXPECT_EQ(found->result["track_id"], "t");
    ExpireLeases();
    EXPECT_EQ(*jobs.RequeueExpired(), 0);
    EXPECT_FALSE(jobs.ClaimNext()->has_value());
    // A second completion by the same claim is refused.
    Status again = db_->Transaction([&](store::SqlSession& sql) { return jobs.MarkSucceeded(sql, job, {}); });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(JobStoreTest, ExpiredLeaseIsRequeuedAndTheOldClaimIsFencedOff) {
    JobStore jobs(
        *db_,
        {.lease = std::chrono::seconds(30), .max_attempts = 3, .retry_backoff = std::chrono::seconds(0)});
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    Job stale = MustClaim(jobs);
    ExpireLeases();
    EXPECT_EQ(*jobs.RequeueExpired(), 1);
    Job fresh = MustClaim(jobs);
    EXPECT_EQ(fresh.id, stale.id);
    EXPECT_EQ(fresh.attempts, 2);
    // The worker that lost its lease can neither renew nor finish the job.
    EXPECT_EQ(jobs.Renew(stale, 0.5).error().code, ErrorCode::kConflict);
    Status late =
        db_->Transaction([&](store::SqlSession& sql) { return jobs.MarkSucceeded(sql, stale, {}); });
    EXPECT_EQ(late.error().code, ErrorCode::kConflict);
    EXPECT_EQ(jobs.MarkFailed(stale, Error::Io("x")).error().code, ErrorCode::kConflict);
    // The current holder can.
    EXPECT_TRUE(jobs.Renew(fresh, 0.5));
    EXPECT_DOUBLE_EQ(jobs.Find(fresh.id)->progress, 0.5);
    EXPECT_TRUE(db_->Transaction([&](store::SqlSession& sql) { return jobs.MarkSucceeded(sql, fresh, {}); }));
}

TEST_F(JobStoreTest, RequeuedJobWaitsForItsBackoff) {
    JobStore jobs(
        *db_,
        {.lease = std::chrono::seconds(30), .max_attempts = 3, .retry_backoff = std::chrono::seconds(60)});
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    MustClaim(jobs);
    ExpireLeases();
    EXPECT_EQ(*jobs.RequeueExpired(), 1);
    EXPECT_EQ(jobs.Stats()->queued, 1);
    EXPECT_FALSE(jobs.ClaimNext()->has_value()) << "claimed before its back-off ran out";
    MakeRunnable();
    EXPECT_TRUE(jobs.ClaimNext()->has_value());
}

TEST_F(JobStoreTest, JobOutOfAttemptsFails) {
    JobStore jobs(
        *db_,
        {.lease = std::chrono::seconds(30), .max_attempts = 2, .retry_backoff = std::chrono::seconds(0)});
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    for (int attempt = 1; attempt <= 2; ++attempt) {
        Job job = MustClaim(jobs);
        EXPECT_EQ(job.attempts, attempt);
        ExpireLeases();
        EXPECT_EQ(*jobs.RequeueExpired(), 1);
    }
    auto rows = db_->Query("SELECT status, error_code FROM jobs");
    ASSERT_TRUE(rows);
    EXPECT_EQ((*rows)[0].Text(0), "failed");
    EXPECT_EQ((*rows)[0].Text(1), "unavailable");
    EXPECT_FALSE(jobs.ClaimNext()->has_value());
}

TEST_F(JobStoreTest, ReleaseHandsBackWithoutUsingAnAttempt) {
    JobStore jobs(*db_, {});
    ASSERT_TRUE(jobs.Enqueue("u1", "generation", {}));
    Job job = MustClaim(jobs);
    ASSERT_TRUE(jobs.Release(job));
    auto found = jobs.Find(job.id);
    EXPECT_EQ(found->status, JobStatus::kQueued);
    EXPECT_EQ(found->attempts, 0);
    Job again = MustClaim(jobs);
    EXPECT_EQ(again.attempts, 1);
    EXPECT_NE(again.claim, job.claim);
    // The handed-back claim is dead even though the attempt number came round again.
    Status late = db_->Transaction([&](store::SqlSession& sql) { return jobs.MarkSucceeded(sql, job, {}); });
    EXPECT_EQ(late.error().code, ErrorCode::kConflict);
    EXPECT_EQ(jobs.Release(job).error().code, ErrorCode::kConflict);
    EXPECT_TRUE(db_->Transaction([&](store::SqlSession& sql) { return jobs.MarkSucceeded(sql, again, {}); }));
}

TEST_F(JobStoreTest, FailedJobRecordsTheErrorAndRetryRequeues) {
    JobStore jobs(*db_, {});
    ASSERT_TRUE(jobs.Enqueue("u1", "analysis", {}));
    Job job = MustClaim(jobs);
    ASSERT_TRUE(jobs.Retry(job, std::chrono::seconds(0)));
    EXPECT_EQ(jobs.Find(job.id)->status, JobStatus::kQueued);
    job = MustClaim(jobs);
    EXPECT_EQ(job.attempts, 2);
    ASSERT_TRUE(jobs.MarkFailed(job, Error::CorruptData("not audio")));
    auto found = jobs.Find(job.id);
    EXPECT_EQ(found->status, JobStatus::kFailed);
    const nlohmann::json json = JobJson(*found);
    EXPECT_EQ(json["error"]["code"], "corrupt_data");
    EXPECT_EQ(json["error"]["message"], "not audio");
    EXPECT_FALSE(json.contains("result"));
}

TEST_F(JobStoreTest, UnknownJobIsNotFound) {
    JobStore jobs(*db_, {});
    EXPECT_EQ(jobs.Find("nope").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace amapiano::jobs
