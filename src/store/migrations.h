// Versioned schema migrations, applied at start-up in one transaction, the same on every backend.
//
//   Result<int> version = Migrate(db, SchemaMigrations());   // e.g. 1
//
// `schema_migrations` records each applied version (number, name, time). Migrate applies the missing
// ones in order inside one transaction — all or none — so two processes starting together cannot
// both apply them (the second waits for the writer lock, then finds nothing to do). A database whose
// version is newer than this binary knows is refused (kUnsupported): running old code on a newer
// schema could corrupt it. On PostgreSQL the transaction first takes an advisory lock, so replicas
// starting together never race on creating the same objects.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "store/database.h"

namespace amapiano::store {

struct Migration final {
    int version = 0;
    std::string_view name;
    std::vector<std::string_view> statements;  // portable SQL, run in order
    // Run after `statements` on PostgreSQL only (triggers for LISTEN/NOTIFY and the like).
    std::vector<std::string_view> postgres_statements = {};
};

// The service's schema, oldest first: users, sessions, jobs, tracks, assets.
std::span<const Migration> SchemaMigrations();

// A table of the schema as the migration tools see it: its columns in a fixed order and the columns
// of its primary key (rows are copied and checksummed in key order).
struct SchemaTable final {
    std::string_view name;
    std::vector<std::string_view> columns;
    std::vector<std::string_view> key;
};

// Every table of the latest schema except schema_migrations, parents before children (the order
// rows can be inserted in without breaking a foreign key).
std::span<const SchemaTable> SchemaTables();

// Applies the missing migrations; returns the schema version now in effect. Errors: kUnsupported for
// a newer database, kInvalidArgument when `migrations` are not numbered 1, 2, 3, ..., or the failing
// statement's error.
Result<int> Migrate(Database& db, std::span<const Migration> migrations);

// The highest applied version (0 for an empty database).
Result<int> SchemaVersion(Database& db);

}  // namespace amapiano::store
