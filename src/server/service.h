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
    std::string database_url;                 // "" or sqlite:///path: the embedded database
    int workers = 0;                          // job worker threads; 0: none (serve only)
    int http_threads = 2;
    std::chrono::seconds drain = std::chrono::seconds(25);
    int64_t max_upload_bytes = int64_t(200) << 20;
    std::chrono::seconds url_ttl = std::chrono::minutes(15);
    std::chrono::seconds job_lease = std::chrono::seconds(30);
    int rate_limit_per_minute = 1200;
    bool secure_cookies = false;
    bool trust_proxy = false;  // client addresses from X-Forwarded-For (behind a load balancer)
    std::string version;
};

// Settings by key (flag > environment > default): host, port, data_dir, database_url, workers,
// http_threads, drain_seconds, max_upload_mb, url_ttl_seconds, job_lease_seconds,
// rate_limit_per_minute, secure_cookies, trust_proxy. kInvalidArgument names a malformed one.
Result<ServiceOptions> ServiceOptionsFrom(const Config& config, std::string version);

// Runs until SIGTERM or SIGINT. Returns the process exit code (0 after a clean drain, 1 when the
// stores cannot be opened or the port is taken).
int RunService(const ServiceOptions& options, Logger& log);

}  // namespace amapiano::server
