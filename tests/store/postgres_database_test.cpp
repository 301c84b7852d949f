// The PostgreSQL backend against a real server started for the suite: the shared migrations, value
// round trips, error codes, rollback, read-only snapshots, and the job queue's claim with
// FOR UPDATE SKIP LOCKED under concurrent claimers (each job claimed once).
#include "store/postgres_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/migrations.h"
#include "support/postgres_server.h"

namespace amapiano::store {
namespace {

testing_support::PostgresServer& Server() {
    static testing_support::PostgresServer server;
    return server;
}

class PostgresTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(Server().Url().empty()) << Server().Why();
        auto db = OpenPostgres(Server().Url(), {.connections = 4});
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::move(*db);
        // A fresh schema per test.
        ASSERT_TRUE(db_->Execute("DROP SCHEMA public CASCADE"));
        ASSERT_TRUE(db_->Execute("CREATE SCHEMA public"));
        auto version = Migrate(*db_, SchemaMigrations());
        ASSERT_TRUE(version) << version.error().message;
        EXPECT_EQ(*version, int(SchemaMigrations().size()));
    }
    std::unique_ptr<Database> db_;
};

TEST_F(PostgresTest, MigrationsAreIdempotentAndRecorded) {
    auto again = Migrate(*db_, SchemaMigrations());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, int(SchemaMigrations().size()));
    auto rows = db_->Query("SELECT COUNT(*) FROM schema_migrations");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->front().Int(0), int64_t(SchemaMigrations().size()));
    EXPECT_EQ(db_->Dialect(), "postgresql");
}

TEST_F(PostgresTest, ValuesRoundTripAndErrorsHaveStableCodes) {
    ASSERT_TRUE(
        db_->Execute("INSERT INTO users (id, email, display_name, password_hash, created_at) "
                     "VALUES ($1, $2, $3, $4, $5)",
                     {"u1", "a@b.co", "Ada \u00e9\u266b", "h", "2026-01-01T00:00:00.000Z"}));
    ASSERT_TRUE(
        db_->Execute("INSERT INTO jobs (id, user_id, kind, status, progress, params, attempts, created_at, "
                     "updated_at) VALUES ('j1', 'u1', 'generation', 'queued', $1, '{}', $2, 'x', 'x')",
                     {0.25, int64_t{1} << 40}));
    auto rows = db_->Query("SELECT progress, attempts, result, params FROM jobs WHERE id = $1", {"j1"});
    ASSERT_TRUE(rows && rows->size() == 1);
    EXPECT_DOUBLE_EQ((*rows)[0].Real(0), 0.25);
    EXPECT_EQ((*rows)[0].Int(1), int64_t{1} << 40);
    EXPECT_TRUE((*rows)[0].IsNull(2));
    EXPECT_EQ((*rows)[0].Text(3), "{}");
    EXPECT_EQ(db_->Query("SELECT display_name FROM users")->front().Text(0), "Ada \u00e9\u266b");

    auto duplicate = db_->Execute(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) "
        "VALUES ('u2', 'a@b.co', 'B', 'h', 'x')");
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
    auto orphan = db_->Execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
        "VALUES ('t', 'nobody', 'x', 'x')");
    EXPECT_EQ(orphan.error().code, ErrorCode::kConflict);
    auto typo = db_->Query("SELEC 1");
    EXPECT_EQ(typo.error().code, ErrorCode::kInternal);
    EXPECT_EQ(*db_->Execute("UPDATE jobs SET progress = 1 WHERE id = 'j1'"), 1);
    EXPECT_EQ(*db_->Execute("UPDATE jobs SET progress = 1 WHERE id = 'none'"), 0);
}

TEST_F(PostgresTest, FailedTransactionRollsBackAndReadIsReadOnly) {
    Status s = db_->Transaction([](SqlSession& sql) -> Status {
        if (auto r = sql.Execute("INSERT INTO service_keys (name, value, created_at) VALUES ('k', 'v', 'x')");
            !r) {
            return r.error();
        }
        return Error::Io("stop");
    });
    EXPECT_FALSE(s);
    EXPECT_EQ(db_->Query("SELECT COUNT(*) FROM service_keys")->front().Int(0), 0);
    Status write_in_read = db_->Read([](SqlSession& sql) -> Status {
        auto r = sql.Execute("INSERT INTO service_keys (name, value, created_at) VALUES ('k', 'v', 'x')");
        return r ? Status{} : Status{r.error()};
    });
    EXPECT_FALSE(write_in_read);
    // The connection that failed is usable again.
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(db_->Query("SELECT 1"));
}

TEST_F(PostgresTest, SkipLockedClaimsEachJobOnceUnderConcurrency) {
    ASSERT_TRUE(
        db_->Execute("INSERT INTO users (id, email, display_name, password_hash, created_at) "
                     "VALUES ('u1', 'a@b.co', 'A', 'h', 'x')"));
    constexpr int kJobs = 60;
    for (int i = 0; i < kJobs; ++i) {
        char id[16];
        std::snprintf(id, sizeof(id), "job%03d", i);
        ASSERT_TRUE(
            db_->Execute("INSERT INTO jobs (id, user_id, kind, status, progress, params, attempts, "
                         "created_at, updated_at) VALUES ($1, 'u1', 'g', 'queued', 0, '{}', 0, $1, $1)",
                         {std::string(id)}));
    }
    std::mutex mutex;
    std::multiset<std::string> claimed;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
        workers.emplace_back([&] {
            while (true) {
                std::string got;
                Status s = db_->Transaction([&](SqlSession& sql) -> Status {
                    auto pick = sql.Query(
                        "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at LIMIT 1 FOR UPDATE "
                        "SKIP LOCKED");
                    if (!pick) return pick.error();
                    if (pick->empty()) return {};
                    got = pick->front().Text(0);
                    auto r = sql.Execute("UPDATE jobs SET status = 'running' WHERE id = $1", {got});
                    return r ? Status{} : Status{r.error()};
                });
                ASSERT_TRUE(s) << s.error().message;
                if (got.empty()) return;
                std::lock_guard lock(mutex);
                claimed.insert(got);
            }
        });
    }
    for (auto& t : workers) t.join();
    EXPECT_EQ(claimed.size(), size_t(kJobs));
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), size_t(kJobs))
        << "a job was claimed twice";
}

TEST(PostgresOpen, UnreachableServerIsUnavailable) {
    auto db =
        OpenPostgres("postgresql://nobody@127.0.0.1:1/none", {.connections = 1, .connect_timeout_s = 2});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace amapiano::store
