// Schema migrations: applied once, in order, all or nothing, safe when two processes start together,
// and a database newer than the binary is refused.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/sqlite_database.h"
#include "support/temp_dir.h"

namespace amapiano::store {
namespace {

using testing_support::TempDir;

TEST(Migrations, CreateTheSchemaOnceAndRecordIt) {
    TempDir dir;
    auto db = OpenSqlite(dir / "a.sqlite3");
    ASSERT_TRUE(db);
    EXPECT_EQ(*SchemaVersion(**db), 0);
    auto v = Migrate(**db, SchemaMigrations());
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(*v, int(SchemaMigrations().size()));
    for (const char* table : {"users", "sessions", "jobs", "tracks", "assets"}) {
        auto rows = (*db)->Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
                                 {std::string(table)});
        ASSERT_TRUE(rows);
        EXPECT_EQ(rows->size(), 1u) << table;
    }
    // Again: nothing to do, nothing recorded twice.
    EXPECT_EQ(*Migrate(**db, SchemaMigrations()), *v);
    EXPECT_EQ((*db)->Query("SELECT version FROM schema_migrations")->size(), SchemaMigrations().size());
    // The schema enforces what the service relies on: unique e-mails, owners that exist.
    ASSERT_TRUE(
        (*db)->Execute("INSERT INTO users (id, email, display_name, password_hash, created_at) "
                       "VALUES ('u1', 'a@b.c', 'A', 'h', 't')"));
    auto taken = (*db)->Execute(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) "
        "VALUES ('u2', 'a@b.c', 'B', 'h', 't')");
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
    auto orphan = (*db)->Execute(
        "INSERT INTO tracks (id, user_id, title, spec, created_at) "
        "VALUES ('t1', 'nobody', 'x', '{}', 't')");
    ASSERT_FALSE(orphan);
    EXPECT_EQ(orphan.error().code, ErrorCode::kConflict);
}

TEST(Migrations, AFailingMigrationChangesNothing) {
    TempDir dir;
    auto db = OpenSqlite(dir / "a.sqlite3");
    ASSERT_TRUE(db);
    const Migration broken[] = {
        {1, "good", {"CREATE TABLE a (x TEXT)"}},
        {2, "bad", {"CREATE TABLE b (x TEXT)", "CREATE TABLE a (x TEXT)"}},  // a exists: fails
    };
    auto v = Migrate(**db, broken);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("migration 2 (bad)"), std::string::npos) << v.error().message;
    EXPECT_EQ(*SchemaVersion(**db), 0);
    EXPECT_TRUE((*db)->Query("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')")->empty());
}

TEST(Migrations, RefuseNewerDatabasesAndBadNumbering) {
    TempDir dir;
    auto db = OpenSqlite(dir / "a.sqlite3");
    ASSERT_TRUE(db);
    const Migration two[] = {{1, "one", {"CREATE TABLE a (x TEXT)"}},
                             {2, "two", {"CREATE TABLE b (x TEXT)"}}};
    ASSERT_EQ(*Migrate(**db, two), 2);
    auto older_binary = Migrate(**db, std::span(two).first(1));
    ASSERT_FALSE(older_binary);
    EXPECT_EQ(older_binary.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(older_binary.error().message.find("schema version 2 is newer than this binary's 1"),
              std::string::npos);

    const Migration gap[] = {{1, "one", {}}, {3, "three", {}}};
    auto bad = Migrate(**db, gap);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Migrations, TwoProcessesStartingTogetherApplyThemOnce) {
    TempDir dir;
    const auto path = dir / "a.sqlite3";
    std::vector<int> versions(4, -1);
    std::vector<std::thread> starters;
    for (int i = 0; i < 4; ++i) {
        starters.emplace_back([&, i] {
            auto db = OpenSqlite(path);
            if (!db) return;
            auto v = Migrate(**db, SchemaMigrations());
            versions[size_t(i)] = v ? *v : -2;
        });
    }
    for (std::thread& t : starters) t.join();
    for (int v : versions) EXPECT_EQ(v, int(SchemaMigrations().size()));
    auto db = OpenSqlite(path);
    EXPECT_EQ((*db)->Query("SELECT version FROM schema_migrations")->size(), SchemaMigrations().size());
}

}  // namespace
}  // namespace amapiano::store
