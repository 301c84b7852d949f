// The performance test behind `amapiano loadtest URL`: many generations end to end, then a stretch of
// concurrent API reads, against a running service, on one throwaway account deleted at the end.
//
//   LoadTestOptions options{.url = "https://api.example.com", .generations = 100, .concurrency = 10};
//   Result<LoadTestReport> report = RunLoadTest(options);
//   if (!report) return report.error();   // the URL is unusable, the service unreachable, no signup
//   std::fputs(LoadTestText(*report).c_str(), stdout);
//   return report->Passed() ? 0 : 1;       // targets met, no errors, nothing rate limited, cleaned up
//
// Phase 1, generations: `concurrency` clients take the `generations` requests one by one; each POSTs
// a short generation (`bars`, WAV, seed first_seed + i), then polls its job every `poll_interval`
// until it succeeded. Measured: "generation end-to-end" (from sending the POST to seeing `succeeded`,
// queueing included) and "generation POST accept" (the POST's 202).
// Phase 2, after phase 1 (so the reads see the tracks and jobs it made, and neither phase's numbers
// include the other's load): `concurrency` clients loop for `read_duration` over GET
// /api/v1/tracks?limit=20, GET /api/v1/tracks/{id}, GET /api/v1/jobs/{id} and GET /healthz, each
// request timed; "API reads (all)" pools them.
// Each client thread keeps its own HTTP connection alive (store::PerformHttp).
//
// Counting: a 429 is "rate limited" (waited out with its Retry-After and, for a generation's POST,
// retried), never a latency sample or an error; any other failure (a connection error, a non-2xx
// answer, a failed or timed-out job) is an error. Percentiles are nearest-rank over the successful
// samples. The run passes when the generation end-to-end p95 is within `gen_p95_ms`, the API reads'
// p95 within `api_p95_ms`, nothing failed, nothing was rate limited (a throttled run measures the
// limiter, not the service) and the account was deleted (unless `keep`).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "ops/service_client.h"

namespace amapiano::ops {

inline constexpr std::string_view kRateLimitHint =
    "the service's per-user rate limit throttled the test; raise --rate-limit-per-minute on the target or "
    "run with fewer reads";

// Nearest-rank percentile of `sorted` (ascending): the sample at 1-based rank ceil(p / 100 * n), at
// least rank 1 — always one of the samples, never interpolated. nullopt when there are none. p in
// (0, 100]; p = 100 is the maximum.
std::optional<double> NearestRankPercentile(std::span<const double> sorted, double p);

struct LatencySummary final {
    int64_t count = 0;         // requests (or generations) made, not counting 429 answers
    int64_t errors = 0;        // of those, the ones that failed
    int64_t rate_limited = 0;  // 429 answers
    std::optional<double> p50_ms{}, p95_ms{}, p99_ms{}, max_ms{};  // over the successful ones
    double per_second = 0.0;                                       // successful ones per second of the phase
};

// Latencies of one metric, recorded from many threads.
class LatencyRecorder final {
public:
    void Success(double ms);
    void Failure();
    void RateLimited();
    // Percentiles of the successes so far; per_second over `seconds` of wall time.
    LatencySummary Summarize(double seconds) const;
    // The successes of several recorders pooled into one summary (API reads (all)).
    static LatencySummary Pooled(std::span<const LatencyRecorder* const> recorders, double seconds);

private:
    mutable std::mutex mutex_;
    std::vector<double> samples_;
    int64_t errors_ = 0;
    int64_t rate_limited_ = 0;
};

struct LoadTestOptions final {
    std::string url{};
    HttpHeaders headers{};
    int generations = 100;
    int concurrency = 10;
    std::chrono::seconds read_duration = std::chrono::seconds(20);
    int bars = 8;
    std::string prompt = "soulful private school amapiano, jazzy piano, deep log drums, 112 BPM in F#m";
    uint64_t first_seed = 1;
    double gen_p95_ms = 3000.0;
    double api_p95_ms = 500.0;
    bool keep = false;  // keep the account and its tracks
    std::chrono::seconds job_timeout = std::chrono::seconds(180);
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50);
    std::function<void(std::string_view line)> on_progress{};  // a few lines of progress
};

struct RouteSummary final {
    std::string route{};  // "GET /api/v1/tracks/{id}"
    LatencySummary latency{};
};

struct LoadTestReport final {
    std::string url;
    int generations = 0;
    int concurrency = 0;
    int bars = 0;
    double read_duration_s = 0.0;

    LatencySummary generation;  // end to end
    LatencySummary accept;      // the POST
    double generation_seconds = 0.0;
    std::vector<RouteSummary> routes;
    LatencySummary api;  // all reads
    double read_seconds = 0.0;
    double gen_target_ms = 0.0;
    double api_target_ms = 0.0;
    int64_t rate_limited = 0;                // 429s anywhere (job polls and cleanup included)
    std::vector<std::string> error_samples;  // the first few distinct failures
    std::string account;
    bool account_kept = false;
    bool cleaned_up = false;
    std::string cleanup;  // what cleanup did, or why it failed
    double seconds = 0.0;

    bool GenerationMet() const { return generation.p95_ms && *generation.p95_ms <= gen_target_ms; }
    bool ApiMet() const { return api.p95_ms && *api.p95_ms <= api_target_ms; }
    int64_t Errors() const;
    bool Passed() const;
};

// Errors: kInvalidArgument for an unusable URL, header or setting; kUnavailable when the service is
// not reachable; the signup's failure (kRateLimited, kUnavailable) when no account could be made.
Result<LoadTestReport> RunLoadTest(const LoadTestOptions& options);

// A table per metric (count, errors, p50/p95/p99/max ms, per second, target and verdict), the hint
// when something was rate limited, and a closing "loadtest: PASSED|FAILED ..." line.
std::string LoadTestText(const LoadTestReport& report);
// {"url","settings","generation":{count,errors,rate_limited,p50_ms,p95_ms,p99_ms,max_ms,per_second,
//  seconds,target_p95_ms,met,"accept":{...}},"api":{...,"routes":{route:{...}}},"rate_limited","hint"?,
//  "errors","account","passed","seconds"}
nlohmann::ordered_json LoadTestJson(const LoadTestReport& report);

}  // namespace amapiano::ops
