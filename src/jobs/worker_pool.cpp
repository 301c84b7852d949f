#include "jobs/worker_pool.h"

#include <algorithm>
#include <cmath>

#include "core/clock.h"

namespace amapiano::jobs {
namespace {

bool Permanent(ErrorCode code) {
    return code == ErrorCode::kInvalidArgument || code == ErrorCode::kCorruptData ||
           code == ErrorCode::kUnsupported || code == ErrorCode::kNotFound;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct WorkerPool::Active final : JobContext {
    WorkerPool* pool = nullptr;
    Job job;
    std::atomic<bool> cancelled{false};
    std::mutex progress_mutex;
    double last_progress = 0.0;
    std::chrono::steady_clock::time_point last_write{};

    void Progress(double fraction) override {
        fraction = std::clamp(fraction, 0.0, 1.0);
        bool store = false;
        {
            std::lock_guard lock(progress_mutex);
            const auto now = std::chrono::steady_clock::now();
            if (fraction <= last_progress) return;
            last_progress = fraction;
            // Listeners hear every step; the row (and the lease) is written at most once a second —
            // the heartbeat keeps the lease alive in between.
            if (now - last_write >= std::chrono::seconds(1)) {
                last_write = now;
                store = true;
            }
        }
        if (store) {
            Status s = pool->jobs_.Renew(job, fraction);
            if (!s) {
                if (s.error().code == ErrorCode::kConflict) cancelled = true;
                return;
            }
        }
        Job update = job;
        update.progress = fraction;
        update.updated_at = UtcTimestamp();
        pool->events_.Publish(update);
    }
    bool Cancelled() const override { return cancelled.load(); }
};

WorkerPool::WorkerPool(store::Database& db, JobStore& jobs, JobEvents& events, Logger& log,
                       const WorkerPoolOptions& options)
    : db_(db), jobs_(jobs), events_(events), log_(log), options_(options) {}

WorkerPool::~WorkerPool() { Stop(std::chrono::steady_clock::now()); }

void WorkerPool::Register(std::string kind, JobRunner runner, JobCleanup cleanup) {
    runners_[std::move(kind)] = {std::move(runner), std::move(cleanup)};
}

void WorkerPool::Start() {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
    heartbeat_ = std::thread([this] { HeartbeatLoop(); });
}

void WorkerPool::Wake() { wake_.notify_all(); }

void WorkerPool::WorkerLoop() {
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        Result<std::optional<Job>> claimed = jobs_.ClaimNext();
        if (claimed && *claimed) {
            Run(std::move(**claimed));
            continue;
        }
        if (!claimed) log_.Warn("job_claim_failed", {{"error", claimed.error().message}});
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        wake_.wait_for(lock, options_.poll_interval);
    }
}

void WorkerPool::HeartbeatLoop() {
    const auto lease = std::chrono::duration_cast<std::chrono::milliseconds>(jobs_.options().lease);
    const auto beat = std::max(std::chrono::milliseconds(100), lease / 3);
    auto next_sweep = std::chrono::steady_clock::now();
    while (true) {
        std::vector<std::shared_ptr<Active>> active;
        {
            std::unique_lock lock(mutex_);
            if (stopping_) return;
            for (auto& [id, a] : active_) active.push_back(a);
        }
        for (auto& a : active) {
            Status s = jobs_.Renew(a->job, std::nullopt);
            if (!s && s.error().code == ErrorCode::kConflict) a->cancelled = true;
        }
        if (std::chrono::steady_clock::now() >= next_sweep) {
            // Jobs of workers that died (here or in another process) go back to the queue.
            Result<int64_t> requeued = jobs_.RequeueExpired();
            if (requeued && *requeued > 0) {
                log_.Info("jobs_requeued", {{"count", *requeued}, {"reason", "lease_expired"}});
                Wake();
            }
            next_sweep =
                std::chrono::steady_clock::now() + std::max(std::chrono::milliseconds(200), lease / 2);
        }
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        idle_.wait_for(lock, beat);
    }
}

void WorkerPool::Publish(const std::string& id) {
    if (Result<Job> job = jobs_.Find(id)) events_.Publish(*job);
}

void WorkerPool::Run(Job job) {
    auto active = std::make_shared<Active>();
    active->pool = this;
    active->job = job;
    {
        std::lock_guard lock(mutex_);
        active_[job.id] = active;
    }
    ++running_;
    const auto start = std::chrono::steady_clock::now();
    log_.Info("job_claimed", {{"job_id", job.id}, {"kind", job.kind}, {"attempt", job.attempts}});
    events_.Publish(job);

    Result<JobOutcome> outcome = Error::Unsupported("no worker runs jobs of kind '" + job.kind + "'");
    if (auto it = runners_.find(job.kind); it != runners_.end()) {
        try {
            outcome = it->second.first(job, *active);
        } catch (const std::exception& e) {
            outcome = Error::Internal(std::string("job runner threw: ") + e.what());
        }
    }
    Finish(job, *active, std::move(outcome), SecondsSince(start));
    {
        std::lock_guard lock(mutex_);
        active_.erase(job.id);
    }
    --running_;
    idle_.notify_all();
}

void WorkerPool::Finish(const Job& job, Active& active, Result<JobOutcome> outcome, double seconds) {
    const nlohmann::json fields = {{"job_id", job.id},
                                   {"kind", job.kind},
                                   {"attempt", job.attempts},
                                   {"duration_ms", std::round(seconds * 1e4) / 10}};
    auto observe = [&](std::string_view what) {
        if (observer_) observer_(job, what, seconds);
    };
    auto cleanup = [&] {
        if (auto it = runners_.find(job.kind); it != runners_.end() && it->second.second)
            it->second.second(job);
    };
    if (active.cancelled) {
        // The claim is gone (handed back at the drain deadline, or the lease was taken over).
        log_.Info("job_abandoned", fields);
        observe("released");
        return;
    }
    std::optional<Error> error;
    if (outcome) {
        Status s = db_.Transaction([&](store::SqlSession& sql) -> Status {
            if (outcome->commit) {
                if (Status c = outcome->commit(sql); !c) return c;
            }
            return jobs_.MarkSucceeded(sql, job, outcome->result);
        });
        if (s) {
            log_.Info("job_succeeded", fields);
            observe("succeeded");
            cleanup();
            Publish(job.id);
            return;
        }
        if (s.error().code == ErrorCode::kConflict) {
            // Lost the claim meanwhile: whoever holds the job now finishes it.
            log_.Info("job_abandoned", fields);
            observe("released");
            return;
        }
        error = s.error();
    } else {
        error = outcome.error();
    }
    nlohmann::json failed = fields;
    failed["error_code"] = ErrorCodeName(error->code);
    failed["error"] = error->message;
    if (!Permanent(error->code) && job.attempts < jobs_.options().max_attempts) {
        const auto backoff =
            jobs_.options().retry_backoff * (int64_t{1} << std::min<int64_t>(job.attempts - 1, 10));
        if (jobs_.Retry(job, std::chrono::duration_cast<std::chrono::seconds>(backoff))) {
            log_.Warn("job_retried", failed);
            observe("retried");
            Publish(job.id);
            return;
        }
    }
    if (Status s = jobs_.MarkFailed(job, *error); !s) {
        log_.Warn("job_abandoned", fields);
        observe("released");
        return;
    }
    log_.Warn("job_failed", failed);
    observe("failed");
    cleanup();
    Publish(job.id);
}

int WorkerPool::Stop(std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard lock(mutex_);
        if (!started_) return 0;
        stopping_ = true;
    }
    wake_.notify_all();
    idle_.notify_all();
    int released = 0;
    {
        std::unique_lock lock(mutex_);
        idle_.wait_until(lock, deadline, [&] { return active_.empty(); });
        for (auto& [id, active] : active_) {
            active->cancelled = true;
            if (jobs_.Release(active->job)) {
                ++released;
                log_.Info("job_requeued", {{"job_id", id}, {"kind", active->job.kind}, {"reason", "drain"}});
            }
        }
    }
    if (heartbeat_.joinable()) heartbeat_.join();
    // Threads still inside a job past the deadline are left behind: the caller exits the process.
    const bool stuck = released > 0 || running_.load() > 0;
    for (std::thread& t : threads_) {
        if (!t.joinable()) continue;
        if (stuck) {
            t.detach();
        } else {
            t.join();
        }
    }
    threads_.clear();
    return released;
}

}  // namespace amapiano::jobs
