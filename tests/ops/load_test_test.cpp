// The load test's arithmetic and reports: nearest-rank percentiles (edge cases included), the
// recorders' counting (429s apart from errors), the pass rule, the JSON and text reports; and short
// whole runs against a scripted loopback service (one that works, one that rate-limits reads).
#include "ops/load_test.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback_http_server.h"

namespace amapiano::ops {
namespace {

using testing_support::LoopbackHttpServer;

TEST(NearestRankPercentile, EdgeCases) {
    EXPECT_FALSE(NearestRankPercentile({}, 50).has_value());
    const std::vector<double> one = {7.5};
    for (double p : {0.1, 50.0, 95.0, 99.0, 100.0}) EXPECT_EQ(NearestRankPercentile(one, p), 7.5) << p;
    const std::vector<double> two = {1, 2};
    EXPECT_EQ(NearestRankPercentile(two, 50), 1);  // rank ceil(1.0) = 1
    EXPECT_EQ(NearestRankPercentile(two, 51), 2);
    EXPECT_EQ(NearestRankPercentile(two, 100), 2);
}

TEST(NearestRankPercentile, IsAlwaysOneOfTheSamplesAtRankCeilPN) {
    std::vector<double> hundred(100);
    std::iota(hundred.begin(), hundred.end(), 1.0);  // 1..100
    EXPECT_EQ(NearestRankPercentile(hundred, 50), 50);
    EXPECT_EQ(NearestRankPercentile(hundred, 95), 95);
    EXPECT_EQ(NearestRankPercentile(hundred, 99), 99);
    EXPECT_EQ(NearestRankPercentile(hundred, 100), 100);
    std::vector<double> twenty(20);
    std::iota(twenty.begin(), twenty.end(), 1.0);
    EXPECT_EQ(NearestRankPercentile(twenty, 95), 19);  // 0.95 * 20 = 19 exactly, not 20
    EXPECT_EQ(NearestRankPercentile(twenty, 99), 20);
    EXPECT_EQ(NearestRankPercentile(twenty, 50), 10);
    const std::vector<double> four = {10, 20, 30, 40};
    EXPECT_EQ(NearestRankPercentile(four, 25), 10);
    EXPECT_EQ(NearestRankPercentile(four, 26), 20);
    EXPECT_EQ(NearestRankPercentile(four, 75), 30);
    EXPECT_EQ(NearestRankPercentile(four, 76), 40);
}

TEST(LatencyRecorder, CountsSuccessesErrorsAndRateLimitsApartFromEachOther) {
    LatencyRecorder r;
    const LatencySummary empty = r.Summarize(1.0);
    EXPECT_EQ(empty.count, 0);
    EXPECT_FALSE(empty.p50_ms || empty.p95_ms || empty.p99_ms || empty.max_ms);
    EXPECT_EQ(empty.per_second, 0.0);

    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&r, t] {
            for (int i = 0; i < 25; ++i) r.Success(double(100 - (t * 25 + i)));  // 1..100 in no order
        });
    }
    for (auto& t : threads) t.join();
    r.Failure();
    r.Failure();
    r.RateLimited();
    const LatencySummary s = r.Summarize(4.0);
    EXPECT_EQ(s.count, 102);  // 100 successes + 2 errors; the 429 is not a request counted
    EXPECT_EQ(s.errors, 2);
    EXPECT_EQ(s.rate_limited, 1);
    EXPECT_EQ(s.p50_ms, 50);
    EXPECT_EQ(s.p95_ms, 95);
    EXPECT_EQ(s.p99_ms, 99);
    EXPECT_EQ(s.max_ms, 100);
    EXPECT_DOUBLE_EQ(s.per_second, 25.0);

    LatencyRecorder other;
    other.Success(1000);
    other.RateLimited();
    const LatencyRecorder* both[] = {&r, &other};
    const LatencySummary pooled = LatencyRecorder::Pooled(both, 1.0);
    EXPECT_EQ(pooled.count, 103);
    EXPECT_EQ(pooled.rate_limited, 2);
    EXPECT_EQ(pooled.max_ms, 1000);
    EXPECT_EQ(pooled.p50_ms, 51);  // rank ceil(0.5 * 101) = 51 of 1..100, 1000
}

LatencySummary Fast(int64_t count) {
    return {.count = count, .p50_ms = 1.0, .p95_ms = 2.0, .p99_ms = 3.0, .max_ms = 4.0, .per_second = 10.0};
}

LoadTestReport GoodReport() {
    LoadTestReport r;
    r.url = "http://127.0.0.1:8080";
    r.generations = 8;
    r.concurrency = 4;
    r.bars = 8;
    r.read_duration_s = 3;
    r.generation = {.count = 8, .p50_ms = 400, .p95_ms = 900, .p99_ms = 950, .max_ms = 950, .per_second = 4};
    r.accept = Fast(8);
    r.routes = {{"GET /api/v1/tracks?limit=20", Fast(10)}, {"GET /healthz", Fast(10)}};
    r.api = Fast(20);
    r.gen_target_ms = 3000;
    r.api_target_ms = 500;
    r.account = "loadtest-1-00000000@smoke.invalid";
    r.cleaned_up = true;
    r.cleanup = "deleted the account";
    return r;
}

TEST(LoadTestReport, PassesOnlyWithTargetsMetNoErrorsNoThrottlingAndCleanedUp) {
    EXPECT_TRUE(GoodReport().Passed());
    auto slow = GoodReport();
    slow.generation.p95_ms = 3000.5;
    EXPECT_FALSE(slow.GenerationMet());
    EXPECT_FALSE(slow.Passed());
    auto no_data = GoodReport();
    no_data.api = {};
    EXPECT_FALSE(no_data.ApiMet());
    EXPECT_FALSE(no_data.Passed());
    auto errors = GoodReport();
    errors.api.errors = 1;
    EXPECT_EQ(errors.Errors(), 1);
    EXPECT_FALSE(errors.Passed());
    auto throttled = GoodReport();
    throttled.rate_limited = 3;
    EXPECT_FALSE(throttled.Passed());
    auto left = GoodReport();
    left.cleaned_up = false;
    EXPECT_FALSE(left.Passed());
    left.account_kept = true;  // --keep: nothing to delete
    EXPECT_TRUE(left.Passed());
}

TEST(LoadTestReport, JsonHasTheNumbersAndTheVerdicts) {
    auto report = GoodReport();
    auto j = LoadTestJson(report);
    for (const char* key :
         {"url", "settings", "generation", "api", "rate_limited", "errors", "account", "passed"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_FALSE(j.contains("hint"));
    for (const char* key :
         {"count", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "target_p95_ms", "met"}) {
        EXPECT_TRUE(j["generation"].contains(key)) << key;
        EXPECT_TRUE(j["api"].contains(key)) << key;
    }
    EXPECT_EQ(j["generation"]["count"], 8);
    EXPECT_EQ(j["generation"]["p95_ms"], 900.0);
    EXPECT_EQ(j["generation"]["target_p95_ms"], 3000.0);
    EXPECT_EQ(j["generation"]["met"], true);
    EXPECT_EQ(j["generation"]["accept"]["count"], 8);
    EXPECT_EQ(j["api"]["routes"]["GET /healthz"]["count"], 10);
    EXPECT_EQ(j["api"]["target_p95_ms"], 500.0);
    EXPECT_EQ(j["rate_limited"], 0);
    EXPECT_EQ(j["passed"], true);

    report.rate_limited = 5;
    report.api.p95_ms.reset();
    j = LoadTestJson(report);
    EXPECT_EQ(j["hint"], std::string(kRateLimitHint));
    EXPECT_TRUE(j["api"]["p95_ms"].is_null());
    EXPECT_EQ(j["api"]["met"], false);
    EXPECT_EQ(j["passed"], false);
}

TEST(LoadTestReport, TextHasATableTheHintAndTheVerdict) {
    const std::string good = LoadTestText(GoodReport());
    for (const char* part : {"generation end-to-end", "generation POST accept", "GET /api/v1/tracks?limit=20",
                             "API reads (all)", "p95 target", "met", "loadtest: PASSED"}) {
        EXPECT_NE(good.find(part), std::string::npos) << part << "\n" << good;
    }
    EXPECT_EQ(good.find("hint:"), std::string::npos);
    auto throttled = GoodReport();
    throttled.rate_limited = 7;
    throttled.generation.p95_ms = 4000;
    const std::string bad = LoadTestText(throttled);
    EXPECT_NE(bad.find("hint: " + std::string(kRateLimitHint)), std::string::npos) << bad;
    EXPECT_NE(bad.find("MISSED"), std::string::npos) << bad;
    EXPECT_NE(bad.find("loadtest: FAILED"), std::string::npos) << bad;
    EXPECT_NE(bad.find("generation p95 4000 ms is over the 3000 ms target"), std::string::npos) << bad;
    EXPECT_NE(bad.find("7 requests rate limited"), std::string::npos) << bad;
}

// A scripted service: signup, generations whose jobs succeed at the second look, the read routes,
// and the account's deletion. `limit_reads` answers the track list with 429.
class FakeService final {
public:
    explicit FakeService(bool limit_reads)
        : server_([this, limit_reads](const LoopbackHttpServer::Request& r, int) {
              return Answer(r, limit_reads);
          }) {}
    std::string Url() const { return server_.Url(); }
    bool deleted() const { return deleted_; }
    int generations() const { return generations_; }

private:
    static LoopbackHttpServer::Reply Json(int status, const std::string& body) {
        return {.status = status, .headers = {{"Content-Type", "application/json"}}, .body = body};
    }
    LoopbackHttpServer::Reply Answer(const LoopbackHttpServer::Request& r, bool limit_reads) {
        const std::string& t = r.target;
        if (t == "/healthz") return Json(200, R"({"status":"ok"})");
        if (t == "/api/v1/auth/signup") return Json(201, R"({"token":"tok","user":{}})");
        if (r.Header("authorization") != "Bearer tok" || deleted_) {
            return Json(401, R"({"error":{"code":"unauthenticated","message":"sign in"}})");
        }
        if (r.method == "POST" && t == "/api/v1/generations") {
            const int n = generations_++;
            return Json(202, R"({"job":{"id":"j)" + std::to_string(n) + R"(","status":"queued"}})");
        }
        if (t.starts_with("/api/v1/jobs/")) {
            const bool done = ++looks_[t] >= 2;
            return Json(200, done
                                 ? R"({"status":"succeeded","result":{"track_id":")" + t.substr(13) + R"("}})"
                                 : R"({"status":"running"})");
        }
        if (t == "/api/v1/tracks?limit=20") {
            if (limit_reads) {
                return {.status = 429,
                        .headers = {{"Retry-After", "1"}},
                        .body = R"({"error":{"code":"rate_limited","message":"slow down"}})"};
            }
            return Json(200, R"({"items":[]})");
        }
        if (t.starts_with("/api/v1/tracks/")) return Json(200, R"({"id":"x","assets":[]})");
        if (r.method == "DELETE" && t == "/api/v1/auth/me") {
            deleted_ = true;
            return {.status = 204};
        }
        return Json(404, R"({"error":{"code":"not_found","message":"no"}})");
    }

    std::atomic<bool> deleted_{false};
    std::atomic<int> generations_{0};
    std::map<std::string, int> looks_;
    LoopbackHttpServer server_;  // last: it calls Answer until it is destroyed
};

LoadTestOptions SmallRun(const std::string& url) {
    LoadTestOptions o;
    o.url = url;
    o.generations = 3;
    o.concurrency = 2;
    o.read_duration = std::chrono::seconds(1);
    o.poll_interval = std::chrono::milliseconds(5);
    return o;
}

TEST(RunLoadTest, AgainstAScriptedService) {
    FakeService service(false);
    auto report = RunLoadTest(SmallRun(service.Url()));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(service.generations(), 3);
    EXPECT_EQ(report->generation.count, 3);
    EXPECT_EQ(report->generation.errors, 0);
    EXPECT_EQ(report->accept.count, 3);
    EXPECT_GT(report->api.count, 0);
    EXPECT_EQ(report->api.errors, 0) << (report->error_samples.empty() ? "" : report->error_samples[0]);
    ASSERT_EQ(report->routes.size(), 4u);
    for (const RouteSummary& r : report->routes) EXPECT_GT(r.latency.count, 0) << r.route;
    EXPECT_LE(*report->generation.p50_ms, *report->generation.p95_ms);
    EXPECT_LE(*report->api.p95_ms, *report->api.max_ms);
    EXPECT_EQ(report->rate_limited, 0);
    EXPECT_TRUE(report->cleaned_up) << report->cleanup;
    EXPECT_TRUE(service.deleted());
    EXPECT_TRUE(report->Passed()) << LoadTestText(*report);
}

TEST(RunLoadTest, RateLimitedReadsAreCountedApartAndFailTheRun) {
    FakeService service(true);
    auto report = RunLoadTest(SmallRun(service.Url()));
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_GT(report->rate_limited, 0);
    EXPECT_EQ(report->routes[0].latency.count, 0);  // 429s are not samples
    EXPECT_GT(report->routes[0].latency.rate_limited, 0);
    EXPECT_EQ(report->Errors(), 0);
    EXPECT_FALSE(report->Passed());
    EXPECT_NE(LoadTestText(*report).find(std::string(kRateLimitHint)), std::string::npos);
}

TEST(RunLoadTest, UnusableSettingsAndUnreachableServices) {
    auto bad = RunLoadTest({.url = "mailto:x"});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    LoadTestOptions zero;
    zero.url = "http://127.0.0.1:1";
    zero.generations = 0;
    EXPECT_EQ(RunLoadTest(zero).error().code, ErrorCode::kInvalidArgument);
    zero.generations = 1;
    auto down = RunLoadTest(zero);  // port 1: nothing listens there
    ASSERT_FALSE(down.ok());
    EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace amapiano::ops
