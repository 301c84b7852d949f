// `amapiano migrate db|storage` end to end through the real binary: usage errors (exit 2), a SQLite to
// SQLite copy with --verify reporting JSON lines when stdout is not a terminal, --verify-only naming a
// missing row and a corrupted object (exit 1), and plain text with a bar on a terminal.
#include "cli/migrate_command.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/local_object_store.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace amapiano::cli {
namespace {

using testing_support::CliRun;
using testing_support::JsonLines;
using testing_support::TempDir;

constexpr int kUsers = 120;
constexpr int kObjects = 40;

class MigrateBinary : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::getenv("AMAPIANO_BIN") == nullptr)
            GTEST_SKIP() << "AMAPIANO_BIN not set (run through ctest)";
    }
    CliRun Invoke(const std::string& args) { return testing_support::RunAmapiano(args, dir_.path()); }

    // A SQLite database at the current schema with kUsers users, each with a job.
    std::string MakeSourceDatabase() {
        const auto path = dir_ / "source.sqlite3";
        auto db = store::OpenSqlite(path);
        EXPECT_TRUE(db);
        EXPECT_TRUE(store::Migrate(**db, store::SchemaMigrations()));
        const Status s = (*db)->Transaction([](store::SqlSession& sql) -> Status {
            for (int i = 0; i < kUsers; ++i) {
                const std::string id = "user-" + std::to_string(i);
                auto r = sql.Execute(
                    "INSERT INTO users (id, email, display_name, password_hash, created_at) "
                    "VALUES ($1, $2, $3, 'h', '2026-01-01T00:00:00.000Z')",
                    {id, id + "@example.com", "N\xc3\xa4me " + std::to_string(i)});
                if (!r) return r.error();
                r = sql.Execute(
                    "INSERT INTO jobs (id, user_id, kind, status, progress, params, attempts, created_at, "
                    "updated_at) VALUES ($1, $2, 'generation', 'done', $3, '{}', 1, 'x', 'x')",
                    {"job-" + std::to_string(i), id, 0.1 * i});
                if (!r) return r.error();
            }
            return {};
        });
        EXPECT_TRUE(s);
        return "sqlite://" + path.string();
    }

    std::string MakeSourceObjects() {
        auto store = store::OpenLocalObjectStore(dir_ / "objects-a");
        EXPECT_TRUE(store);
        for (int i = 0; i < kObjects; ++i) {
            std::vector<uint8_t> bytes(size_t(i) * 997 + (i == 7 ? 2 << 20 : 0), uint8_t(i));
            EXPECT_TRUE(
                (*store)->Put("tracks/t" + std::to_string(i % 4) + "/" + std::to_string(i) + ".wav", bytes));
        }
        return "file://" + (dir_ / "objects-a").string();
    }

    static const nlohmann::json* Find(const std::vector<nlohmann::json>& lines, const std::string& event) {
        for (const nlohmann::json& j : lines) {
            if (j.at("event") == event) return &j;
        }
        return nullptr;
    }

    TempDir dir_;
};

TEST_F(MigrateBinary, UsageErrorsExitTwo) {
    const std::string a = "sqlite://" + (dir_ / "a.sqlite3").string();
    const std::string b = "sqlite://" + (dir_ / "b.sqlite3").string();
    const std::string objects = "file://" + dir_.path().string();
    for (const std::string& args : {
             std::string("migrate"),
             "migrate db --to " + b,                                    // no --from
             "migrate db --from " + a,                                  // no --to
             "migrate db --from mysql://db/x --to " + b,                // not a database URL
             "migrate db --from " + a + " --to " + a,                   // the same database
             "migrate db --from " + a + " --to " + b + " --batch 0",    // batch out of range
             "migrate storage --from http://x/y --to " + objects,       // not an object store URL
             "migrate storage --from " + objects + " --to " + objects,  // the same store
             "migrate storage --from " + objects + " --to file:///tmp/elsewhere --parallel 65",
             "migrate storage --from " + objects + " --to s3:// --verify",  // no bucket
             "migrate tables --from " + a + " --to " + b,                   // no such subcommand
         }) {
        const CliRun run = Invoke(args);
        EXPECT_EQ(run.exit_code, 2) << args << "\n" << run.out << run.err;
        EXPECT_FALSE(run.err.empty()) << args;
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "a.sqlite3"));  // nothing was created
}

TEST_F(MigrateBinary, DbCopyWithVerifyPrintsJsonLinesAndAMismatchExitsOne) {
    const std::string source = MakeSourceDatabase();
    const std::string target = "sqlite://" + (dir_ / "target.sqlite3").string();
    const CliRun run = Invoke("migrate db --from " + source + " --to " + target + " --verify --batch 16");
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    const std::vector<nlohmann::json> lines = JsonLines(run.out);  // stdout is a file: JSON lines
    ASSERT_FALSE(lines.empty());
    bool copy_progress = false, verify_progress = false;
    for (const nlohmann::json& j : lines) {
        EXPECT_NE(j.at("event"), "mismatch") << j.dump();
        if (j.at("event") == "progress") (j.at("phase") == "copy" ? copy_progress : verify_progress) = true;
    }
    EXPECT_TRUE(copy_progress && verify_progress);
    const nlohmann::json& summary = lines.back();
    EXPECT_EQ(summary.at("event"), "summary");
    EXPECT_EQ(summary.at("ok"), true);
    EXPECT_EQ(summary.at("kind"), "db");
    EXPECT_EQ(summary.at("rows_copied"), 2 * kUsers);
    EXPECT_TRUE(summary.at("rows_per_s").is_number());
    EXPECT_TRUE(summary.at("mb_per_s").is_number());
    EXPECT_EQ(summary.at("tables_mismatched"), 0);
    for (const nlohmann::json& t : summary.at("tables")) EXPECT_EQ(t.at("match"), true) << t.dump();

    // A user (and, by cascade, its job) gone from the target.
    {
        auto db = store::OpenSqlite(dir_ / "target.sqlite3");
        ASSERT_TRUE(db);
        ASSERT_EQ(*(*db)->Execute("DELETE FROM users WHERE id = 'user-42'"), 1);
    }
    const CliRun verify = Invoke("migrate db --from " + source + " --to " + target + " --verify-only");
    EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
    const std::vector<nlohmann::json> found = JsonLines(verify.out);
    bool user_named = false, job_named = false;
    for (const nlohmann::json& j : found) {
        if (j.at("event") != "mismatch" || j.at("kind") != "row") continue;
        EXPECT_EQ(j.at("difference"), "missing_in_target");
        if (j.at("table") == "users" && j.at("key").at("id") == "user-42") user_named = true;
        if (j.at("table") == "jobs" && j.at("key").at("id") == "job-42") job_named = true;
    }
    EXPECT_TRUE(user_named && job_named) << verify.out;
    EXPECT_EQ(found.back().at("event"), "summary");
    EXPECT_EQ(found.back().at("ok"), false);
    EXPECT_EQ(found.back().at("tables_mismatched"), 2);
    EXPECT_FALSE(found.back().contains("rows_copied"));  // nothing copied
}

TEST_F(MigrateBinary, DbVerifyOnlyAgainstAMissingTargetIsARuntimeError) {
    const std::string source = MakeSourceDatabase();
    const CliRun run = Invoke("migrate db --from " + source + " --to sqlite://" +
                              (dir_ / "absent.sqlite3").string() + " --verify-only");
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.err.find("does not exist"), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "absent.sqlite3"));
}

TEST_F(MigrateBinary, StorageCopyVerifiesAndACorruptedObjectExitsOneNamingIt) {
    const std::string source = MakeSourceObjects();
    const std::string target = "file://" + (dir_ / "objects-b").string();
    const std::string scratch = (dir_ / "scratch").string();
    const CliRun run = Invoke("migrate storage --from " + source + " --to " + target +
                              " --verify --parallel 3 --scratch " + scratch);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    const nlohmann::json& summary = lines.back();
    EXPECT_EQ(summary.at("event"), "summary");
    EXPECT_EQ(summary.at("ok"), true);
    EXPECT_EQ(summary.at("objects"), kObjects);
    EXPECT_EQ(summary.at("copied"), kObjects);
    EXPECT_EQ(summary.at("verified"), kObjects);
    EXPECT_EQ(summary.at("checksum_differs"), 0);
    EXPECT_TRUE(summary.at("mb_per_s").is_number());
    EXPECT_NE(Find(lines, "progress"), nullptr);

    // Rerun: everything skipped.
    const CliRun again = Invoke("migrate storage --from " + source + " --to " + target);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(JsonLines(again.out).back().at("skipped"), kObjects);

    // One byte changed, same size.
    auto store = store::OpenLocalObjectStore(dir_ / "objects-b");
    ASSERT_TRUE(store);
    const std::string key = "tracks/t1/5.wav";
    auto bytes = (*store)->Get(key);
    ASSERT_TRUE(bytes && bytes->size() > 100);
    (*bytes)[100] ^= 0xff;
    ASSERT_TRUE((*store)->Put(key, *bytes));
    const CliRun verify = Invoke("migrate storage --from " + source + " --to " + target + " --verify-only");
    EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
    const std::vector<nlohmann::json> found = JsonLines(verify.out);
    const nlohmann::json* mismatch = Find(found, "mismatch");
    ASSERT_NE(mismatch, nullptr) << verify.out;
    EXPECT_EQ(mismatch->at("key"), key);
    EXPECT_EQ(mismatch->at("difference"), "checksum_differs");
    EXPECT_EQ(found.back().at("ok"), false);
    EXPECT_EQ(found.back().at("checksum_differs"), 1);
}

// On a terminal (a pseudo-terminal from util-linux `script`): plain text and a bar, no JSON.
TEST_F(MigrateBinary, PlainTextOnATerminal) {
    if (!std::filesystem::exists("/usr/bin/script") ||
        std::system("/usr/bin/script -qec true /dev/null </dev/null >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "no pseudo-terminal from /usr/bin/script here";
    }
    const std::string source = MakeSourceObjects();
    const std::string target = "file://" + (dir_ / "objects-b").string();
    const auto out = dir_ / "terminal.txt";
    const std::string command = "/usr/bin/script -qec '" + std::string(std::getenv("AMAPIANO_BIN")) +
                                " migrate storage --from " + source + " --to " + target +
                                " --verify' /dev/null </dev/null >" + out.string() + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
    const std::string text = testing_support::Slurp(out);
    EXPECT_NE(text.find("copied 40 of 40 objects"), std::string::npos) << text;
    EXPECT_NE(text.find("MB/s"), std::string::npos) << text;
    EXPECT_NE(text.find("verified 40 objects"), std::string::npos) << text;
    EXPECT_EQ(text.find("\"event\""), std::string::npos) << text;
}

}  // namespace
}  // namespace amapiano::cli
