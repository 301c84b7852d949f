// WorkerPool: threads that take jobs from the JobStore and run them with the runner registered for
// their kind, keeping each claim's lease alive while it runs.
//
//   WorkerPool pool(db, jobs, events, log, {.workers = 2});
//   pool.Register("generation", MakeGenerationRunner(...));
//   pool.Start();
//   pool.Wake();                              // after enqueueing, instead of waiting for the poll
//   pool.Stop(deadline);                      // drain: finish or hand back what is running
//
// A runner returns a JobOutcome: the result JSON and, optionally, writes to commit in the same
// transaction that marks the job succeeded (the track of a generation), so either both are stored or
// neither. Errors a retry cannot fix (bad input: kInvalidArgument, kCorruptData, kUnsupported,
// kNotFound) fail the job at once; others (kIo, kUnavailable, ...) go back to the queue with a
// back-off until the store's max_attempts is used up. A lost claim (the lease expired, the job was
// handed back) discards the outcome: the job is finished exactly once, by whoever holds it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "jobs/job_events.h"
#include "jobs/job_store.h"

namespace amapiano::jobs {

// What a running job can do besides its work.
class JobContext {
public:
    virtual ~JobContext() = default;
    // Records progress (0-1): stored, renews the lease and is pushed to listeners.
    virtual void Progress(double fraction) = 0;
    // True once the job should stop early (the pool is past its drain deadline or lost the claim).
    virtual bool Cancelled() const = 0;
};

struct JobOutcome final {
    nlohmann::json result = nlohmann::json::object();
    // Extra writes committed with the job's success (optional).
    std::function<Status(store::SqlSession&)> commit;
};

using JobRunner = std::function<Result<JobOutcome>(const Job& job, JobContext& context)>;
// Called once a job of this kind has finished for good (succeeded or failed): frees its inputs.
using JobCleanup = std::function<void(const Job& job)>;
// Called after each job that ran here: its kind, "succeeded"/"failed"/"retried"/"released" and seconds.
using JobObserver = std::function<void(const Job& job, std::string_view outcome, double seconds)>;

struct WorkerPoolOptions final {
    int workers = 1;
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500);
};

class WorkerPool final {
public:
    WorkerPool(store::Database& db, JobStore& jobs, JobEvents& events, Logger& log,
               const WorkerPoolOptions& options);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void Register(std::string kind, JobRunner runner, JobCleanup cleanup = nullptr);
    void SetObserver(JobObserver observer) { observer_ = std::move(observer); }

    void Start();
    void Wake();
    // Stops claiming; waits until `deadline` for running jobs, then hands the unfinished ones back to
    // the queue (their threads are detached and their results discarded). Returns how many were
    // handed back. Idempotent.
    int Stop(std::chrono::steady_clock::time_point deadline);

    int running() const { return running_.load(); }

private:
    struct Active;
    void WorkerLoop();
    void HeartbeatLoop();
    void Run(Job job);
    void Finish(const Job& job, Active& active, Result<JobOutcome> outcome, double seconds);
    void Publish(const std::string& id);

    store::Database& db_;
    JobStore& jobs_;
    JobEvents& events_;
    Logger& log_;
    WorkerPoolOptions options_;
    std::map<std::string, std::pair<JobRunner, JobCleanup>> runners_;
    JobObserver observer_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    bool stopping_ = false;
    bool started_ = false;
    std::atomic<int> running_{0};
    std::map<std::string, std::shared_ptr<Active>> active_;  // by job id
    std::vector<std::thread> threads_;
    std::thread heartbeat_;
};

}  // namespace amapiano::jobs
