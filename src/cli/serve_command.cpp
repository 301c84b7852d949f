#include "cli/serve_command.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "core/config.h"
#include "core/log.h"
#include "server/service.h"

namespace amapiano::cli {
namespace {

struct Setting final {
    const char* flag;
    const char* key;
    const char* help;
};

constexpr Setting kSettings[] = {
    {"--host", "host", "Address to listen on (AMAPIANO_HOST; default 0.0.0.0)"},
    {"--port", "port", "TCP port (PORT; default 8080; 0 picks a free one and logs it)"},
    {"--data-dir", "data_dir",
     "Embedded stores: <dir>/amapiano.sqlite3 and <dir>/objects/ (AMAPIANO_DATA_DIR; default ./data)"},
    {"--database-url", "database_url", "sqlite:///path (DATABASE_URL; default <data dir>/amapiano.sqlite3)"},
    {"--workers", "workers",
     "Job worker threads; 0 serves without running jobs (AMAPIANO_WORKERS; default: cores)"},
    {"--http-threads", "http_threads",
     "Threads serving HTTP (AMAPIANO_HTTP_THREADS; default: cores, at least 2)"},
    {"--drain-seconds", "drain_seconds",
     "Time to finish work after SIGTERM (AMAPIANO_DRAIN_SECONDS; default 25)"},
    {"--max-upload-mb", "max_upload_mb", "Largest upload accepted (AMAPIANO_MAX_UPLOAD_MB; default 200)"},
    {"--url-ttl-seconds", "url_ttl_seconds",
     "Lifetime of signed download URLs (AMAPIANO_URL_TTL_SECONDS; default 900)"},
    {"--job-lease-seconds", "job_lease_seconds",
     "A running job whose worker is silent this long is retried (AMAPIANO_JOB_LEASE_SECONDS; default 30)"},
    {"--rate-limit-per-minute", "rate_limit_per_minute",
     "Requests per minute per user or address; 0 = off (AMAPIANO_RATE_LIMIT_PER_MINUTE; default 1200)"},
    {"--secure-cookies", "secure_cookies",
     "Mark the session cookie Secure: true behind TLS (AMAPIANO_SECURE_COOKIES)"},
    {"--trust-proxy", "trust_proxy",
     "true behind a load balancer: client address from X-Forwarded-For (AMAPIANO_TRUST_PROXY; default "
     "false)"},
    {"--log-level", "log_level", "debug, info, warn, error (AMAPIANO_LOG_LEVEL; default info)"},
};

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags) {
    CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP API, WebSocket events and job workers");
    for (const Setting& s : kSettings) {
        cmd->add_option_function<std::string>(
            s.flag, [&flags, key = std::string(s.key)](const std::string& v) { flags.settings[key] = v; },
            s.help);
    }
    return cmd;
}

int RunServe(const ServeFlags& flags, const std::string& version) {
    Config config = Config::FromEnvironment();
    for (const auto& [key, value] : flags.settings) config.SetFlag(key, value);
    const std::string level_text = config.Get("log_level", "info");
    auto level = ParseLogLevel(level_text);
    if (!level) {
        std::cerr << "amapiano serve: --log-level must be debug, info, warn or error, not '" << level_text
                  << "'\n";
        return kExitUsageError;
    }
    auto options = server::ServiceOptionsFrom(config, version);
    if (!options) {
        std::cerr << "amapiano serve: " << options.error().message << "\n";
        return kExitUsageError;
    }
    Logger log(std::cerr, *level);
    return server::RunService(*options, log);
}

}  // namespace amapiano::cli
