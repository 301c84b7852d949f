#include "ops/load_test.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <thread>

#include "core/ids.h"
#include "core/text.h"
#include "ops/smoke.h"

namespace amapiano::ops {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxErrorSamples = 5;
constexpr std::chrono::seconds kDeleteRetry{60};

double SecondsFrom(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}
double Ms(std::chrono::microseconds elapsed) { return double(elapsed.count()) / 1000.0; }
double MillisecondsFrom(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

LatencySummary Summary(std::vector<double> samples, int64_t errors, int64_t rate_limited, double seconds) {
    std::sort(samples.begin(), samples.end());
    LatencySummary s;
    s.count = int64_t(samples.size()) + errors;
    s.errors = errors;
    s.rate_limited = rate_limited;
    s.p50_ms = NearestRankPercentile(samples, 50);
    s.p95_ms = NearestRankPercentile(samples, 95);
    s.p99_ms = NearestRankPercentile(samples, 99);
    s.max_ms = NearestRankPercentile(samples, 100);
    s.per_second = seconds > 0 ? double(samples.size()) / seconds : 0.0;
    return s;
}

// What the threads share: the failures seen (the first few kept for the report) and 429s outside
// the metrics (job polls, cleanup).
class Failures final {
public:
    void Add(std::string message) {
        std::lock_guard lock(mutex_);
        if (samples_.size() < kMaxErrorSamples &&
            std::find(samples_.begin(), samples_.end(), message) == samples_.end()) {
            samples_.push_back(std::move(message));
        }
    }
    std::vector<std::string> Samples() const {
        std::lock_guard lock(mutex_);
        return samples_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> samples_;
};

// Sleeps for a 429's Retry-After, but not past `deadline`.
void WaitOut(const ClientResponse& r, Clock::time_point deadline) {
    const auto left = deadline - Clock::now();
    if (left > Clock::duration::zero()) {
        std::this_thread::sleep_for(std::min<Clock::duration>(r.RetryAfter(), left));
    }
}

struct Produced final {
    std::mutex mutex;
    std::vector<std::string> job_ids;
    std::vector<std::string> track_ids;
};

// One generation, POST to `succeeded`. Records into `end_to_end` and `accept`.
void RunGeneration(const ServiceClient& client, const LoadTestOptions& options, int index,
                   LatencyRecorder& end_to_end, LatencyRecorder& accept, std::atomic<int64_t>& polls_limited,
                   Failures& failures, Produced& produced) {
    const json spec = {{"prompt", options.prompt},
                       {"bars", options.bars},
                       {"seed", options.first_seed + uint64_t(index)},
                       {"formats", json::array({"wav"})}};
    const auto start = Clock::now();
    const auto deadline = start + options.job_timeout;
    auto fail = [&](std::string message) {
        end_to_end.Failure();
        failures.Add(std::move(message));
    };
    std::string job_id;
    while (job_id.empty()) {
        auto r = client.PostJson("/api/v1/generations", spec);
        if (!r) {
            accept.Failure();
            return fail("POST /api/v1/generations: " + r.error().message);
        }
        if (r->status == 429) {
            accept.RateLimited();
            if (Clock::now() >= deadline)
                return fail("POST /api/v1/generations: rate limited until the timeout");
            WaitOut(*r, deadline);
            continue;
        }
        if (r->status != 202) {
            accept.Failure();
            return fail("POST /api/v1/generations answered " + r->Describe());
        }
        accept.Success(Ms(r->elapsed));
        job_id = StringAt(r->Json().value("job", json::object()), "id");
        if (job_id.empty()) return fail("POST /api/v1/generations answered 202 without a job id");
    }
    {
        std::lock_guard lock(produced.mutex);
        produced.job_ids.push_back(job_id);
    }
    std::string last = "queued";
    while (true) {
        auto r = client.Get("/api/v1/jobs/" + job_id);
        if (!r) return fail("GET /api/v1/jobs/{id}: " + r.error().message);
        if (r->status == 429) {
            ++polls_limited;
            WaitOut(*r, deadline);
        } else if (r->status != 200) {
            return fail("GET /api/v1/jobs/{id} answered " + r->Describe());
        } else {
            const json job = r->Json();
            last = StringAt(job, "status");
            if (last == "succeeded") {
                end_to_end.Success(MillisecondsFrom(start));
                const std::string track = StringAt(job.value("result", json::object()), "track_id");
                if (!track.empty()) {
                    std::lock_guard lock(produced.mutex);
                    produced.track_ids.push_back(track);
                }
                return;
            }
            if (last == "failed") {
                const json error = job.value("error", json::object());
                return fail("a generation job failed: " + StringAt(error, "code") + ": " +
                            StringAt(error, "message"));
            }
        }
        if (Clock::now() >= deadline) {
            return fail("a generation job was still " + last + " after " +
                        std::to_string(options.job_timeout.count()) + " s");
        }
        std::this_thread::sleep_for(options.poll_interval);
    }
}

// Deletes the account (its tracks, assets and jobs go with it), waiting out 409 (a job still runs)
// and 429; then the token must be refused.
std::pair<bool, std::string> DeleteAccount(const ServiceClient& client, const std::string& email,
                                           std::atomic<int64_t>& limited) {
    const auto deadline = Clock::now() + kDeleteRetry;
    while (true) {
        auto r = client.Delete("/api/v1/auth/me");
        if (!r)
            return {false,
                    "DELETE /api/v1/auth/me: " + r.error().message + "; the account " + email + " is left"};
        if (r->status == 204) break;
        if ((r->status == 409 || r->status == 429) && Clock::now() < deadline) {
            if (r->status == 429) {
                ++limited;
                WaitOut(*r, deadline);
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
            }
            continue;
        }
        return {false,
                "DELETE /api/v1/auth/me answered " + r->Describe() + "; the account " + email + " is left"};
    }
    auto me = client.Get("/api/v1/auth/me");
    if (!me) return {false, "GET /api/v1/auth/me after the deletion: " + me.error().message};
    if (me->status != 401) return {false, "the deleted account's token still gets " + me->Describe()};
    return {true, "deleted the account " + email + " with its tracks"};
}

}  // namespace

std::optional<double> NearestRankPercentile(std::span<const double> sorted, double p) {
    if (sorted.empty()) return std::nullopt;
    const double n = double(sorted.size());
    // ceil(p/100 * n) computed with a little slack so that 95 % of 20 is exactly rank 19, not 20 by
    // a rounding error.
    double rank = std::ceil(p / 100.0 * n - 1e-9);
    rank = std::clamp(rank, 1.0, n);
    return sorted[size_t(rank) - 1];
}

void LatencyRecorder::Success(double ms) {
    std::lock_guard lock(mutex_);
    samples_.push_back(ms);
}
void LatencyRecorder::Failure() {
    std::lock_guard lock(mutex_);
    ++errors_;
}
void LatencyRecorder::RateLimited() {
    std::lock_guard lock(mutex_);
    ++rate_limited_;
}

LatencySummary LatencyRecorder::Summarize(double seconds) const {
    std::lock_guard lock(mutex_);
    return Summary(samples_, errors_, rate_limited_, seconds);
}

LatencySummary LatencyRecorder::Pooled(std::span<const LatencyRecorder* const> recorders, double seconds) {
    std::vector<double> samples;
    int64_t errors = 0, limited = 0;
    for (const LatencyRecorder* r : recorders) {
        std::lock_guard lock(r->mutex_);
        samples.insert(samples.end(), r->samples_.begin(), r->samples_.end());
        errors += r->errors_;
        limited += r->rate_limited_;
    }
    return Summary(std::move(samples), errors, limited, seconds);
}

int64_t LoadTestReport::Errors() const {
    int64_t n = generation.errors + api.errors;
    return n;
}

bool LoadTestReport::Passed() const {
    return GenerationMet() && ApiMet() && Errors() == 0 && rate_limited == 0 && (account_kept || cleaned_up);
}

Result<LoadTestReport> RunLoadTest(const LoadTestOptions& options) {
    if (options.generations < 1 || options.concurrency < 1 || options.read_duration.count() < 1 ||
        options.bars < 1) {
        return Error::InvalidArgument("generations, concurrency, read seconds and bars must be at least 1");
    }
    auto created = ServiceClient::Create(options.url, options.headers);
    if (!created) return created.error();
    ServiceClient client = std::move(*created);
    auto progress = [&](const std::string& line) {
        if (options.on_progress) options.on_progress(line);
    };
    const auto run_start = Clock::now();
    LoadTestReport report;
    report.url = client.base_url();
    report.generations = options.generations;
    report.concurrency = options.concurrency;
    report.bars = options.bars;
    report.read_duration_s = double(options.read_duration.count());
    report.gen_target_ms = options.gen_p95_ms;
    report.api_target_ms = options.api_p95_ms;

    // --- the account ----------------------------------------------------------------------------
    auto alive = client.Get("/healthz");
    if (!alive) return alive.error();
    if (alive->status != 200)
        return Error::Unavailable(report.url + "/healthz answered " + alive->Describe());
    const auto unix_now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    report.account = ThrowawayEmail("loadtest", unix_now.count());
    const std::string password = RandomToken(18);
    auto signup = client.PostJson(
        "/api/v1/auth/signup",
        {{"email", report.account}, {"password", password}, {"display_name", "amapiano load test"}});
    if (!signup) return signup.error();
    if (signup->status != 201) {
        const Error e{signup->status == 429 ? ErrorCode::kRateLimited : ErrorCode::kUnavailable,
                      "signing up " + report.account + " failed: " + signup->Describe()};
        return e;
    }
    client.SetToken(StringAt(signup->Json(), "token"));
    progress("signed up " + report.account);

    Failures failures;
    std::atomic<int64_t> other_limited{0};
    const int threads = options.concurrency;

    // --- phase 1: generations ---------------------------------------------------------------------
    LatencyRecorder end_to_end, accept;
    Produced produced;
    {
        progress(std::to_string(options.generations) + " generations of " + std::to_string(options.bars) +
                 " bars, " + std::to_string(threads) + " at a time");
        const auto start = Clock::now();
        std::atomic<int> next{0};
        std::atomic<int> done{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < std::min(threads, options.generations); ++t) {
            workers.emplace_back([&] {
                for (int i = next++; i < options.generations; i = next++) {
                    try {
                        RunGeneration(client, options, i, end_to_end, accept, other_limited, failures,
                                      produced);
                    } catch (const std::exception& e) {  // an answer of another shape than the API's
                        end_to_end.Failure();
                        failures.Add(std::string("an answer of an unexpected shape: ") + e.what());
                    }
                    const int finished = ++done;
                    if (options.generations >= 10 && finished % (options.generations / 10) == 0 &&
                        finished < options.generations) {
                        progress("  " + std::to_string(finished) + "/" + std::to_string(options.generations) +
                                 " generations done");
                    }
                }
            });
        }
        for (std::thread& w : workers) w.join();
        report.generation_seconds = SecondsFrom(start);
        report.generation = end_to_end.Summarize(report.generation_seconds);
        report.accept = accept.Summarize(report.generation_seconds);
        progress("generations done in " + FormatFixed(report.generation_seconds, 1) + " s");
    }

    // --- phase 2: API reads -----------------------------------------------------------------------
    {
        struct Route {
            std::string name;
            LatencyRecorder latency;
        };
        std::vector<Route> routes(4);
        routes[0].name = "GET /api/v1/tracks?limit=20";
        routes[1].name = "GET /api/v1/tracks/{id}";
        routes[2].name = "GET /api/v1/jobs/{id}";
        routes[3].name = "GET /healthz";
        const std::vector<std::string> tracks = produced.track_ids;
        const std::vector<std::string> jobs = produced.job_ids;
        progress(std::to_string(options.read_duration.count()) + " s of API reads, " +
                 std::to_string(threads) + " clients");
        const auto start = Clock::now();
        const auto deadline = start + options.read_duration;
        std::vector<std::thread> readers;
        for (int t = 0; t < threads; ++t) {
            readers.emplace_back([&, t] {
                size_t route = size_t(t) % routes.size();
                size_t pick = size_t(t);
                while (Clock::now() < deadline) {
                    std::string path;
                    switch (route) {
                        case 0: path = "/api/v1/tracks?limit=20"; break;
                        case 1:
                            if (!tracks.empty()) path = "/api/v1/tracks/" + tracks[pick % tracks.size()];
                            break;
                        case 2:
                            if (!jobs.empty()) path = "/api/v1/jobs/" + jobs[pick % jobs.size()];
                            break;
                        default: path = "/healthz"; break;
                    }
                    LatencyRecorder& latency = routes[route].latency;
                    const std::string& name = routes[route].name;
                    route = (route + 1) % routes.size();
                    if (route == 0) ++pick;
                    if (path.empty()) continue;  // no tracks (or jobs) to read
                    auto r = client.Get(path);
                    if (!r) {
                        latency.Failure();
                        failures.Add(name + ": " + r.error().message);
                    } else if (r->status == 429) {
                        latency.RateLimited();
                        WaitOut(*r, deadline);
                    } else if (r->status < 200 || r->status >= 300) {
                        latency.Failure();
                        failures.Add(name + " answered " + r->Describe());
                    } else {
                        latency.Success(Ms(r->elapsed));
                    }
                }
            });
        }
        for (std::thread& r : readers) r.join();
        report.read_seconds = SecondsFrom(start);
        std::vector<const LatencyRecorder*> all;
        for (const Route& r : routes) {
            report.routes.push_back({r.name, r.latency.Summarize(report.read_seconds)});
            all.push_back(&r.latency);
        }
        report.api = LatencyRecorder::Pooled(all, report.read_seconds);
    }

    // --- cleanup ----------------------------------------------------------------------------------
    if (options.keep) {
        report.account_kept = true;
        report.cleanup = "kept the account " + report.account + " (password " + password + ") and its " +
                         std::to_string(produced.track_ids.size()) + " tracks";
    } else {
        auto [ok, detail] = DeleteAccount(client, report.account, other_limited);
        report.cleaned_up = ok;
        report.cleanup = detail;
    }
    report.rate_limited = report.accept.rate_limited + report.api.rate_limited + other_limited.load();
    report.error_samples = failures.Samples();
    report.seconds = SecondsFrom(run_start);
    return report;
}

namespace {

std::string Cell(const std::optional<double>& ms) { return ms ? FormatFixed(*ms, 1) : std::string("-"); }

std::string Row(std::string_view name, const LatencySummary& s, std::string_view target,
                std::string_view verdict) {
    char line[256];
    std::snprintf(line, sizeof(line), "%-30s %7lld %6lld %9s %9s %9s %9s %9s  %-10s %s\n",
                  std::string(name).c_str(), static_cast<long long>(s.count),
                  static_cast<long long>(s.errors), Cell(s.p50_ms).c_str(), Cell(s.p95_ms).c_str(),
                  Cell(s.p99_ms).c_str(), Cell(s.max_ms).c_str(), FormatFixed(s.per_second, 1).c_str(),
                  std::string(target).c_str(), std::string(verdict).c_str());
    std::string out = line;
    while (out.size() > 1 && out[out.size() - 2] == ' ') out.erase(out.size() - 2, 1);  // no trailing blanks
    return out;
}

std::string Verdict(const LatencySummary& s, bool met) {
    if (!s.p95_ms) return "no data";
    return met ? "met" : "MISSED";
}

json Optional(const std::optional<double>& ms) {
    return ms ? json(std::round(*ms * 10.0) / 10.0) : json(nullptr);
}

nlohmann::ordered_json SummaryJson(const LatencySummary& s) {
    return {{"count", s.count},
            {"errors", s.errors},
            {"rate_limited", s.rate_limited},
            {"p50_ms", Optional(s.p50_ms)},
            {"p95_ms", Optional(s.p95_ms)},
            {"p99_ms", Optional(s.p99_ms)},
            {"max_ms", Optional(s.max_ms)},
            {"per_second", std::round(s.per_second * 100.0) / 100.0}};
}

}  // namespace

std::string LoadTestText(const LoadTestReport& report) {
    std::string out =
        "loadtest against " + report.url + ": " + std::to_string(report.generations) + " generations of " +
        std::to_string(report.bars) + " bars, " + std::to_string(report.concurrency) + " at a time (" +
        FormatFixed(report.generation_seconds, 1) + " s), then " + FormatFixed(report.read_seconds, 1) +
        " s of API reads by " + std::to_string(report.concurrency) + " clients\n";
    char head[256];
    std::snprintf(head, sizeof(head), "%-30s %7s %6s %9s %9s %9s %9s %9s  %-10s %s\n", "metric (ms)", "count",
                  "errors", "p50", "p95", "p99", "max", "per s", "p95 target", "verdict");
    out += head;
    out += Row("generation end-to-end", report.generation, FormatFixed(report.gen_target_ms, 0),
               Verdict(report.generation, report.GenerationMet()));
    out += Row("generation POST accept", report.accept, "", "");
    for (const RouteSummary& r : report.routes) out += Row(r.route, r.latency, "", "");
    out += Row("API reads (all)", report.api, FormatFixed(report.api_target_ms, 0),
               Verdict(report.api, report.ApiMet()));
    out += "rate limited (429): " + std::to_string(report.rate_limited) + "\n";
    if (report.rate_limited > 0) out += "hint: " + std::string(kRateLimitHint) + "\n";
    for (const std::string& e : report.error_samples) out += "error: " + e + "\n";
    out += "cleanup: " + report.cleanup + "\n";
    std::vector<std::string> why;
    if (!report.GenerationMet()) {
        why.push_back(report.generation.p95_ms
                          ? "generation p95 " + FormatFixed(*report.generation.p95_ms, 0) +
                                " ms is over the " + FormatFixed(report.gen_target_ms, 0) + " ms target"
                          : "no generation succeeded");
    }
    if (!report.ApiMet()) {
        why.push_back(report.api.p95_ms
                          ? "API reads p95 " + FormatFixed(*report.api.p95_ms, 1) + " ms is over the " +
                                FormatFixed(report.api_target_ms, 0) + " ms target"
                          : "no API read succeeded");
    }
    if (report.Errors() > 0) why.push_back(std::to_string(report.Errors()) + " errors");
    if (report.rate_limited > 0)
        why.push_back(std::to_string(report.rate_limited) + " requests rate limited");
    if (!report.account_kept && !report.cleaned_up) why.push_back("cleanup failed");
    if (why.empty()) {
        out += "loadtest: PASSED against " + report.url + " in " + FormatFixed(report.seconds, 1) + " s\n";
    } else {
        std::string text;
        for (const std::string& w : why) text += (text.empty() ? "" : "; ") + w;
        out += "loadtest: FAILED against " + report.url + " in " + FormatFixed(report.seconds, 1) +
               " s: " + text + "\n";
    }
    return out;
}

nlohmann::ordered_json LoadTestJson(const LoadTestReport& report) {
    nlohmann::ordered_json generation = SummaryJson(report.generation);
    generation["seconds"] = std::round(report.generation_seconds * 1000.0) / 1000.0;
    generation["target_p95_ms"] = report.gen_target_ms;
    generation["met"] = report.GenerationMet();
    generation["accept"] = SummaryJson(report.accept);
    nlohmann::ordered_json api = SummaryJson(report.api);
    api["seconds"] = std::round(report.read_seconds * 1000.0) / 1000.0;
    api["target_p95_ms"] = report.api_target_ms;
    api["met"] = report.ApiMet();
    nlohmann::ordered_json routes = nlohmann::ordered_json::object();
    for (const RouteSummary& r : report.routes) routes[r.route] = SummaryJson(r.latency);
    api["routes"] = std::move(routes);
    nlohmann::ordered_json out = {
        {"url", report.url},
        {"settings",
         {{"generations", report.generations},
          {"concurrency", report.concurrency},
          {"bars", report.bars},
          {"read_seconds", report.read_duration_s},
          {"phases", "generations, then reads"}}},
        {"generation", std::move(generation)},
        {"api", std::move(api)},
        {"rate_limited", report.rate_limited},
    };
    if (report.rate_limited > 0) out["hint"] = kRateLimitHint;
    out["errors"] = report.error_samples;
    out["account"] = {{"email", report.account},
                      {"kept", report.account_kept},
                      {"deleted", report.cleaned_up},
                      {"detail", report.cleanup}};
    out["passed"] = report.Passed();
    out["seconds"] = std::round(report.seconds * 1000.0) / 1000.0;
    return out;
}

}  // namespace amapiano::ops
