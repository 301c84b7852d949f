#include "server/service.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/text.h"
#include "jobs/generation_job.h"
#include "jobs/job_events.h"
#include "jobs/job_feed.h"
#include "jobs/job_store.h"
#include "jobs/queue_stats_reporter.h"
#include "jobs/upload_jobs.h"
#include "jobs/worker_pool.h"
#include "server/accounts.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/signed_urls.h"
#include "store/database_url.h"
#include "store/migrations.h"
#include "store/object_store_url.h"
#include "validate/genre_knowledge.h"

namespace amapiano::server {
namespace {

Result<int64_t> IntSetting(const Config& config, std::string_view key, int64_t fallback, int64_t lo,
                           int64_t hi) {
    auto text = config.Find(key);
    if (!text) return fallback;
    int64_t value = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || p != text->data() + text->size() || value < lo || value > hi) {
        return Error::InvalidArgument(std::string(key) + " (" + Config::EnvName(key) +
                                      ") must be a whole number between " + std::to_string(lo) + " and " +
                                      std::to_string(hi) + ", not '" + *text + "'");
    }
    return value;
}

// The key that signs download URLs: AMAPIANO_URL_SIGNING_KEY (hex) or one kept in the database,
// created on first start, so every replica signs alike and links survive restarts.
Result<std::vector<uint8_t>> SigningKey(store::Database& db) {
    if (const char* env = std::getenv("AMAPIANO_URL_SIGNING_KEY"); env && *env) {
        auto key = HexDecode(env);
        if (!key || key->size() < 16)
            return Error::InvalidArgument("AMAPIANO_URL_SIGNING_KEY must be at least 16 bytes as hex");
        return std::vector<uint8_t>(key->begin(), key->end());
    }
    std::string hex;
    Status s;
    // Two replicas starting together may both try to create it: the loser reads the winner's.
    for (int attempt = 0; attempt < 2; ++attempt) {
        s = db.Transaction([&](store::SqlSession& sql) -> Status {
            auto rows = sql.Query("SELECT value FROM service_keys WHERE name = 'url_signing'");
            if (!rows) return rows.error();
            if (!rows->empty()) {
                hex = rows->front().Text(0);
                return {};
            }
            hex = HexEncode(RandomBytes(32));
            auto r = sql.Execute(
                "INSERT INTO service_keys (name, value, created_at) VALUES ('url_signing', $1, $2)",
                {hex, UtcTimestamp()});
            return r ? Status{} : Status{r.error()};
        });
        if (s || s.error().code != ErrorCode::kConflict) break;
    }
    if (!s) return s.error();
    auto key = HexDecode(hex);
    if (!key || key->size() < 16) return Error::CorruptData("the stored URL signing key is malformed");
    return std::vector<uint8_t>(key->begin(), key->end());
}

}  // namespace

Result<ServiceOptions> ServiceOptionsFrom(const Config& config, std::string version) {
    ServiceOptions o;
    o.version = std::move(version);
    o.host = config.Get("host", "0.0.0.0");
    o.data_dir = config.Get("data_dir", "data");
    o.database_url = config.Get("database_url", "");
    if (o.database_url.empty() && config.Find("db_host")) {
        o.database_url = store::PostgresUrlFromParts({.host = config.Get("db_host", ""),
                                                      .port = config.Get("db_port", ""),
                                                      .name = config.Get("db_name", ""),
                                                      .user = config.Get("db_user", ""),
                                                      .password = config.Get("db_password", ""),
                                                      .sslmode = config.Get("db_sslmode", "")});
    }
    if (!o.database_url.empty() && store::DatabaseUrlScheme(o.database_url).empty()) {
        return Error::InvalidArgument(
            "database_url (DATABASE_URL) must be sqlite:///path or postgresql://..., not '" +
            store::RedactDatabaseUrl(o.database_url) + "'");
    }
    o.storage_url = config.Get("storage_url", "");
    if (o.storage_url.empty()) {
        if (auto bucket = config.Find("s3_bucket"); bucket && !bucket->empty()) {
            const std::string prefix = config.Get("s3_prefix", "");
            o.storage_url = "s3://" + *bucket + (prefix.empty() ? "" : "/" + prefix);
        }
    }
    if (!o.storage_url.empty() && !o.storage_url.starts_with("file://") &&
        !o.storage_url.starts_with("s3://")) {
        return Error::InvalidArgument(
            "storage_url (AMAPIANO_STORAGE_URL) must be file:///dir or s3://bucket/prefix, not '" +
            o.storage_url + "'");
    }
    o.environment = config.Get("environment", "local");
    if (o.environment.empty() || o.environment.size() > 32 ||
        o.environment.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        return Error::InvalidArgument(
            "environment (AMAPIANO_ENVIRONMENT) must be 1-32 of a-z, 0-9, - and _, not '" + o.environment +
            "'");
    }
    o.asset_delivery = config.Get("asset_delivery", "proxy");
    if (o.asset_delivery != "proxy" && o.asset_delivery != "redirect") {
        return Error::InvalidArgument(
            "asset_delivery (AMAPIANO_ASSET_DELIVERY) must be proxy or redirect, not '" + o.asset_delivery +
            "'");
    }
    const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
    struct IntField {
        const char* key;
        int64_t fallback, lo, hi;
    };
    auto get = [&](const IntField& f) { return IntSetting(config, f.key, f.fallback, f.lo, f.hi); };
    auto port = get({"port", 8080, 0, 65535});
    auto workers = get({"workers", cores, 0, 256});
    auto http_threads = get({"http_threads", std::max<int64_t>(2, cores), 1, 256});
    auto drain = get({"drain_seconds", 25, 0, 3600});
    auto upload = get({"max_upload_mb", 200, 1, 1 << 20});
    auto ttl = get({"url_ttl_seconds", 900, 1, 7 * 24 * 3600});
    auto lease = get({"job_lease_seconds", 30, 1, 3600});
    auto rate = get({"rate_limit_per_minute", 1200, 0, 1000000});
    auto queue_stats = get({"queue_stats_seconds", 60, 0, 3600});
    for (const auto* r :
         {&port, &workers, &http_threads, &drain, &upload, &ttl, &lease, &rate, &queue_stats}) {
        if (!*r) return r->error();
    }
    o.port = int(*port);
    o.workers = int(*workers);
    o.http_threads = int(*http_threads);
    o.drain = std::chrono::seconds(*drain);
    o.max_upload_bytes = *upload << 20;
    o.url_ttl = std::chrono::seconds(*ttl);
    o.job_lease = std::chrono::seconds(*lease);
    o.rate_limit_per_minute = int(*rate);
    o.queue_stats_period = std::chrono::seconds(*queue_stats);
    for (auto [key, flag] :
         {std::pair{"secure_cookies", &o.secure_cookies}, std::pair{"trust_proxy", &o.trust_proxy}}) {
        const std::string value = config.Get(key, "false");
        if (value != "true" && value != "false" && value != "1" && value != "0") {
            return Error::InvalidArgument(std::string(key) + " must be true or false, not '" + value + "'");
        }
        *flag = value == "true" || value == "1";
    }
    return o;
}

namespace {

struct Stores final {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<store::ObjectStore> objects;
    int schema_version = 0;
    std::string database;           // the URL, password redacted, for the log
    std::string listen_url;         // the PostgreSQL URL for the job feed's LISTEN ("" on SQLite)
    std::filesystem::path scratch;  // temporary files (renders, uploads being analysed)
};

// Opens (and migrates) the database and the object store the options name; `connections` sizes the
// database pool. On failure: the step that failed and why.
Result<Stores> OpenStores(const ServiceOptions& options, int connections, std::string& step) {
    Stores stores;
    std::error_code ec;
    step = "data_dir";
    // <data dir>/tmp/<pid>: processes sharing a data dir (serve + worker on one machine) keep apart,
    // and what a dead process left behind is removed.
    const std::filesystem::path tmp = options.data_dir / "tmp";
    for (const auto& entry : std::filesystem::directory_iterator(tmp, ec)) {
        const std::string name = entry.path().filename().string();
        const long pid = std::strtol(name.c_str(), nullptr, 10);
        if (pid > 0 && std::to_string(pid) == name && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH))
            continue;
        std::error_code remove_ec;
        std::filesystem::remove_all(entry.path(), remove_ec);
    }
    ec.clear();
    stores.scratch = tmp / std::to_string(::getpid());
    std::filesystem::create_directories(options.data_dir, ec);
    std::filesystem::remove_all(stores.scratch, ec);
    std::filesystem::create_directories(stores.scratch, ec);
    if (ec) return Error::Io("cannot create " + stores.scratch.string() + ": " + ec.message());

    step = "database";
    const std::string url = options.database_url.empty()
                                ? "sqlite://" + (options.data_dir / "amapiano.sqlite3").string()
                                : options.database_url;
    stores.database = store::RedactDatabaseUrl(url);
    if (store::DatabaseUrlScheme(url) == "sqlite") {
        std::filesystem::path path = store::SqlitePathOf(url);
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    } else {
        stores.listen_url = url;
    }
    auto db = store::OpenDatabaseUrl(url, {.connections = connections});
    if (!db) return db.error();
    stores.db = std::move(*db);
    step = "migrations";
    auto version = store::Migrate(*stores.db, store::SchemaMigrations());
    if (!version) return version.error();
    stores.schema_version = *version;

    step = "objects";
    const std::string objects_url =
        options.storage_url.empty()
            ? "file://" + std::filesystem::absolute(options.data_dir / "objects").string()
            : options.storage_url;
    auto objects = store::OpenObjectStoreUrl(objects_url);
    if (!objects) return objects.error();
    stores.objects = std::move(*objects);
    // Proves the store takes writes with these credentials before the first request needs it.
    const std::string probe = "ok";
    if (Status s = stores.objects->Put(
            "health/probe",
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(probe.data()), probe.size()));
        !s) {
        return s.error();
    }
    return stores;
}

void RegisterRunners(jobs::WorkerPool& pool, store::ObjectStore& objects,
                     const std::filesystem::path& scratch) {
    pool.Register(std::string(jobs::kGenerationJob), jobs::MakeGenerationRunner(objects, scratch, 1));
    pool.Register(std::string(jobs::kAnalysisJob), jobs::MakeAnalysisRunner(objects, scratch),
                  jobs::UploadCleanup(objects));
    pool.Register(std::string(jobs::kValidationJob), jobs::MakeValidationRunner(objects, scratch),
                  jobs::UploadCleanup(objects));
}

// SIGTERM and SIGINT are taken by sigwait, so they are blocked before any thread starts.
sigset_t BlockStopSignals() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return stop_signals;
}

// Logs why the process cannot start; returns its exit code.
int StartupFailed(Logger& log, std::string_view step, const Error& e) {
    log.Error("startup_failed", {{"step", step}, {"code", ErrorCodeName(e.code)}, {"error", e.message}});
    return 1;
}

// The log fields that say which stores a process runs on.
nlohmann::json StoreFields(const ServiceOptions& options, const Stores& stores) {
    return {{"data_dir", options.data_dir.string()},
            {"database", stores.database},
            {"objects", std::string(stores.objects->Scheme())},
            {"schema_version", stores.schema_version},
            {"workers", options.workers},
            {"version", options.version}};
}

// Blocks until SIGTERM or SIGINT, logs "draining" and returns when the signal came.
std::chrono::steady_clock::time_point AwaitStopSignal(const sigset_t& stop_signals,
                                                      const ServiceOptions& options, Logger& log,
                                                      const jobs::WorkerPool& pool) {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    const auto started = std::chrono::steady_clock::now();
    log.Info("draining", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                          {"drain_seconds", options.drain.count()},
                          {"jobs_running", pool.running()}});
    return started;
}

}  // namespace

int RunService(const ServiceOptions& options, Logger& log) {
    auto fail = [&](std::string_view what, const Error& e) { return StartupFailed(log, what, e); };
    sigset_t stop_signals = BlockStopSignals();

    std::string step;
    auto opened = OpenStores(options, options.http_threads + options.workers + 3, step);
    if (!opened) return fail(step, opened.error());
    Stores& stores = *opened;
    store::Database& db = *stores.db;
    store::ObjectStore& objects = *stores.objects;
    const std::filesystem::path& scratch = stores.scratch;
    auto knowledge = validate::LoadGenreKnowledge();
    if (!knowledge) return fail("engine", knowledge.error());
    AccountOptions account_options;
    auto accounts = Accounts::Create(db, account_options);
    if (!accounts) return fail("accounts", accounts.error());
    auto key = SigningKey(db);
    if (!key) return fail("signing_key", key.error());
    const UrlSigner signer(*key);

    jobs::JobStore job_store(db, {.lease = options.job_lease});
    if (auto requeued = job_store.RequeueExpired(); requeued && *requeued > 0) {
        log.Info("jobs_requeued", {{"count", *requeued}, {"reason", "lease_expired"}});
    }
    jobs::JobEvents events;
    Metrics metrics;
    jobs::WorkerPool pool(db, job_store, events, log, {.workers = options.workers});
    RegisterRunners(pool, objects, scratch);
    pool.SetObserver([&metrics](const jobs::Job& job, std::string_view outcome, double seconds) {
        metrics.ObserveJob(job.kind, outcome, seconds);
    });
    // Changes made by other processes (workers, replicas) reach this process's WebSockets.
    jobs::JobFeed feed(job_store, events, log, {.listen_url = stores.listen_url});
    if (options.workers > 0) feed.SetWake([&pool] { pool.Wake(); });
    jobs::QueueStatsReporter queue_stats(job_store, log, options.queue_stats_period,
                                         {{"environment", options.environment}});

    ApiOptions api_options;
    api_options.max_upload_bytes = options.max_upload_bytes;
    api_options.url_ttl = options.url_ttl;
    api_options.rate_limit_per_minute = options.rate_limit_per_minute;
    api_options.secure_cookies = options.secure_cookies;
    api_options.version = options.version;
    api_options.session_lifetime = account_options.session_lifetime;
    api_options.redirect_assets = options.asset_delivery == "redirect";
    Api api({db, objects, **accounts, job_store, events, metrics, signer, log, [&pool] { pool.Wake(); },
             [&pool] { return pool.running(); }},
            api_options);
    api.SetEngineReady(true);

    HttpServerOptions http;
    http.host = options.host;
    http.port = options.port;
    http.threads = options.http_threads;
    http.max_upload_bytes = options.max_upload_bytes;
    http.scratch_dir = scratch;
    http.trust_proxy = options.trust_proxy;
    HttpServer server(api, metrics, events, log, http);
    auto port = server.Listen();
    if (!port) return fail("listen", port.error());
    if (options.workers > 0) pool.Start();
    feed.Start();
    server.Start();
    queue_stats.Start();
    nlohmann::json listening = {{"host", options.host}, {"port", *port}};
    listening.update(StoreFields(options, stores));
    log.Info("listening", listening);

    const auto started = AwaitStopSignal(stop_signals, options, log, pool);
    const auto deadline = started + options.drain;
    api.SetDraining();
    server.BeginDrain();
    // Leave a little of the drain time for handing jobs back and closing.
    const auto job_deadline =
        deadline - std::min(std::chrono::milliseconds(500), std::chrono::milliseconds(options.drain) / 4);
    const int released = pool.Stop(job_deadline);
    const bool idle = server.WaitIdle(deadline);
    queue_stats.Stop();
    feed.Stop();
    server.Stop();
    log.Info("stopped", {{"jobs_requeued", released},
                         {"requests_cut", !idle},
                         {"drain_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count()}});
    std::error_code ec;
    std::filesystem::remove_all(stores.scratch, ec);
    std::cerr.flush();
    std::cout.flush();
    // Workers still inside a job (handed back above) cannot be joined: leave without unwinding.
    if (released > 0 || pool.running() > 0) _exit(0);
    return 0;
}

int RunWorker(const ServiceOptions& options, Logger& log) {
    auto fail = [&](std::string_view what, const Error& e) { return StartupFailed(log, what, e); };
    sigset_t stop_signals = BlockStopSignals();
    if (options.workers < 1)
        return fail("options", Error::InvalidArgument("a worker needs --workers of at least 1"));
    std::string step;
    auto opened = OpenStores(options, options.workers + 2, step);
    if (!opened) return fail(step, opened.error());
    Stores& stores = *opened;
    auto knowledge = validate::LoadGenreKnowledge();
    if (!knowledge) return fail("engine", knowledge.error());

    jobs::JobStore job_store(*stores.db, {.lease = options.job_lease});
    if (auto requeued = job_store.RequeueExpired(); requeued && *requeued > 0) {
        log.Info("jobs_requeued", {{"count", *requeued}, {"reason", "lease_expired"}});
    }
    jobs::JobEvents events;  // no listeners here: the replicas hear changes through the database
    jobs::WorkerPool pool(*stores.db, job_store, events, log, {.workers = options.workers});
    RegisterRunners(pool, *stores.objects, stores.scratch);
    jobs::JobFeed feed(job_store, events, log, {.listen_url = stores.listen_url});
    feed.SetWake([&pool] { pool.Wake(); });  // newly queued jobs start at once, not at the next poll
    jobs::QueueStatsReporter queue_stats(job_store, log, options.queue_stats_period,
                                         {{"environment", options.environment}});
    pool.Start();
    feed.Start();
    queue_stats.Start();
    log.Info("worker_started", StoreFields(options, stores));

    const auto started = AwaitStopSignal(stop_signals, options, log, pool);
    const int released = pool.Stop(started + options.drain);
    queue_stats.Stop();
    feed.Stop();
    log.Info("stopped", {{"jobs_requeued", released},
                         {"drain_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count()}});
    std::error_code ec;
    std::filesystem::remove_all(stores.scratch, ec);
    std::cerr.flush();
    if (released > 0 || pool.running() > 0) _exit(0);
    return 0;
}

}  // namespace amapiano::server
