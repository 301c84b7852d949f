// The SQLite backend: values round-trip, transactions commit or roll back as a whole, errors carry
// stable codes, concurrent writers queue instead of failing, and committed data survives a reopen.
#include "store/sqlite_database.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace amapiano::store {
namespace {

using testing_support::TempDir;

std::unique_ptr<Database> Open(const std::filesystem::path& path) {
    auto db = OpenSqlite(path);
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
}

TEST(SqliteDatabase, ValuesRoundTrip) {
    TempDir dir;
    auto db = Open(dir / "a.sqlite3");
    ASSERT_TRUE(db);
    EXPECT_EQ(db->Dialect(), "sqlite");
    ASSERT_TRUE(db->Execute("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)"));
    const std::string text = "naïve \"quoted\" 'text'\n with a NUL-free newline";
    auto inserted = db->Execute("INSERT INTO t (i, r, s, n) VALUES ($1, $2, $3, $4)",
                                {int64_t(1) << 40, 0.25, text, nullptr});
    ASSERT_TRUE(inserted) << inserted.error().message;
    EXPECT_EQ(*inserted, 1);
    auto rows = db->Query("SELECT i, r, s, n FROM t WHERE s = $1", {text});
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    const SqlRow& row = rows->front();
    EXPECT_EQ(row.Int(0), int64_t(1) << 40);
    EXPECT_EQ(row.Real(1), 0.25);
    EXPECT_EQ(row.Text(2), text);
    EXPECT_TRUE(row.IsNull(3));
    EXPECT_EQ(row.Text(3, "fallback"), "fallback");
}

TEST(SqliteDatabase, ATransactionIsAllOrNothing) {
    TempDir dir;
    auto db = Open(dir / "a.sqlite3");
    ASSERT_TRUE(db->Execute("CREATE TABLE t (k TEXT PRIMARY KEY)"));
    const Status failed = db->Transaction([](SqlSession& sql) -> Status {
        if (auto r = sql.Execute("INSERT INTO t (k) VALUES ($1)", {std::string("a")}); !r) return r.error();
        return Error::InvalidArgument("changed my mind");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "changed my mind");
    EXPECT_TRUE(db->Query("SELECT k FROM t")->empty());

    const Status ok = db->Transaction([](SqlSession& sql) -> Status {
        for (const char* k : {"a", "b"}) {
            if (auto r = sql.Execute("INSERT INTO t (k) VALUES ($1)", {std::string(k)}); !r) return r.error();
        }
        return {};
    });
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(db->Query("SELECT k FROM t ORDER BY k")->size(), 2u);
}

TEST(SqliteDatabase, ErrorsHaveStableCodes) {
    TempDir dir;
    auto db = Open(dir / "a.sqlite3");
    ASSERT_TRUE(db->Execute("CREATE TABLE t (k TEXT PRIMARY KEY)"));
    ASSERT_TRUE(db->Execute("INSERT INTO t (k) VALUES ($1)", {std::string("a")}));

    auto duplicate = db->Execute("INSERT INTO t (k) VALUES ($1)", {std::string("a")});
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict) << duplicate.error().message;

    auto syntax = db->Query("SELEC k FROM t");
    ASSERT_FALSE(syntax);
    EXPECT_EQ(syntax.error().code, ErrorCode::kInternal);

    auto missing_parameter = db->Query("SELECT k FROM t WHERE k = $1");
    ASSERT_FALSE(missing_parameter);
    EXPECT_EQ(missing_parameter.error().code, ErrorCode::kInternal);
    EXPECT_NE(missing_parameter.error().message.find("takes 1 parameters, got 0"), std::string::npos);

    // A read-only transaction cannot write.
    const Status write_in_read = db->Read([](SqlSession& sql) -> Status {
        auto r = sql.Execute("INSERT INTO t (k) VALUES ($1)", {std::string("b")});
        return r ? Status{} : Status(r.error());
    });
    EXPECT_FALSE(write_in_read);
    EXPECT_EQ(db->Query("SELECT k FROM t")->size(), 1u);
    // ... and the connection is writable again afterwards.
    EXPECT_TRUE(db->Execute("INSERT INTO t (k) VALUES ($1)", {std::string("c")}));
}

TEST(SqliteDatabase, RefusesFilesThatAreNotDatabasesAndUnusablePaths) {
    TempDir dir;
    std::ofstream(dir / "junk.sqlite3")
        << "this is not a database, just some text that is long enough to read";
    auto junk = OpenSqlite(dir / "junk.sqlite3");
    ASSERT_FALSE(junk);
    EXPECT_EQ(junk.error().code, ErrorCode::kCorruptData) << junk.error().message;
    EXPECT_NE(junk.error().message.find("junk.sqlite3"), std::string::npos);

    std::ofstream(dir / "file") << "x";
    auto under_file = OpenSqlite(dir / "file" / "db.sqlite3");
    ASSERT_FALSE(under_file);
    EXPECT_EQ(under_file.error().code, ErrorCode::kIo) << under_file.error().message;
}

TEST(SqliteDatabase, ConcurrentWritersQueueAndCommittedDataSurvivesAReopen) {
    TempDir dir;
    const auto path = dir / "a.sqlite3";
    {
        auto db = Open(path);
        ASSERT_TRUE(db->Execute("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"));
        ASSERT_TRUE(db->Execute("INSERT INTO counter (id, n) VALUES (1, 0)"));
        // Four threads, each from its own Database (as separate processes would), 50 increments each:
        // read-modify-write inside a transaction must never lose an update.
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&] {
                auto own = OpenSqlite(path);
                if (!own) {
                    ++failures;
                    return;
                }
                for (int i = 0; i < 50; ++i) {
                    const Status s = (*own)->Transaction([](SqlSession& sql) -> Status {
                        auto rows = sql.Query("SELECT n FROM counter WHERE id = 1");
                        if (!rows) return rows.error();
                        auto r =
                            sql.Execute("UPDATE counter SET n = $1 WHERE id = 1", {rows->front().Int(0) + 1});
                        return r ? Status{} : Status(r.error());
                    });
                    if (!s) ++failures;
                }
            });
        }
        for (std::thread& t : threads) t.join();
        EXPECT_EQ(failures.load(), 0);
    }
    auto reopened = Open(path);
    auto rows = reopened->Query("SELECT n FROM counter WHERE id = 1");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->front().Int(0), 200);
    auto mode = reopened->Query("PRAGMA journal_mode");
    ASSERT_TRUE(mode);
    EXPECT_EQ(mode->front().Text(0), "wal");
}

}  // namespace
}  // namespace amapiano::store
