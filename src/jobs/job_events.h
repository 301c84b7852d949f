// JobEvents: in-process fan-out of job changes (queued, progress, succeeded, failed) to whoever
// listens — the WebSocket sessions of /api/v1/events. Listeners are called on the publishing thread
// and must not block (the WebSocket sessions only queue a message).
//
//   JobEvents events;
//   auto id = events.Subscribe([](const Job& job) { ... });
//   events.Publish(job);
//   events.Unsubscribe(id);
//
// Thread-safe. (Across replicas, the PostgreSQL backend will feed Publish from LISTEN/NOTIFY.)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

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
    void Publish(const Job& job) {
        std::lock_guard lock(mutex_);
        for (auto& [id, listener] : listeners_) listener(job);
    }

private:
    std::mutex mutex_;
    uint64_t next_id_ = 0;
    std::map<uint64_t, Listener> listeners_;
};

}  // namespace amapiano::jobs
