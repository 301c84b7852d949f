#include "jobs/queue_stats_reporter.h"

#include <cmath>

namespace amapiano::jobs {

QueueStatsReporter::QueueStatsReporter(JobStore& jobs, Logger& log, std::chrono::milliseconds period)
    : jobs_(jobs), log_(log), period_(period) {}

QueueStatsReporter::~QueueStatsReporter() { Stop(); }

void QueueStatsReporter::Start() {
    if (period_.count() <= 0 || thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
}

void QueueStatsReporter::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void QueueStatsReporter::ReportOnce() {
    auto stats = jobs_.Stats();
    if (!stats) {
        log_.Warn("queue_stats_failed", {{"error", stats.error().message}});
        return;
    }
    log_.Info("queue_stats", {{"queued", stats->queued},
                              {"running", stats->running},
                              {"oldest_queued_age_s", std::round(stats->oldest_queued_age_s * 10) / 10}});
}

void QueueStatsReporter::Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        ReportOnce();
        lock.lock();
        wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
}

}  // namespace amapiano::jobs
