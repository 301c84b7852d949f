// Api: the service's routes — accounts, jobs, tracks, signed downloads and operations — over the
// stores, independent of the transport.
//
// A request goes through two steps so that nothing large is read in vain:
//   Admission a = api.Admit(request, content_length);   // route, auth, rate limit, media type, size
//   if (a.reject) send(*a.reject); else { read a.body into the request; send(api.Handle(request)); }
//
// Routes (see content/openapi.json, which a test keeps in step with Routes()):
//   POST /api/v1/auth/signup|login|logout, GET /api/v1/auth/me
//   POST /api/v1/generations, /api/v1/analyses, /api/v1/validations; GET /api/v1/jobs/{id}
//   GET /api/v1/tracks, GET|DELETE /api/v1/tracks/{id}, GET|HEAD /api/v1/assets/{track_id}/{name}
//   GET /api/v1/events (WebSocket; the transport upgrades it), GET /api/v1/openapi.json
//   GET /healthz, /readyz, /health, /metrics
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "jobs/job_events.h"
#include "jobs/job_store.h"
#include "server/accounts.h"
#include "server/api_types.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/signed_urls.h"
#include "store/object_store.h"

namespace amapiano::server {

enum class BodyKind { kNone, kJson, kUpload };

struct ApiOptions final {
    int64_t max_upload_bytes = int64_t(200) << 20;
    int64_t max_json_bytes = int64_t(1) << 20;
    std::chrono::seconds url_ttl = std::chrono::minutes(15);
    int rate_limit_per_minute = 1200;
    bool secure_cookies = false;  // add Secure to the session cookie (behind TLS)
    std::string version;
    std::chrono::seconds session_lifetime = std::chrono::hours(24 * 30);
    // GET of an asset answers 302 to the object store's direct URL (S3 presigned / CloudFront) when
    // it has one, instead of streaming the bytes through this process.
    bool redirect_assets = false;
};

struct ApiServices final {
    store::Database& db;
    store::ObjectStore& objects;
    Accounts& accounts;
    jobs::JobStore& jobs;
    jobs::JobEvents& events;
    Metrics& metrics;
    const UrlSigner& signer;
    Logger& log;
    std::function<void()> wake_workers;  // a job was queued
    std::function<int()> jobs_running;   // on this process's workers
};

struct Admission final {
    std::optional<ApiResponse> reject;
    BodyKind body = BodyKind::kNone;
    std::string route;  // the matched pattern, for the log and metrics
};

struct RouteInfo final {
    std::string method;
    std::string pattern;
};

class Api final {
public:
    Api(const ApiServices& services, const ApiOptions& options);

    Admission Admit(ApiRequest& request, std::optional<uint64_t> content_length);
    ApiResponse Handle(ApiRequest& request);

    // The user a WebSocket to /api/v1/events belongs to (token in ?token=, header or cookie).
    Result<User> AuthenticateEvents(ApiRequest& request);

    void SetDraining() { draining_ = true; }
    bool draining() const { return draining_.load(); }
    void SetEngineReady(bool ready) { engine_ready_ = ready; }

    std::vector<RouteInfo> Routes() const;

private:
    using Handler = ApiResponse (Api::*)(ApiRequest&);
    struct Route final {
        std::string method;
        std::string pattern;
        BodyKind body;
        bool auth;
        Handler handler;
    };
    const Route* Match(ApiRequest& request, std::vector<std::string>* allowed);
    Result<User> Authenticate(ApiRequest& request, bool allow_query_token);

    ApiResponse SignUp(ApiRequest& r);
    ApiResponse Login(ApiRequest& r);
    ApiResponse Logout(ApiRequest& r);
    ApiResponse Me(ApiRequest& r);
    ApiResponse DeleteMe(ApiRequest& r);
    ApiResponse CreateGeneration(ApiRequest& r);
    ApiResponse CreateAnalysis(ApiRequest& r);
    ApiResponse CreateValidation(ApiRequest& r);
    ApiResponse CreateUploadJob(ApiRequest& r, std::string_view kind, nlohmann::json params);
    ApiResponse GetJob(ApiRequest& r);
    ApiResponse ListTracks(ApiRequest& r);
    ApiResponse GetTrack(ApiRequest& r);
    ApiResponse DeleteTrack(ApiRequest& r);
    ApiResponse GetAsset(ApiRequest& r);
    ApiResponse Events(ApiRequest& r);
    ApiResponse OpenApi(ApiRequest& r);
    ApiResponse Healthz(ApiRequest& r);
    ApiResponse Readyz(ApiRequest& r);
    ApiResponse Health(ApiRequest& r);
    ApiResponse MetricsText(ApiRequest& r);

    ApiResponse JobAccepted(const jobs::Job& job);
    ApiResponse SessionResponse(int status, const Session& session);
    // 204 that also clears the session cookie (logout, account deleted).
    ApiResponse SessionEnded();
    // Removes objects whose rows are already gone; a failure is logged, not returned.
    void DeleteObjects(const std::vector<std::string>& keys);

    ApiServices s_;
    ApiOptions options_;
    RateLimiter limiter_;
    std::vector<Route> routes_;
    std::atomic<bool> draining_{false};
    std::atomic<bool> engine_ready_{false};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The user as the API shows it: {id, email, display_name, created_at}.
nlohmann::json UserJson(const User& user);

}  // namespace amapiano::server
