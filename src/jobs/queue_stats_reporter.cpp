#include "jobs/queue_stats_reporter.h"

#include <cmath>
#include <utility>

namespace amapiano::jobs {

QueueStatsReporter::QueueStatsReporter(JobStore& jobs, Logger& log, std::chrono::milliseconds period,
                                       nlohmann::json labels)
    : jobs_(jobs), log_(log), period_(period), labels_(std::move(labels)) {}

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
    nlohmann::json line = labels_;
    line["queued"] = stats->queued;
    line["running"] = stats->running;
    line["oldest_queued_age_s"] = std::round(stats->oldest_queued_age_s * 10) / 10;
    log_.Info("queue_stats", line);
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
