// Database migration against real backends: a populated SQLite database (thousands of rows in every
// table: NULLs, unicode, large text, 0.1 and 1e-300, int64 extremes, keys whose order differs between
// collations) copied to PostgreSQL and back with every row identical, PostgreSQL to PostgreSQL,
// resumption after an interruption (no duplicates, only the remainder copied), and --verify-only
// naming each missing, extra and changed row by its key. PostgreSQL runs in a throwaway server
// (tests/support/postgres_server.h); without one the PostgreSQL tests skip — except under CI=true,
// where they fail.
#include "ops/db_migration.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <limits>
#include <map>

#include "store/database_url.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"

namespace amapiano::ops {
namespace {

using store::Database;
using store::SqlValue;
using testing_support::PostgresServer;
using testing_support::TempDir;

constexpr int kUsers = 300;
constexpr int kJobsPerUser = 4;
constexpr int kTracksPerUser = 3;
constexpr int kAssetsPerTrack = 3;

// Ids whose byte order differs from a linguistic collation's ("B" < "_" < "a" < "é" in bytes).
std::string UserId(int i) {
    static const char* const kPrefixes[] = {"a", "B", "_", "\xc3\xa9", "Z", "z-", "0"};
    return std::string(kPrefixes[i % 7]) + std::to_string(i);
}

// About 50 kB of JSON; 1 MB for i == 0.
std::string LargeText(int i) {
    std::string s = "{\"frames\":[";
    for (int k = 0; k < (i == 0 ? 250000 : 12000); ++k) s += std::to_string((k * 7919 + i) % 1000) + ",";
    s += "0]}";
    return s;
}

// Runs `sql` with params, failing the test on an error.
void Exec(store::SqlSession& sql, std::string_view statement, std::initializer_list<SqlValue> params) {
    auto r = sql.Execute(statement, params);
    ASSERT_TRUE(r) << r.error().message;
}

int64_t Populate(Database& db) {
    EXPECT_TRUE(store::Migrate(db, store::SchemaMigrations()));
    int64_t rows = 0;
    const Status s = db.Transaction([&](store::SqlSession& sql) -> Status {
        for (int u = 0; u < kUsers; ++u) {
            const std::string user = UserId(u);
            Exec(sql,
                 "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, "
                 "$4, "
                 "$5)",
                 {user, user + "@example.com",
                  u % 5 == 0 ? "Th\xc3\xa9mba \xe2\x99\xab \xf0\x9f\x8e\xb9 \xe6\x97\xa5\xe6\x9c\xac"
                             : "User " + std::to_string(u),
                  "argon2$" + std::to_string(u), "2026-01-01T00:00:00.000Z"});
            Exec(sql,
                 "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                 {"tok" + std::to_string(u), user, "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"});
            rows += 2;
            for (int j = 0; j < kJobsPerUser; ++j) {
                const int n = u * kJobsPerUser + j;
                static const double kProgress[] = {
                    0.1, 1e-300, 0.0, 1.0, 0.3333333333333333, 2.5e-5, 1.7976931348623157e308};
                static const int64_t kAttempts[] = {0, std::numeric_limits<int64_t>::max(),
                                                    std::numeric_limits<int64_t>::min(), 3, -1};
                Exec(sql,
                     "INSERT INTO jobs (id, user_id, kind, status, progress, params, result, error_code, "
                     "error_message, attempts, lease_until, created_at, updated_at, claim) VALUES ($1, $2, "
                     "$3, "
                     "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                     {"job-" + user + "-" + std::to_string(j), user, "generation", n % 2 ? "done" : "queued",
                      kProgress[n % 7], "{\"prompt\":\"log drum \\u266b\",\"n\":" + std::to_string(n) + "}",
                      n % 3 == 0 ? SqlValue(nullptr) : SqlValue("{\"ok\":true}"),
                      n % 4 == 0 ? SqlValue("timeout") : SqlValue(nullptr), SqlValue(nullptr),
                      kAttempts[n % 5], n % 2 ? SqlValue("2026-01-01T00:00:30.000Z") : SqlValue(nullptr),
                      "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.000Z",
                      n % 6 == 0 ? SqlValue("claim-" + std::to_string(n)) : SqlValue(nullptr)});
                ++rows;
            }
            for (int t = 0; t < kTracksPerUser; ++t) {
                const std::string track = "trk-" + user + "-" + std::to_string(t);
                const int n = u * kTracksPerUser + t;
                Exec(
                    sql,
                    "INSERT INTO tracks (id, user_id, job_id, title, spec, analysis, validation, created_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    {track, user,
                     t == 0 ? SqlValue(nullptr) : SqlValue("job-" + user + "-" + std::to_string(t)),
                     "Track \xe2\x80\x94 " + std::to_string(n), "{}",
                     n % 50 == 0 ? SqlValue(LargeText(n)) : SqlValue(nullptr),
                     n % 2 ? SqlValue("{\"score\":81}") : SqlValue(nullptr), "2026-01-01T00:00:00.000Z"});
                ++rows;
                for (int a = 0; a < kAssetsPerTrack; ++a) {
                    static const int64_t kSizes[] = {0, std::numeric_limits<int64_t>::max(), 123456789012};
                    static const char* const kNames[] = {"mix.wav", "Mix.mp3", "stem_log-drum.flac"};
                    Exec(sql,
                         "INSERT INTO assets (track_id, name, kind, format, object_key, size_bytes, sha256) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         {track, kNames[a], "audio", "wav", "tracks/" + track + "/" + kNames[a],
                          kSizes[(n + a) % 3], std::string(64, 'a' + char(a))});
                    ++rows;
                }
            }
        }
        for (const char* name : {"url_signing", "Z", "_internal"}) {
            Exec(sql, "INSERT INTO service_keys (name, value, created_at) VALUES ($1, $2, $3)",
                 {name, std::string("secret-") + name, "2026-01-01T00:00:00.000Z"});
            ++rows;
        }
        return {};
    });
    EXPECT_TRUE(s) << s.error().message;
    return rows;
}

// Every row of every table in canonical form, keyed by table and the row's key.
using Dump = std::map<std::string, std::map<std::string, std::string>>;
Dump DumpAll(Database& db) {
    Dump dump;
    for (const store::SchemaTable& t : store::SchemaTables()) {
        std::string columns;
        for (size_t i = 0; i < t.columns.size(); ++i) columns += (i ? ", " : "") + std::string(t.columns[i]);
        auto rows = db.Query("SELECT " + columns + " FROM " + std::string(t.name));
        EXPECT_TRUE(rows) << rows.error().message;
        if (!rows) continue;
        for (const store::SqlRow& row : *rows) {
            std::string key, value;
            for (std::string_view k : t.key) {
                const auto at = std::find(t.columns.begin(), t.columns.end(), k) - t.columns.begin();
                AppendCanonical(row.columns[size_t(at)], key);
            }
            for (const SqlValue& v : row.columns) AppendCanonical(v, value);
            dump[std::string(t.name)][key] = value;
        }
    }
    return dump;
}

int64_t Rows(const Dump& d) {
    int64_t n = 0;
    for (const auto& [table, rows] : d) n += int64_t(rows.size());
    return n;
}

std::unique_ptr<Database> Sqlite(const std::filesystem::path& path) {
    auto db = store::OpenSqlite(path);
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
}

const TableReport& Table(const DbMigrationReport& r, std::string_view name) {
    for (const TableReport& t : r.tables) {
        if (t.table == name) return t;
    }
    static const TableReport kNone;
    ADD_FAILURE() << "no table " << name;
    return kNone;
}

DbMigrationReport Migrate(Database& from, Database& to, DbMigrationOptions options) {
    auto report = MigrateDatabase(from, to, options, nullptr);
    EXPECT_TRUE(report) << report.error().message;
    return report ? std::move(*report) : DbMigrationReport{};
}

void ExpectAllMatch(const DbMigrationReport& r) {
    EXPECT_TRUE(r.verified);
    EXPECT_TRUE(r.Ok());
    for (const TableReport& t : r.tables) {
        EXPECT_TRUE(t.Matches()) << t.table << ": " << t.missing_in_target << " missing, "
                                 << t.extra_in_target << " extra, " << t.differing << " differ";
        EXPECT_EQ(t.verified_source_rows, t.verified_target_rows) << t.table;
        EXPECT_EQ(t.source_sha256.size(), 64u);
    }
}

TEST(CanonicalRows, AreTypeTaggedAndSelfDelimiting) {
    std::string out;
    AppendCanonical(nullptr, out);
    AppendCanonical(int64_t{-42}, out);
    AppendCanonical(0.1, out);
    AppendCanonical(std::string("a;b"), out);
    AppendCanonical(std::string(), out);
    EXPECT_EQ(out, "ni-42;r0.10000000000000001;t3:a;bt0:");
    std::string one, other;
    AppendCanonical(int64_t{1}, one);
    AppendCanonical(1.0, other);
    EXPECT_NE(one, other);  // an integer and a real never hash alike
}

class SqliteMigration : public ::testing::Test {
protected:
    TempDir dir_;
};

TEST_F(SqliteMigration, CopiesEverythingAndARerunCopiesNothing) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    const int64_t rows = Populate(*source);
    ASSERT_GT(rows, 5000);
    auto target = Sqlite(dir_ / "b.sqlite3");
    const DbMigrationReport first = Migrate(*source, *target, {.verify = true});
    EXPECT_EQ(first.rows_copied, rows);
    EXPECT_FALSE(first.interrupted);
    ExpectAllMatch(first);
    EXPECT_EQ(DumpAll(*source), DumpAll(*target));

    const DbMigrationReport again = Migrate(*source, *target, {.verify = true});
    EXPECT_EQ(again.rows_copied, 0);
    for (const TableReport& t : again.tables) EXPECT_EQ(t.rows_present, t.source_rows) << t.table;
    ExpectAllMatch(again);
}

// Interrupted after a few batches, then run again: only the remainder is copied, nothing twice.
void ExpectResumes(Database& source, Database& target, int64_t rows) {
    const DbMigrationReport cut = Migrate(source, target, {.batch_rows = 97, .max_batches = 25});
    EXPECT_TRUE(cut.interrupted);
    EXPECT_EQ(cut.batches, 25);
    EXPECT_GT(cut.rows_copied, 0);
    EXPECT_LT(cut.rows_copied, rows);
    EXPECT_EQ(Rows(DumpAll(target)), cut.rows_copied);

    const DbMigrationReport rest = Migrate(source, target, {.verify = true, .batch_rows = 97});
    EXPECT_FALSE(rest.interrupted);
    EXPECT_EQ(rest.rows_copied, rows - cut.rows_copied);
    int64_t present = 0, conflicted = 0;
    for (const TableReport& t : rest.tables) {
        present += t.rows_present;
        conflicted += t.rows_conflicted;
    }
    EXPECT_EQ(present, cut.rows_copied);
    EXPECT_EQ(conflicted, 0);  // resumed after the last copied key: nothing offered twice
    ExpectAllMatch(rest);
    EXPECT_EQ(Rows(DumpAll(target)), rows);
}

TEST_F(SqliteMigration, ResumesAfterAnInterruption) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    const int64_t rows = Populate(*source);
    auto target = Sqlite(dir_ / "b.sqlite3");
    ExpectResumes(*source, *target, rows);
}

// A row deleted, one changed, one added in the target: --verify-only names each by its key.
void ExpectDifferencesReported(Database& source, Database& target) {
    const DbMigrationReport copied = Migrate(source, target, {.verify = true});
    ExpectAllMatch(copied);
    const std::string asset_track = "trk-" + UserId(7) + "-1";
    ASSERT_EQ(
        *target.Execute("DELETE FROM assets WHERE track_id = $1 AND name = $2", {asset_track, "Mix.mp3"}), 1);
    const std::string job = "job-" + UserId(11) + "-2";
    ASSERT_EQ(*target.Execute("UPDATE jobs SET progress = $1 WHERE id = $2", {0.5000001, job}), 1);
    ASSERT_EQ(
        *target.Execute("INSERT INTO service_keys (name, value, created_at) VALUES ('zz-extra', 'v', 'x')"),
        1);
    const Dump before = DumpAll(target);

    const DbMigrationReport r = Migrate(source, target, {.copy = false});
    EXPECT_FALSE(r.copied);
    EXPECT_TRUE(r.verified);
    EXPECT_FALSE(r.Ok());
    EXPECT_EQ(DumpAll(target), before);  // verifying writes nothing

    const TableReport& assets = Table(r, "assets");
    EXPECT_FALSE(assets.Matches());
    EXPECT_EQ(assets.missing_in_target, 1);
    EXPECT_EQ(assets.verified_source_rows, assets.verified_target_rows + 1);
    ASSERT_EQ(assets.differences.size(), 1u);
    EXPECT_EQ(assets.differences[0].kind, RowDifferenceKind::kMissingInTarget);
    EXPECT_EQ(assets.differences[0].key_text, "track_id=" + asset_track + ", name=Mix.mp3");

    const TableReport& jobs = Table(r, "jobs");
    EXPECT_EQ(jobs.differing, 1);
    EXPECT_EQ(jobs.missing_in_target + jobs.extra_in_target, 0);
    ASSERT_EQ(jobs.differences.size(), 1u);
    EXPECT_EQ(jobs.differences[0].kind, RowDifferenceKind::kDiffers);
    EXPECT_EQ(jobs.differences[0].key_text, "id=" + job);
    EXPECT_NE(jobs.source_sha256, jobs.target_sha256);
    EXPECT_EQ(jobs.verified_source_rows, jobs.verified_target_rows);

    const TableReport& keys = Table(r, "service_keys");
    EXPECT_EQ(keys.extra_in_target, 1);
    ASSERT_EQ(keys.differences.size(), 1u);
    EXPECT_EQ(keys.differences[0].kind, RowDifferenceKind::kExtraInTarget);
    EXPECT_EQ(keys.differences[0].key_text, "name=zz-extra");

    for (const char* same : {"users", "sessions", "tracks"}) {
        EXPECT_TRUE(Table(r, same).Matches()) << same;
        EXPECT_EQ(Table(r, same).source_sha256, Table(r, same).target_sha256) << same;
    }
}

TEST_F(SqliteMigration, VerifyOnlyNamesMissingExtraAndChangedRows) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    Populate(*source);
    auto target = Sqlite(dir_ / "b.sqlite3");
    ExpectDifferencesReported(*source, *target);
}

TEST_F(SqliteMigration, ListsAtMostTheConfiguredNumberOfKeysButCountsAll) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    Populate(*source);
    auto target = Sqlite(dir_ / "b.sqlite3");
    Migrate(*source, *target, {});
    ASSERT_EQ(*target.get()->Execute("DELETE FROM sessions"), kUsers);
    const DbMigrationReport r = Migrate(*source, *target, {.copy = false, .max_listed_keys = 20});
    const TableReport& sessions = Table(r, "sessions");
    EXPECT_EQ(sessions.missing_in_target, kUsers);
    EXPECT_EQ(sessions.differences.size(), 20u);
    EXPECT_EQ(sessions.verified_target_rows, 0);
}

TEST_F(SqliteMigration, RefusesASourceAtAnOlderSchemaWithoutTouchingIt) {
    auto source = Sqlite(dir_ / "old.sqlite3");
    ASSERT_TRUE(store::Migrate(*source, store::SchemaMigrations().first(1)));
    auto target = Sqlite(dir_ / "b.sqlite3");
    auto r = MigrateDatabase(*source, *target, {}, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(r.error().message.find("start the service on the source"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(*store::SchemaVersion(*source), 1);

    auto empty = Sqlite(dir_ / "empty.sqlite3");
    auto none = MigrateDatabase(*empty, *target, {}, nullptr);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(empty->Query("SELECT COUNT(*) FROM sqlite_master")->front().Int(0), 0);  // still empty
}

TEST_F(SqliteMigration, VerifyOnlyNeedsATargetWithTheSchema) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    Populate(*source);
    auto target = Sqlite(dir_ / "b.sqlite3");
    auto r = MigrateDatabase(*source, *target, {.copy = false}, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(target->Query("SELECT COUNT(*) FROM sqlite_master")->front().Int(0), 0);
}

TEST_F(SqliteMigration, ReportsProgressAsJsonLines) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    Populate(*source);
    auto target = Sqlite(dir_ / "b.sqlite3");
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
        MigrationProgress progress(ProgressOutput::kJsonLines, out, stderr);
        auto r = MigrateDatabase(*source, *target, {.verify = true}, &progress);
        ASSERT_TRUE(r);
    }
    std::rewind(out);
    std::map<std::string, int> finals;  // "phase/table" -> final progress lines seen
    char line[4096];
    while (std::fgets(line, sizeof(line), out)) {
        const auto j = nlohmann::json::parse(line);
        ASSERT_EQ(j.at("event"), "progress") << line;  // no mismatch, no warning
        if (j.at("done") == j.at("total"))
            finals[j.at("phase").get<std::string>() + "/" + j.value("table", "")]++;
    }
    std::fclose(out);
    for (const store::SchemaTable& t : store::SchemaTables()) {
        EXPECT_GE(finals["copy/" + std::string(t.name)], 1) << t.name;
        EXPECT_GE(finals["verify/" + std::string(t.name)], 1) << t.name;
    }
}

// PostgreSQL: one throwaway server; each test gets fresh databases made with CREATE DATABASE.
PostgresServer& Server() {
    static PostgresServer server;
    return server;
}

class PostgresMigration : public ::testing::Test {
protected:
    void SetUp() override {
        if (Server().Url().empty()) {
            const char* ci = std::getenv("CI");
            if (ci != nullptr && std::string(ci) == "true")
                FAIL() << "no PostgreSQL server: " << Server().Why();
            GTEST_SKIP() << "no PostgreSQL server: " << Server().Why();
        }
    }

    // A new, empty database; `icu` makes its default collation linguistic (not byte order), which the
    // migration must see through.
    std::unique_ptr<Database> CreateDatabase(const std::string& name, bool icu) {
        PGconn* conn = PQconnectdb(Server().Url().c_str());
        EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
        auto run = [&](const std::string& sql) {
            PGresult* r = PQexec(conn, sql.c_str());
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok) std::cerr << sql << ": " << PQerrorMessage(conn);
            PQclear(r);
            return ok;
        };
        EXPECT_TRUE(run("DROP DATABASE IF EXISTS " + name));
        bool made = icu && run("CREATE DATABASE " + name +
                               " TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
        if (icu && made) icu_used_ = true;
        if (!made) {
            EXPECT_TRUE(run("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'"));
        }
        PQfinish(conn);
        std::string url = Server().Url();
        url.replace(url.rfind('/') + 1, std::string::npos, name);
        auto db = store::OpenDatabaseUrl(url);
        EXPECT_TRUE(db) << db.error().message;
        return db ? std::move(*db) : nullptr;
    }

    TempDir dir_;
    bool icu_used_ = false;
};

TEST_F(PostgresMigration, SqliteToPostgresAndBackIsExact) {
    auto original = Sqlite(dir_ / "original.sqlite3");
    const int64_t rows = Populate(*original);
    auto pg = CreateDatabase("migrate_roundtrip", /*icu=*/true);
    ASSERT_TRUE(pg);
    const DbMigrationReport to_pg = Migrate(*original, *pg, {.verify = true});
    EXPECT_EQ(to_pg.rows_copied, rows);
    ExpectAllMatch(to_pg);
    EXPECT_EQ(
        pg->Query("SELECT progress FROM jobs WHERE id = $1", {"job-" + UserId(0) + "-1"})->front().Real(0),
        1e-300);
    EXPECT_EQ(pg->Query("SELECT MAX(attempts), MIN(attempts) FROM jobs")->front().Int(0),
              std::numeric_limits<int64_t>::max());

    auto back = Sqlite(dir_ / "back.sqlite3");
    const DbMigrationReport to_sqlite = Migrate(*pg, *back, {.verify = true});
    EXPECT_EQ(to_sqlite.rows_copied, rows);
    ExpectAllMatch(to_sqlite);
    // Both checksums of each table agree across all three databases.
    for (size_t i = 0; i < to_pg.tables.size(); ++i) {
        EXPECT_EQ(to_pg.tables[i].source_sha256, to_sqlite.tables[i].target_sha256) << to_pg.tables[i].table;
    }
    const Dump a = DumpAll(*original), b = DumpAll(*back);
    EXPECT_EQ(Rows(a), rows);
    EXPECT_TRUE(a == b);
    EXPECT_TRUE(icu_used_) << "the server has no ICU: keys were compared in a byte-order database only";
}

TEST_F(PostgresMigration, PostgresToPostgres) {
    auto seed = Sqlite(dir_ / "seed.sqlite3");
    const int64_t rows = Populate(*seed);
    auto a = CreateDatabase("migrate_pg_a", /*icu=*/false);
    auto b = CreateDatabase("migrate_pg_b", /*icu=*/true);
    ASSERT_TRUE(a && b);
    ExpectAllMatch(Migrate(*seed, *a, {.verify = true}));
    const DbMigrationReport r = Migrate(*a, *b, {.verify = true, .batch_rows = 500});
    EXPECT_EQ(r.rows_copied, rows);
    ExpectAllMatch(r);
    auto back = Sqlite(dir_ / "back.sqlite3");
    ExpectAllMatch(Migrate(*b, *back, {.verify = true}));
    EXPECT_TRUE(DumpAll(*seed) == DumpAll(*back));
}

TEST_F(PostgresMigration, SqliteToPostgresResumesAfterAnInterruption) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    const int64_t rows = Populate(*source);
    auto pg = CreateDatabase("migrate_resume", /*icu=*/true);
    ASSERT_TRUE(pg);
    ExpectResumes(*source, *pg, rows);
}

TEST_F(PostgresMigration, VerifyOnlyNamesDifferencesInPostgres) {
    auto source = Sqlite(dir_ / "a.sqlite3");
    Populate(*source);
    auto pg = CreateDatabase("migrate_differences", /*icu=*/true);
    ASSERT_TRUE(pg);
    ExpectDifferencesReported(*source, *pg);
}

}  // namespace
}  // namespace amapiano::ops
