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
    bool http = false;  // only for `serve`
};

constexpr Setting kSettings[] = {
    {"--host", "host", "Address to listen on (AMAPIANO_HOST; default 0.0.0.0)", true},
    {"--port", "port", "TCP port (PORT; default 8080; 0 picks a free one and logs it)", true},
    {"--data-dir", "data_dir",
     "Embedded stores: <dir>/amapiano.sqlite3 and <dir>/objects/ (AMAPIANO_DATA_DIR; default ./data)"},
    {"--database-url", "database_url",
     "sqlite:///path or postgresql://user:pw@host:5432/db (DATABASE_URL, or DB_HOST, DB_PORT, DB_NAME, "
     "DB_USER, "
     "DB_PASSWORD, DB_SSLMODE; default <data dir>/amapiano.sqlite3)"},
    {"--storage-url", "storage_url",
     "file:///dir or s3://bucket/prefix (AMAPIANO_STORAGE_URL, or S3_BUCKET + S3_PREFIX; S3 also reads "
     "AWS_REGION, "
     "S3_ENDPOINT, CLOUDFRONT_URL and AWS credentials; default <data dir>/objects)"},
    {"--asset-delivery", "asset_delivery",
     "proxy (stream downloads through this service) or redirect (302 to S3/CloudFront) "
     "(AMAPIANO_ASSET_DELIVERY; default proxy)",
     true},
    {"--workers", "workers",
     "Job worker threads; 0 serves without running jobs (AMAPIANO_WORKERS; default: cores)"},
    {"--http-threads", "http_threads",
     "Threads serving HTTP (AMAPIANO_HTTP_THREADS; default: cores, at least 2)", true},
    {"--drain-seconds", "drain_seconds",
     "Time to finish work after SIGTERM (AMAPIANO_DRAIN_SECONDS; default 25)"},
    {"--max-upload-mb", "max_upload_mb", "Largest upload accepted (AMAPIANO_MAX_UPLOAD_MB; default 200)",
     true},
    {"--url-ttl-seconds", "url_ttl_seconds",
     "Lifetime of signed download URLs (AMAPIANO_URL_TTL_SECONDS; default 900)", true},
    {"--job-lease-seconds", "job_lease_seconds",
     "A running job whose worker is silent this long is retried (AMAPIANO_JOB_LEASE_SECONDS; default 30)"},
    {"--rate-limit-per-minute", "rate_limit_per_minute",
     "Requests per minute per user or address; 0 = off (AMAPIANO_RATE_LIMIT_PER_MINUTE; default 1200)", true},
    {"--secure-cookies", "secure_cookies",
     "Mark the session cookie Secure: true behind TLS (AMAPIANO_SECURE_COOKIES)", true},
    {"--trust-proxy", "trust_proxy",
     "true behind a load balancer: client address from X-Forwarded-For (AMAPIANO_TRUST_PROXY; default "
     "false)",
     true},
    {"--queue-stats-seconds", "queue_stats_seconds",
     "Log a queue_stats line (queued, running, oldest_queued_age_s) this often; 0 = never "
     "(AMAPIANO_QUEUE_STATS_SECONDS; default 60)"},
    {"--environment", "environment",
     "Which deployment this is: prod, dev, ... (AMAPIANO_ENVIRONMENT; default local); labels the queue_stats "
     "lines"},
    {"--log-level", "log_level", "debug, info, warn, error (AMAPIANO_LOG_LEVEL; default info)"},
};

}  // namespace

void AddServiceSettings(CLI::App& cmd, std::map<std::string, std::string>& settings, bool http) {
    for (const Setting& s : kSettings) {
        if (s.http && !http) continue;
        cmd.add_option_function<std::string>(
            s.flag, [&settings, key = std::string(s.key)](const std::string& v) { settings[key] = v; },
            s.help);
    }
}

int RunServiceProcess(const std::map<std::string, std::string>& settings, const std::string& version,
                      std::string_view command) {
    Config config = Config::FromEnvironment();
    for (const auto& [key, value] : settings) config.SetFlag(key, value);
    const std::string level_text = config.Get("log_level", "info");
    auto level = ParseLogLevel(level_text);
    if (!level) {
        std::cerr << "amapiano " << command << ": --log-level must be debug, info, warn or error, not '"
                  << level_text << "'\n";
        return kExitUsageError;
    }
    auto options = server::ServiceOptionsFrom(config, version);
    if (!options) {
        std::cerr << "amapiano " << command << ": " << options.error().message << "\n";
        return kExitUsageError;
    }
    Logger log(std::cerr, *level);
    return command == "worker" ? server::RunWorker(*options, log) : server::RunService(*options, log);
}

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags) {
    CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP API, WebSocket events and job workers");
    AddServiceSettings(*cmd, flags.settings, /*http=*/true);
    return cmd;
}

int RunServe(const ServeFlags& flags, const std::string& version) {
    return RunServiceProcess(flags.settings, version, "serve");
}

}  // namespace amapiano::cli
