// JobStore: the job queue as rows of the `jobs` table, so a job outlives the process that took it.
//
// A job is queued -> running -> succeeded | failed. A worker claims the oldest queued job whose
// "not before" time has come and holds a lease on it (lease_until), which it renews while it works.
// Every claim adds one to `attempts` and writes a fresh random claim token, the fencing token:
// renewing, finishing or handing a job back only succeeds while the row is still running under the
// same claim. So a worker that lost its lease (it stalled, the process was drained, another process
// re-queued the job) cannot finish it a second time: a job completes exactly once.
//
//   JobStore jobs(db, {});
//   Result<Job> job = jobs.Enqueue(user_id, "generation", params);
//   Result<std::optional<Job>> claimed = jobs.ClaimNext();          // on a worker
//   db.Transaction([&](SqlSession& sql) { ...; return jobs.MarkSucceeded(sql, *claimed.value(), result); });
//
// Jobs whose lease ran out (their process died) go back to the queue with a back-off, or fail once
// they have used max_attempts (RequeueExpired, called periodically by the workers).
// Errors: store errors as they come; kConflict when the claim was lost. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace amapiano::jobs {

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed };

struct QueueStats final {
    int64_t queued = 0;
    int64_t running = 0;
    double oldest_queued_age_s = 0;
};
std::string_view JobStatusName(JobStatus status);  // "queued", "running", "succeeded", "failed"

struct Job final {
    std::string id;
    std::string user_id;
    std::string kind;  // "generation", "analysis", "validation"
    JobStatus status = JobStatus::kQueued;
    double progress = 0.0;  // 0-1
    nlohmann::json params = nlohmann::json::object();
    nlohmann::json result = nullptr;  // set when succeeded
    std::string error_code;           // set when failed
    std::string error_message;
    int64_t attempts = 0;  // claims so far (a claim handed back at a drain does not count)
    std::string claim;     // the current claim's fencing token (set on a claimed job)
    std::string created_at;
    std::string updated_at;

    bool Finished() const { return status == JobStatus::kSucceeded || status == JobStatus::kFailed; }
};

// The job as the API shows it: {id, kind, status, progress, attempts, created_at, updated_at,
// result?, error?: {code, message}}.
nlohmann::json JobJson(const Job& job);

struct JobStoreOptions final {
    std::chrono::seconds lease = std::chrono::seconds(30);
    int max_attempts = 3;
    // Back-off before attempt n+1 of a job whose worker died: retry_backoff * 2^(n-1).
    std::chrono::seconds retry_backoff = std::chrono::seconds(1);
};

class JobStore final {
public:
    JobStore(store::Database& db, const JobStoreOptions& options) : db_(db), options_(options) {}

    const JobStoreOptions& options() const { return options_; }

    // `id`: empty for a new random id; callers that store inputs under the job's id pick it first.
    Result<Job> Enqueue(std::string_view user_id, std::string_view kind, const nlohmann::json& params,
                        std::string id = {});
    // kNotFound when there is no such job.
    Result<Job> Find(std::string_view id);

    // Claims the oldest runnable queued job, or nullopt when there is none.
    Result<std::optional<Job>> ClaimNext();
    // Extends the lease and records progress. kConflict when the claim was lost.
    Status Renew(const Job& claimed, std::optional<double> progress);
    // Marks the claimed job succeeded inside the caller's transaction, so whatever the job produced
    // (a track and its assets) is committed together with its completion. kConflict when the claim
    // was lost: the caller must roll back.
    Status MarkSucceeded(store::SqlSession& sql, const Job& claimed, const nlohmann::json& result);
    Status MarkFailed(const Job& claimed, const Error& error);
    // Puts the job back in the queue to run again after `backoff` (a failure a retry may fix).
    Status Retry(const Job& claimed, std::chrono::seconds backoff);
    // Gives the job back to the queue without counting the attempt (a drained worker).
    Status Release(const Job& claimed);
    // Re-queues jobs whose lease expired (or fails those out of attempts); returns how many.
    Result<int64_t> RequeueExpired();

    // Jobs whose updated_at is at or after `since` (an ISO timestamp), oldest change first, at most
    // `limit`: what the job feed polls.
    Result<std::vector<Job>> ChangedSince(std::string_view since, int limit);

    // Queued and running jobs, and how long the oldest queued job has waited (0 with none queued).
    Result<QueueStats> Stats();

private:
    store::Database& db_;
    JobStoreOptions options_;
};

}  // namespace amapiano::jobs
