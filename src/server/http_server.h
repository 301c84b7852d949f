// HttpServer: the HTTP/1.1 + WebSocket transport (Boost.Beast on Asio, C++20 coroutines) in front of
// Api. Each connection is one coroutine on its own strand; a pool of threads runs them all.
//
// Per request: header read with a timeout and a 16 KiB limit, an X-Request-Id (the client's when it
// is sane), Api::Admit before any body is read (so an oversized or unsupported upload is refused
// without reading it), the body streamed to a scratch file for uploads, one JSON log line and the
// metrics. GET /api/v1/events upgrades to a WebSocket that pushes the user's job events.
//
//   HttpServer server(api, metrics, events, log, {.host = "127.0.0.1", .port = 0});
//   Result<int> port = server.Listen();
//   server.Start();
//   ...                                   // on SIGTERM:
//   server.BeginDrain();                  // stop accepting, close WebSockets with 1001
//   server.WaitIdle(deadline);            // requests in flight finish
//   server.Stop();
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/log.h"
#include "jobs/job_events.h"
#include "server/api.h"
#include "server/metrics.h"

namespace amapiano::server {

struct HttpServerOptions final {
    std::string host = "0.0.0.0";
    int port = 8080;  // 0: any free port (Listen returns it)
    int threads = 2;
    std::chrono::seconds header_timeout = std::chrono::seconds(30);  // also the keep-alive idle time
    std::chrono::seconds body_timeout = std::chrono::seconds(300);   // reading a body, writing a response
    int64_t max_upload_bytes = int64_t(200) << 20;
    int64_t max_json_bytes = int64_t(1) << 20;
    std::filesystem::path scratch_dir = std::filesystem::temp_directory_path();
    // Behind a load balancer: take the client's address from the last X-Forwarded-For entry (the one
    // the balancer added) for logs and per-address limits. Off unless the balancer is the only way in.
    bool trust_proxy = false;
};

class HttpServer final {
public:
    HttpServer(Api& api, Metrics& metrics, jobs::JobEvents& events, Logger& log,
               const HttpServerOptions& options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens. Errors: kInvalidArgument for a bad host, kUnavailable when the port is taken.
    Result<int> Listen();
    void Start();
    void BeginDrain();
    // True when no request is in flight (false when `deadline` came first).
    bool WaitIdle(std::chrono::steady_clock::time_point deadline);
    void Stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::server
