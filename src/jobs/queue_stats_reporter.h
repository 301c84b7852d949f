// QueueStatsReporter: logs the job queue's state once a period as a `queue_stats` line, so that a log
// pipeline can turn it into metrics without scraping `/metrics` — on AWS a CloudWatch Logs metric
// filter makes QueueDepth and OldestQueuedJobAgeSeconds of it, which scale the workers and raise the
// queue-age alarm (deploy/terraform/modules/observability).
//
//   QueueStatsReporter reporter(job_store, log, std::chrono::seconds(60), {{"environment", "prod"}});
//   reporter.Start();   // logs now, then every 60 s:
//   // {"ts":...,"level":"info","event":"queue_stats","environment":"prod","queued":3,"running":2,
//   //  "oldest_queued_age_s":4.2}
//   reporter.Stop();    // also on destruction
//
// `labels` go into every line (the metric filters read the environment from it). A period of zero
// disables it. A failed read is logged as a warning and retried next period.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/log.h"
#include "jobs/job_store.h"

namespace amapiano::jobs {

class QueueStatsReporter final {
public:
    QueueStatsReporter(JobStore& jobs, Logger& log, std::chrono::milliseconds period,
                       nlohmann::json labels = nlohmann::json::object());
    ~QueueStatsReporter();
    QueueStatsReporter(const QueueStatsReporter&) = delete;
    QueueStatsReporter& operator=(const QueueStatsReporter&) = delete;

    void Start();
    void Stop();
    // Logs one line now (the loop's step; tests).
    void ReportOnce();

private:
    void Loop();

    JobStore& jobs_;
    Logger& log_;
    const std::chrono::milliseconds period_;
    const nlohmann::json labels_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace amapiano::jobs
