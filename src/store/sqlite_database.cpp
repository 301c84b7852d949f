#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "store/connection_pool.h"

namespace amapiano::store {
namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
    const std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT: return Error::Conflict(message);
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Error::Unavailable("the database is busy: " + message);
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return Error::CorruptData(message);
        case SQLITE_ERROR:
        case SQLITE_RANGE:
        case SQLITE_MISUSE: return Error::Internal(message);
        default: return Error::Io(message);
    }
}

struct Connection final {
    sqlite3* db = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> statements;

    ~Connection() {
        for (auto& [sql, stmt] : statements) sqlite3_finalize(stmt);
        if (db) sqlite3_close_v2(db);
    }

    Status Exec(const char* sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
        if (rc == SQLITE_OK) return {};
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        return SqliteError(nullptr, rc, std::string(sql) + ": " + text);
    }

    Result<sqlite3_stmt*> Prepare(std::string_view sql) {
        const std::string key(sql);
        if (auto it = statements.find(key); it != statements.end()) return it->second;
        sqlite3_stmt* stmt = nullptr;
        const int rc =
            sqlite3_prepare_v3(db, key.c_str(), int(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) return SqliteError(db, rc, "preparing '" + key + "'");
        statements.emplace(key, stmt);
        return stmt;
    }
};

class SqliteSession final : public SqlSession {
public:
    explicit SqliteSession(Connection& c) : c_(c) {}

    Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params) override {
        auto stmt = Run(sql, params);
        if (!stmt) return stmt.error();
        std::vector<SqlRow> rows;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) rows.push_back(ReadRow(*stmt));
        return Finish(*stmt, rc, sql, std::move(rows));
    }

    Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params) override {
        auto stmt = Run(sql, params);
        if (!stmt) return stmt.error();
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        }
        auto done = Finish(*stmt, rc, sql, 0);
        if (!done) return done.error();
        return int64_t(sqlite3_changes64(c_.db));
    }

private:
    // Prepares (or reuses) the statement and binds $1..$n.
    Result<sqlite3_stmt*> Run(std::string_view sql, std::span<const SqlValue> params) {
        auto stmt = c_.Prepare(sql);
        if (!stmt) return stmt.error();
        sqlite3_reset(*stmt);
        sqlite3_clear_bindings(*stmt);
        const int count = sqlite3_bind_parameter_count(*stmt);
        if (size_t(count) != params.size()) {
            return Error::Internal("'" + std::string(sql) + "' takes " + std::to_string(count) +
                                   " parameters, got " + std::to_string(params.size()));
        }
        for (size_t i = 0; i < params.size(); ++i) {
            const std::string name = "$" + std::to_string(i + 1);
            const int index = sqlite3_bind_parameter_index(*stmt, name.c_str());
            if (index == 0) return Error::Internal("'" + std::string(sql) + "' has no parameter " + name);
            int rc = SQLITE_OK;
            const SqlValue& v = params[i];
            if (std::holds_alternative<std::nullptr_t>(v)) {
                rc = sqlite3_bind_null(*stmt, index);
            } else if (const auto* n = std::get_if<int64_t>(&v)) {
                rc = sqlite3_bind_int64(*stmt, index, *n);
            } else if (const auto* d = std::get_if<double>(&v)) {
                rc = sqlite3_bind_double(*stmt, index, *d);
            } else {
                const std::string& s = std::get<std::string>(v);
                rc = sqlite3_bind_text64(*stmt, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            }
            if (rc != SQLITE_OK) return SqliteError(c_.db, rc, "binding " + name);
        }
        return *stmt;
    }

    static SqlRow ReadRow(sqlite3_stmt* stmt) {
        SqlRow row;
        const int columns = sqlite3_column_count(stmt);
        row.columns.reserve(size_t(columns));
        for (int i = 0; i < columns; ++i) {
            switch (sqlite3_column_type(stmt, i)) {
                case SQLITE_INTEGER: row.columns.emplace_back(int64_t(sqlite3_column_int64(stmt, i))); break;
                case SQLITE_FLOAT: row.columns.emplace_back(sqlite3_column_double(stmt, i)); break;
                case SQLITE_NULL: row.columns.emplace_back(nullptr); break;
                default: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                    row.columns.emplace_back(
                        std::string(text ? text : "", size_t(sqlite3_column_bytes(stmt, i))));
                }
            }
        }
        return row;
    }

    template <typename T>
    Result<T> Finish(sqlite3_stmt* stmt, int rc, std::string_view sql, T value) {
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE) return SqliteError(c_.db, rc, "running '" + std::string(sql) + "'");
        return value;
    }

    Connection& c_;
};

class SqliteDatabase final : public Database {
public:
    std::string_view Dialect() const override { return "sqlite"; }

    Status Transaction(const std::function<Status(SqlSession&)>& work) override {
        // One writer at a time in this process: writers queue here instead of polling SQLite's busy
        // handler (which sleeps in steps of up to 100 ms); the busy timeout is left for other processes.
        std::lock_guard writer(writer_mutex_);
        return InTransaction("BEGIN IMMEDIATE", work, false);
    }

    Status Read(const std::function<Status(SqlSession&)>& work) override {
        return InTransaction("BEGIN DEFERRED", work, true);
    }

    void Add(std::unique_ptr<Connection> c) { pool_.Add(std::move(c)); }

private:
    Status InTransaction(const char* begin, const std::function<Status(SqlSession&)>& work, bool read_only) {
        auto c = pool_.Borrow();
        return RunIn(*c, begin, work, read_only);
    }

    static Status RunIn(Connection& c, const char* begin, const std::function<Status(SqlSession&)>& work,
                        bool read_only) {
        if (read_only) {
            if (Status s = c.Exec("PRAGMA query_only = 1"); !s) return s;
        }
        Status result = c.Exec(begin);
        if (result) {
            SqliteSession session(c);
            try {
                result = work(session);
            } catch (...) {
                (void)c.Exec("ROLLBACK");
                if (read_only) (void)c.Exec("PRAGMA query_only = 0");
                throw;
            }
            if (result) {
                result = c.Exec("COMMIT");
                if (!result) (void)c.Exec("ROLLBACK");
            } else {
                (void)c.Exec("ROLLBACK");
            }
        }
        if (read_only) (void)c.Exec("PRAGMA query_only = 0");
        return result;
    }

    std::mutex writer_mutex_;
    ConnectionPool<Connection> pool_;
};

Result<std::unique_ptr<Connection>> Connect(const std::string& path, const SqliteOptions& options,
                                            bool memory) {
    auto c = std::make_unique<Connection>();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &c->db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = SqliteError(c->db, rc, "opening the database '" + path + "'");
        if (e.code != ErrorCode::kCorruptData) e.code = ErrorCode::kIo;
        return e;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, options.busy_timeout_ms);
    // Reading the schema proves the file is a database (SQLITE_NOTADB otherwise).
    if (Status s = c->Exec("SELECT count(*) FROM sqlite_master"); !s) {
        return Error{s.error().code, "'" + path + "' is not a usable SQLite database: " + s.error().message};
    }
    for (const char* pragma : {"PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL"}) {
        if (Status s = c->Exec(pragma); !s) return s.error();
    }
    if (!memory) {
        if (Status s = c->Exec("PRAGMA journal_mode = WAL"); !s) return s.error();
    }
    return c;
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::filesystem::path& path,
                                             const SqliteOptions& options) {
    const bool memory = path == ":memory:";
    if (!memory && path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) return Error::Io("cannot create the directory of '" + path.string() + "': " + ec.message());
    }
    auto db = std::make_unique<SqliteDatabase>();
    const int connections = memory ? 1 : std::max(1, options.connections);
    for (int i = 0; i < connections; ++i) {
        auto c = Connect(path.string(), options, memory);
        if (!c) return c.error();
        db->Add(std::move(*c));
    }
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace amapiano::store
