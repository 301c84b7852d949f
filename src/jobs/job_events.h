// JobEvents: in-process fan-out of job changes (queued, progress, succeeded, failed) to whoever
// listens — the WebSocket sessions of /api/v1/events. Listeners are called on the publishing thread
// and must not block (the WebSocket sessions only queue a message).
//
//   JobEvents events;
//   auto id = events.Subscribe([](const Job& job) { ... });
//   events.Publish(job);
//   events.Unsubscribe(id);
//
// A change can arrive twice — from this process's workers and again from the database feed
// (job_feed.h), which also carries other processes' changes — so Publish passes on only what is
// newer than the last version of that job it passed on (by updated_at, then progress, then status),
// and listeners never see a job step back. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include "jobs/job_store.h"

namespace amapiano::jobs {

class JobEvents final {
public:
    using Listener = std::function<void(const Job&)>;

    uint64_t Subscribe(Listener listener) {
        std::lock_guard lock(mutex_);
        listeners_[++next_id_] = std::move(listener);
        return next_id_;
    }
    void Unsubscribe(uint64_t id) {
        std::lock_guard lock(mutex_);
        listeners_.erase(id);
    }
    // Returns false when the change was not newer than what was already passed on.
    bool Publish(const Job& job) {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        Version version{job.updated_at, job.progress, Rank(job.status)};
        auto [it, inserted] = seen_.try_emplace(job.id, Seen{version, now});
        if (!inserted) {
            if (!(it->second.version < version)) return false;
            it->second = {version, now};
        }
        if (++publishes_ % 1024 == 0) Forget(now);
        for (auto& [id, listener] : listeners_) listener(job);
        return true;
    }

private:
    using Version = std::tuple<std::string, double, int>;
    struct Seen {
        Version version;
        std::chrono::steady_clock::time_point at;
    };
    static int Rank(JobStatus status) {
        return status == JobStatus::kQueued ? 0 : status == JobStatus::kRunning ? 1 : 2;
    }
    // Jobs quiet for ten minutes are forgotten (a late duplicate of them would pass once more).
    void Forget(std::chrono::steady_clock::time_point now) {
        for (auto it = seen_.begin(); it != seen_.end();) {
            it = now - it->second.at > std::chrono::minutes(10) ? seen_.erase(it) : std::next(it);
        }
    }

    std::mutex mutex_;
    uint64_t next_id_ = 0;
    uint64_t publishes_ = 0;
    std::map<uint64_t, Listener> listeners_;
    std::unordered_map<std::string, Seen> seen_;
};

}  // namespace amapiano::jobs
