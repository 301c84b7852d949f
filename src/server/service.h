// The `amapiano serve` process: resolves its settings, opens the stores (applying migrations),
// starts the job workers and the HTTP server, and on SIGTERM/SIGINT drains — not ready, no new
// connections, WebSockets closed with 1001, running jobs finished or handed back to the queue — and
// exits 0 within the drain time.
//
//   Config config = Config::FromEnvironment();
//   config.SetFlag("port", "9000");                        // flags win over the environment
//   Result<ServiceOptions> options = ServiceOptionsFrom(config);
//   return RunService(*options, log);
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"

namespace amapiano::server {

struct ServiceOptions final {
    std::string host = "0.0.0.0";
    int port = 8080;
    std::filesystem::path data_dir = "data";  // <data dir>/amapiano.sqlite3 and <data dir>/objects/
    // "" (the embedded <data dir>/amapiano.sqlite3), sqlite:///path or postgresql://...; also built from
    // DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_SSLMODE when DATABASE_URL is not set.
    std::string database_url;
    // "" (the embedded <data dir>/objects), file:///dir or s3://bucket/prefix; S3_BUCKET (+ S3_PREFIX)
    // stands for s3://$S3_BUCKET/$S3_PREFIX. The other S3 settings come from the environment
    // (AWS_REGION, S3_ENDPOINT, CLOUDFRONT_URL, credentials).
    std::string storage_url;
    // How asset downloads are delivered: "proxy" (this service streams the bytes) or "redirect"
    // (302 to the store's direct URL: S3 presigned or CloudFront; stores without one are proxied).
    std::string asset_delivery = "proxy";
    int workers = 0;  // job worker threads; 0: none (serve only)
    int http_threads = 2;
    std::chrono::seconds drain = std::chrono::seconds(25);
    int64_t max_upload_bytes = int64_t(200) << 20;
    std::chrono::seconds url_ttl = std::chrono::minutes(15);
    std::chrono::seconds job_lease = std::chrono::seconds(30);
    // How often the process logs a `queue_stats` line (jobs/queue_stats_reporter.h); 0: never.
    std::chrono::seconds queue_stats_period = std::chrono::seconds(60);
    // Which deployment this is ("prod", "dev", "local"): in the queue_stats lines, whose metrics are
    // kept per environment.
    std::string environment = "local";
    int rate_limit_per_minute = 1200;
    bool secure_cookies = false;
    bool trust_proxy = false;  // client addresses from X-Forwarded-For (behind a load balancer)
    std::string version;
};

// Settings by key (flag > environment > default): host, port, data_dir, database_url (or db_host,
// db_port, db_name, db_user, db_password, db_sslmode), storage_url (or s3_bucket, s3_prefix),
// asset_delivery, workers,
// http_threads, drain_seconds, max_upload_mb, url_ttl_seconds, job_lease_seconds, queue_stats_seconds,
// environment, rate_limit_per_minute, secure_cookies, trust_proxy. kInvalidArgument names a malformed one.
Result<ServiceOptions> ServiceOptionsFrom(const Config& config, std::string version);

// Runs until SIGTERM or SIGINT. Returns the process exit code (0 after a clean drain, 1 when the
// stores cannot be opened or the port is taken).
int RunService(const ServiceOptions& options, Logger& log);

// `amapiano worker`: the job workers without HTTP, on the same stores (options.workers threads; host,
// port and the HTTP settings are ignored). Drains like the service on SIGTERM/SIGINT.
int RunWorker(const ServiceOptions& options, Logger& log);

}  // namespace amapiano::server
