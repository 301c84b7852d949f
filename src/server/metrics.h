// Metrics: the service's counters and latency histograms, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics.
//
//   metrics.ObserveRequest("GET", "/api/v1/tracks", 200, 0.004);
//   metrics.ObserveJob("generation", "succeeded", 1.8);
//   std::string text = metrics.Render({{"amapiano_job_queue_depth", "Jobs waiting", 3}});
//
// Labels are bounded: routes are patterns ("/api/v1/jobs/{id}"), never raw paths. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace amapiano::server {

struct Gauge final {
    std::string name;
    std::string help;
    double value = 0.0;
};

class Metrics final {
public:
    void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);
    void ObserveJob(std::string_view kind, std::string_view outcome, double seconds);
    // Everything observed, then `gauges` (read by the caller at scrape time).
    std::string Render(const std::vector<Gauge>& gauges) const;

private:
    struct Histogram final {
        std::vector<uint64_t> buckets;  // cumulative counts are computed when rendering
        double sum = 0.0;
        uint64_t count = 0;
    };
    static void Observe(Histogram& h, const std::vector<double>& bounds, double value);

    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // method, route, status
    std::map<std::string, Histogram> request_seconds_;                        // by route
    std::map<std::pair<std::string, std::string>, uint64_t> jobs_;            // kind, outcome
    std::map<std::pair<std::string, std::string>, Histogram> job_seconds_;    // kind, outcome
};

}  // namespace amapiano::server
