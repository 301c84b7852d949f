// A migrated SQLite database in a test's temporary folder, with users to own jobs and tracks.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/migrations.h"
#include "store/sqlite_database.h"

namespace amapiano::testing_support {

inline std::unique_ptr<store::Database> OpenMigratedSqlite(const std::filesystem::path& path) {
    auto db = store::OpenSqlite(path);
    EXPECT_TRUE(db) << db.error().message;
    if (!db) return nullptr;
    auto version = store::Migrate(**db, store::SchemaMigrations());
    EXPECT_TRUE(version) << version.error().message;
    return std::move(*db);
}

// A user row (no usable password) for tests that need an owner.
inline void AddTestUser(store::Database& db, const std::string& id) {
    auto r = db.Execute(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, 'Test', 'x', "
        "'2026-01-01T00:00:00.000Z')",
        {id, id + "@example.com"});
    EXPECT_TRUE(r) << r.error().message;
}

}  // namespace amapiano::testing_support
