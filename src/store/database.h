// Database: the one interface to the service's relational state. Two backends share it — SQLite (the
// embedded default, sqlite_database.h) and PostgreSQL (production) — and one SQL text serves both:
// parameters are written $1, $2, ... (PostgreSQL's native form, which SQLite accepts as named
// parameters), types are the portable ones (TEXT, BIGINT, DOUBLE PRECISION).
//
//   Result<std::unique_ptr<Database>> db = OpenSqlite("data/amapiano.sqlite3");
//   Status s = (*db)->Transaction([&](SqlSession& sql) -> Status {
//       if (auto r = sql.Execute("INSERT INTO users (id, email) VALUES ($1, $2)", {id, email}); !r)
//           return r.error();
//       return {};
//   });                                    // committed when the function succeeds, rolled back otherwise
//   auto rows = (*db)->Query("SELECT id FROM users WHERE email = $1", {email});
//   if (rows && !rows->empty()) (*rows)[0].Text(0);
//
// Errors: a unique or foreign-key violation is kConflict, a database still locked after the busy
// timeout or unreachable is kUnavailable, a malformed statement is kInternal (a bug), anything else
// kIo. Thread-safe: any thread may call.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace amapiano::store {

// NULL, an integer, a real or text (JSON documents are stored as text).
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

struct SqlRow final {
    std::vector<SqlValue> columns;

    bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(columns.at(i)); }
    // The column as text / integer / real; NULL and other types give the fallback.
    std::string Text(size_t i, std::string fallback = {}) const;
    int64_t Int(size_t i, int64_t fallback = 0) const;
    double Real(size_t i, double fallback = 0.0) const;
};

// A connection in use: statements run in the caller's transaction, if any.
class SqlSession {
public:
    virtual ~SqlSession() = default;
    virtual Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params) = 0;
    // Returns the number of rows changed.
    virtual Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params) = 0;

    Result<std::vector<SqlRow>> Query(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
        return Query(sql, std::span<const SqlValue>(params.begin(), params.size()));
    }
    Result<int64_t> Execute(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
        return Execute(sql, std::span<const SqlValue>(params.begin(), params.size()));
    }
};

class Database {
public:
    virtual ~Database() = default;

    // "sqlite" or "postgresql": for the few statements that differ (claiming jobs, upserts).
    virtual std::string_view Dialect() const = 0;

    // Runs `work` inside one transaction on one connection: committed when it returns ok, rolled back
    // when it returns an error. Writers are serialised (SQLite: BEGIN IMMEDIATE).
    virtual Status Transaction(const std::function<Status(SqlSession&)>& work) = 0;

    // Runs `work` in a read-only transaction: one consistent snapshot, concurrent with other readers
    // and (SQLite in WAL mode, PostgreSQL) with the writer. Writes in it fail.
    virtual Status Read(const std::function<Status(SqlSession&)>& work) = 0;

    // One statement in its own transaction (Query: read-only).
    Result<std::vector<SqlRow>> Query(std::string_view sql, std::initializer_list<SqlValue> params = {});
    Result<int64_t> Execute(std::string_view sql, std::initializer_list<SqlValue> params = {});
};

}  // namespace amapiano::store
