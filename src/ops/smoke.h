// The post-deploy (post-cutover) smoke test behind `amapiano smoke URL`: one pass through everything
// a user does, against a running service, with a throwaway account that is deleted at the end.
//
//   SmokeOptions options{.url = "https://api.example.com"};
//   options.on_step = [](const SmokeStep& step) { std::puts(SmokeStepLine(step).c_str()); };
//   Result<SmokeReport> report = RunSmoke(options);
//   if (!report) return report.error();      // kInvalidArgument: the URL or a header is unusable
//   return report->Passed() ? 0 : 1;          // every step passed
//
// The steps, in order, each timed and reported PASS, FAIL or SKIP with a one-line detail:
//   health      GET /healthz answers 200 and GET /health says "healthy"
//   readiness   GET /readyz answers 200 (the checks that failed otherwise)
//   signup      a new account smoke-<unix time>-<random hex>@smoke.invalid with a random password
//   login       logging in with it works and GET /api/v1/auth/me names that address
//   generation  a short generation (8 bars, fixed seed, WAV + MIDI) succeeds within the timeout; every
//               asset of the track downloads through its signed URL (following a redirect to S3 or
//               CloudFront), with size_bytes bytes and the right magic (RIFF....WAVE, MThd)
//   analysis    the downloaded WAV uploaded to /api/v1/analyses reads within 3 BPM of the track's tempo
//   signed_url  the WAV's link with its signature altered is refused with 403, without a signature it
//               is refused, and Range: bytes=0-99 answers 206 with those 100 bytes
//   cleanup     always: DELETE the track, then DELETE /api/v1/auth/me (retried while a job still
//               runs, for up to 30 s), then the token must get 401
// A step whose prerequisite did not pass is SKIP (not a pass): everything but cleanup needs health,
// login and generation need signup, analysis and signed_url need generation.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "ops/service_client.h"

namespace amapiano::ops {

inline constexpr std::string_view kDefaultSmokePrompt =
    "soulful private school amapiano, jazzy piano, deep log drums, 112 BPM in F#m";

enum class StepStatus { kPass, kFail, kSkip };

// "pass", "fail", "skip".
std::string_view StepStatusName(StepStatus status);

struct SmokeStep final {
    std::string name{};
    StepStatus status = StepStatus::kSkip;
    double ms = 0.0;
    std::string detail{};
};

// Runs named steps in order and keeps their outcomes. A step's body returns its detail (PASS) or an
// Error whose message is the detail (FAIL); a step is SKIP without running when one of the steps it
// needs has not passed. An exception from a body (an answer of an unexpected shape) is a FAIL.
class StepRunner final {
public:
    using Body = std::function<Result<std::string>()>;
    using Listener = std::function<void(const SmokeStep&)>;

    explicit StepRunner(Listener on_step = {}) : on_step_(std::move(on_step)) {}

    const SmokeStep& Run(std::string name, std::vector<std::string> needs, const Body& body);
    bool Passed(std::string_view name) const;
    const std::vector<SmokeStep>& steps() const { return steps_; }

private:
    Listener on_step_;
    std::vector<SmokeStep> steps_;
};

struct SmokeReport final {
    std::string url{};
    std::vector<SmokeStep> steps{};
    double seconds = 0.0;

    int PassedCount() const;
    bool Passed() const { return !steps.empty() && PassedCount() == int(steps.size()); }
};

struct SmokeOptions final {
    std::string url{};      // http[s]://host[:port][/prefix]
    HttpHeaders headers{};  // sent with every request to the service
    std::string prompt = std::string(kDefaultSmokePrompt);
    std::chrono::seconds job_timeout = std::chrono::seconds(180);  // per job (generation, analysis)
    std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200);
    std::chrono::seconds delete_retry = std::chrono::seconds(30);  // DELETE /auth/me while jobs run
    uint64_t seed = 20261127;
    double bpm_tolerance = 3.0;
    StepRunner::Listener on_step{};  // called as each step finishes (for output as it goes)
};

// Errors: kInvalidArgument when the URL or a header cannot be used; everything the service does
// wrong is in the report.
Result<SmokeReport> RunSmoke(const SmokeOptions& options);

// "PASS  health          4 ms   /healthz 200, /health healthy"
std::string SmokeStepLine(const SmokeStep& step);
// "smoke: 8/8 passed against URL in 2.3 s" or "smoke: FAILED 2 of 8 steps against URL in 2.3 s".
std::string SmokeSummaryLine(const SmokeReport& report);
// {"url","passed","seconds","steps":[{"name","status","ms","detail"}]}
nlohmann::ordered_json SmokeJson(const SmokeReport& report);

// A throwaway account address: <prefix>-<unix seconds>-<8 random hex digits>@smoke.invalid
// (.invalid is reserved, RFC 2606: no mail can ever reach it), e.g. smoke-1795000000-9f3a0c1d@smoke.invalid.
std::string ThrowawayEmail(std::string_view prefix, int64_t unix_seconds);

// A signed download URL with the last digit of its `signature` parameter changed (a forged link), and
// with the parameter removed; the other parameters are kept in order.
std::string AlterSignature(const std::string& url);
std::string RemoveSignature(const std::string& url);

}  // namespace amapiano::ops
