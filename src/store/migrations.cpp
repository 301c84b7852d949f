#include "store/migrations.h"

#include "core/clock.h"

namespace amapiano::store {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";

// Timestamps are ISO 8601 UTC text with milliseconds: portable between backends and sortable as text.
const Migration kMigrations[] = {
    {1,
     "users, sessions, jobs, tracks and assets",
     {
         "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, "
         "password_hash TEXT NOT NULL, created_at TEXT NOT NULL)",
         "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, "
         "user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, created_at TEXT NOT NULL, "
         "expires_at TEXT NOT NULL)",
         "CREATE INDEX sessions_by_user ON sessions (user_id)",
         "CREATE TABLE jobs (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE "
         "CASCADE, "
         "kind TEXT NOT NULL, status TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL DEFAULT 0, "
         "params TEXT NOT NULL, result TEXT, error_code TEXT, error_message TEXT, "
         "attempts BIGINT NOT NULL DEFAULT 0, lease_until TEXT, created_at TEXT NOT NULL, "
         "updated_at TEXT NOT NULL)",
         "CREATE INDEX jobs_by_status ON jobs (status, created_at)",
         "CREATE INDEX jobs_by_user ON jobs (user_id, created_at)",
         "CREATE TABLE tracks (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE "
         "CASCADE, "
         "job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL, title TEXT NOT NULL, spec TEXT NOT NULL, "
         "analysis TEXT, validation TEXT, created_at TEXT NOT NULL)",
         "CREATE INDEX tracks_by_user ON tracks (user_id, created_at, id)",
         "CREATE TABLE assets (track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE, "
         "name TEXT NOT NULL, kind TEXT NOT NULL, format TEXT NOT NULL, object_key TEXT NOT NULL, "
         "size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (track_id, name))",
     }},
    {2,
     "service keys (the signing key for asset URLs, shared by every replica) and job claim tokens",
     {
         "CREATE TABLE service_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)",
         "ALTER TABLE jobs ADD COLUMN claim TEXT",
     }},
    {3,
     "job change feed: an index on jobs.updated_at for polling, and NOTIFY amapiano_jobs on PostgreSQL",
     {
         "CREATE INDEX jobs_by_updated ON jobs (updated_at)",
     },
     {
         // Every change of a job's state or progress wakes the replicas' feeds and idle workers
         // (delivered at commit; lease renewals alone do not notify).
         "CREATE OR REPLACE FUNCTION amapiano_notify_job() RETURNS trigger LANGUAGE plpgsql AS $$ "
         "BEGIN PERFORM pg_notify('amapiano_jobs', NEW.status); RETURN NULL; END $$",
         "CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE OF status, progress ON jobs "
         "FOR EACH ROW EXECUTE FUNCTION amapiano_notify_job()",
     }},
};

const SchemaTable kTables[] = {
    {"users", {"id", "email", "display_name", "password_hash", "created_at"}, {"id"}},
    {"sessions", {"token_hash", "user_id", "created_at", "expires_at"}, {"token_hash"}},
    {"jobs",
     {"id", "user_id", "kind", "status", "progress", "params", "result", "error_code", "error_message",
      "attempts", "lease_until", "created_at", "updated_at", "claim"},
     {"id"}},
    {"tracks", {"id", "user_id", "job_id", "title", "spec", "analysis", "validation", "created_at"}, {"id"}},
    {"assets",
     {"track_id", "name", "kind", "format", "object_key", "size_bytes", "sha256"},
     {"track_id", "name"}},
    {"service_keys", {"name", "value", "created_at"}, {"name"}},
};

Result<int> CurrentVersion(SqlSession& sql) {
    if (auto r = sql.Execute(kCreateTable); !r) return r.error();
    auto rows = sql.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!rows) return rows.error();
    return rows->empty() ? 0 : int(rows->front().Int(0));
}

}  // namespace

std::span<const Migration> SchemaMigrations() { return kMigrations; }

std::span<const SchemaTable> SchemaTables() { return kTables; }

Result<int> Migrate(Database& db, std::span<const Migration> migrations) {
    for (size_t i = 0; i < migrations.size(); ++i) {
        if (migrations[i].version != int(i) + 1) {
            return Error::InvalidArgument("migrations must be numbered 1, 2, 3, ...: found " +
                                          std::to_string(migrations[i].version) + " at position " +
                                          std::to_string(i + 1));
        }
    }
    const int latest = int(migrations.size());
    int version = 0;
    const bool postgres = db.Dialect() == "postgresql";
    const Status s = db.Transaction([&](SqlSession& sql) -> Status {
        if (postgres) {
            if (auto r = sql.Query("SELECT pg_advisory_xact_lock(727369)"); !r) return r.error();
        }
        auto current = CurrentVersion(sql);
        if (!current) return current.error();
        version = *current;
        if (version > latest) {
            return Error::Unsupported("the database's schema version " + std::to_string(version) +
                                      " is newer than this binary's " + std::to_string(latest) +
                                      ": upgrade amapiano before using this database");
        }
        for (const Migration& m : migrations.subspan(size_t(version))) {
            std::vector<std::string_view> statements = m.statements;
            if (postgres)
                statements.insert(statements.end(), m.postgres_statements.begin(),
                                  m.postgres_statements.end());
            for (std::string_view statement : statements) {
                if (auto r = sql.Execute(statement); !r) {
                    return Error{r.error().code, "migration " + std::to_string(m.version) + " (" +
                                                     std::string(m.name) + "): " + r.error().message};
                }
            }
            auto r =
                sql.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                            {int64_t(m.version), std::string(m.name), UtcTimestamp()});
            if (!r) return r.error();
            version = m.version;
        }
        return {};
    });
    if (!s) return s.error();
    return version;
}

Result<int> SchemaVersion(Database& db) {
    int version = 0;
    const Status s = db.Transaction([&](SqlSession& sql) -> Status {
        auto v = CurrentVersion(sql);
        if (!v) return v.error();
        version = *v;
        return {};
    });
    if (!s) return s.error();
    return version;
}

}  // namespace amapiano::store
