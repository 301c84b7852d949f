#include "jobs/job_feed.h"

#include "core/clock.h"

namespace amapiano::jobs {

JobFeed::JobFeed(JobStore& jobs, JobEvents& events, Logger& log, JobFeedOptions options)
    : jobs_(jobs), events_(events), log_(log), options_(std::move(options)) {
    // Changes from before the start are history, not news.
    last_poll_ = std::chrono::system_clock::now();
}

JobFeed::~JobFeed() { Stop(); }

void JobFeed::Start() {
    if (thread_.joinable()) return;
    if (!options_.listen_url.empty()) {
        auto listener = store::OpenPostgresListener(options_.listen_url, "amapiano_jobs");
        if (listener) {
            listener_ = std::move(*listener);
        } else {
            log_.Warn("job_feed_listen_failed",
                      {{"error", listener.error().message}, {"fallback", "polling"}});
        }
    }
    thread_ = std::thread([this] { Loop(); });
}

void JobFeed::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    if (listener_) listener_->Interrupt();
    if (thread_.joinable()) thread_.join();
}

void JobFeed::PollOnce() {
    // Re-read a window before the last poll: a writer stamps a change before it commits, and other
    // machines' clocks differ a little. JobEvents drops the repeats.
    const auto started = std::chrono::system_clock::now();
    std::string since = UtcTimestamp(last_poll_ - options_.overlap);
    bool queued = false;
    while (true) {
        Result<std::vector<Job>> changed = jobs_.ChangedSince(since, options_.batch);
        if (!changed) {
            log_.Warn("job_feed_poll_failed", {{"error", changed.error().message}});
            return;  // the window is kept: the next poll reads it again
        }
        for (const Job& job : *changed) {
            if (job.status == JobStatus::kQueued) queued = true;
            events_.Publish(job);
        }
        // A full batch (a burst): read on from the newest change seen.
        if (int(changed->size()) < options_.batch || changed->back().updated_at <= since) break;
        since = changed->back().updated_at;
    }
    last_poll_ = started;
    if (queued && wake_) wake_();
}

void JobFeed::Loop() {
    auto last_poll = std::chrono::steady_clock::now() - options_.min_gap;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        if (listener_) {
            Result<std::vector<std::string>> notes = listener_->Wait(options_.fallback_interval);
            if (!notes && !listener_down_logged_) {
                log_.Warn("job_feed_listen_lost",
                          {{"error", notes.error().message}, {"fallback", "polling"}});
                listener_down_logged_ = true;
            } else if (notes) {
                listener_down_logged_ = false;
            }
            if (!notes) {
                std::unique_lock lock(mutex_);
                stop_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
            }
        } else {
            std::unique_lock lock(mutex_);
            stop_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        // Bursts of notifications become one poll per min_gap.
        const auto since_last = std::chrono::steady_clock::now() - last_poll;
        if (since_last < options_.min_gap) std::this_thread::sleep_for(options_.min_gap - since_last);
        last_poll = std::chrono::steady_clock::now();
        PollOnce();
    }
}

}  // namespace amapiano::jobs
