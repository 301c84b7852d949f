// JobFeed: brings job changes made by any process — other service replicas, `amapiano worker`
// processes — into this process's JobEvents, so a client's WebSocket hears its job's progress
// whichever replica it is connected to.
//
// The jobs table is the source of truth: the feed polls it for rows changed since its last poll
// (minus an overlap, since writers commit out of timestamp order) and publishes them; JobEvents
// drops what it has already passed on. On PostgreSQL a LISTEN on `amapiano_jobs` (fed by a trigger,
// migration 3) wakes the poll at once; polling on a timer is the fallback when the listener is down,
// and the only mechanism on SQLite (several processes sharing one file on one machine).
//
//   JobFeed feed(job_store, events, log, {.listen_url = database_url});
//   feed.SetWake([&pool] { pool.Wake(); });   // a worker process: newly queued jobs wake the pool
//   feed.Start();
//   ...
//   feed.Stop();
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/log.h"
#include "jobs/job_events.h"
#include "jobs/job_store.h"
#include "store/postgres_listener.h"

namespace amapiano::jobs {

struct JobFeedOptions final {
    std::string listen_url{};  // a postgresql:// URL: LISTEN for wake-ups; "" polls only
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(1000);  // without LISTEN
    std::chrono::milliseconds fallback_interval = std::chrono::seconds(5);      // with LISTEN
    std::chrono::milliseconds min_gap = std::chrono::milliseconds(50);          // between two polls
    std::chrono::seconds overlap = std::chrono::seconds(3);                     // re-read window
    int batch = 500;
};

class JobFeed final {
public:
    JobFeed(JobStore& jobs, JobEvents& events, Logger& log, JobFeedOptions options);
    ~JobFeed();
    JobFeed(const JobFeed&) = delete;
    JobFeed& operator=(const JobFeed&) = delete;

    // Called (on the feed's thread) after a poll that saw a queued job.
    void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }
    void Start();
    void Stop();
    // Polls once now (tests; also what a wake-up does).
    void PollOnce();

private:
    void Loop();

    JobStore& jobs_;
    JobEvents& events_;
    Logger& log_;
    JobFeedOptions options_;
    std::function<void()> wake_;
    std::unique_ptr<store::PostgresListener> listener_;
    std::chrono::system_clock::time_point last_poll_;
    bool listener_down_logged_ = false;

    std::mutex mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace amapiano::jobs
