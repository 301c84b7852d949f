#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <map>
#include <vector>

#include "store/connection_pool.h"

namespace amapiano::store {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat (stable across versions).
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700, kBool = 16;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

Error ErrorFrom(PGconn* conn, const PGresult* result, const std::string& what) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const std::string sqlstate = state ? state : "";
    ErrorCode code = ErrorCode::kIo;
    if (sqlstate.rfind("23", 0) == 0) {
        code = ErrorCode::kConflict;
    } else if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate.rfind("08", 0) == 0 ||
               sqlstate == "57P01" || (sqlstate.empty() && PQstatus(conn) != CONNECTION_OK)) {
        code = ErrorCode::kUnavailable;
    } else if (sqlstate.rfind("42", 0) == 0) {
        code = ErrorCode::kInternal;
    }
    return Error{code, what + ": " + message + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")")};
}

struct Connection final {
    PGconn* conn = nullptr;
    std::map<std::string, std::string, std::less<>> prepared;  // SQL -> statement name
    ~Connection() {
        if (conn) PQfinish(conn);
    }

    Status Exec(const char* sql) {
        PgResult r(PQexec(conn, sql));
        const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorFrom(conn, r.get(), sql);
        return {};
    }

    // Makes sure the connection is usable before a transaction starts (after a server restart, say).
    Status EnsureOpen() {
        if (PQstatus(conn) == CONNECTION_OK) return {};
        PQreset(conn);
        prepared.clear();
        if (PQstatus(conn) != CONNECTION_OK) return ErrorFrom(conn, nullptr, "reconnecting to PostgreSQL");
        return {};
    }

    Result<PgResult> Run(std::string_view sql, std::span<const SqlValue> params) {
        auto it = prepared.find(sql);
        if (it == prepared.end()) {
            const std::string name = "s" + std::to_string(prepared.size() + 1);
            PgResult r(PQprepare(conn, name.c_str(), std::string(sql).c_str(), 0, nullptr));
            if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
                return ErrorFrom(conn, r.get(), "preparing " + std::string(sql.substr(0, 80)));
            }
            it = prepared.emplace(std::string(sql), name).first;
        }
        std::vector<std::string> text(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (size_t i = 0; i < params.size(); ++i) {
            if (const auto* n = std::get_if<int64_t>(&params[i])) {
                text[i] = std::to_string(*n);
            } else if (const auto* d = std::get_if<double>(&params[i])) {
                char buf[40];
                std::snprintf(buf, sizeof(buf), "%.17g", *d);
                text[i] = buf;
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                text[i] = *s;
            } else {
                continue;  // NULL
            }
            values[i] = text[i].c_str();
        }
        PgResult r(
            PQexecPrepared(conn, it->second.c_str(), int(params.size()), values.data(), nullptr, nullptr, 0));
        const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            return ErrorFrom(conn, r.get(), "running " + std::string(sql.substr(0, 80)));
        }
        return r;
    }
};

class PostgresSession final : public SqlSession {
public:
    explicit PostgresSession(Connection& c) : c_(c) {}
    using SqlSession::Execute;
    using SqlSession::Query;

    Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params) override {
        auto r = c_.Run(sql, params);
        if (!r) return r.error();
        PGresult* res = r->get();
        const int rows = PQntuples(res), cols = PQnfields(res);
        std::vector<SqlRow> out(static_cast<size_t>(rows));
        for (int i = 0; i < rows; ++i) {
            out[size_t(i)].columns.reserve(size_t(cols));
            for (int j = 0; j < cols; ++j) {
                if (PQgetisnull(res, i, j)) {
                    out[size_t(i)].columns.emplace_back(nullptr);
                    continue;
                }
                const char* v = PQgetvalue(res, i, j);
                const size_t len = size_t(PQgetlength(res, i, j));
                const Oid type = PQftype(res, j);
                if (type == kInt8 || type == kInt4 || type == kInt2) {
                    int64_t n = 0;
                    std::from_chars(v, v + len, n);
                    out[size_t(i)].columns.emplace_back(n);
                } else if (type == kFloat8 || type == kFloat4 || type == kNumeric) {
                    out[size_t(i)].columns.emplace_back(std::strtod(v, nullptr));
                } else if (type == kBool) {
                    out[size_t(i)].columns.emplace_back(int64_t(v[0] == 't'));
                } else {
                    out[size_t(i)].columns.emplace_back(std::string(v, len));
                }
            }
        }
        return out;
    }

    Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params) override {
        auto r = c_.Run(sql, params);
        if (!r) return r.error();
        const char* affected = PQcmdTuples(r->get());
        int64_t n = 0;
        if (affected && *affected)
            std::from_chars(affected, affected + std::char_traits<char>::length(affected), n);
        return n;
    }

private:
    Connection& c_;
};

class PostgresDatabase final : public Database {
public:
    std::string_view Dialect() const override { return "postgresql"; }

    Status Transaction(const std::function<Status(SqlSession&)>& work) override {
        return InTransaction("BEGIN ISOLATION LEVEL READ COMMITTED", work);
    }
    Status Read(const std::function<Status(SqlSession&)>& work) override {
        return InTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work);
    }

    void Add(std::unique_ptr<Connection> c) { pool_.Add(std::move(c)); }

private:
    Status InTransaction(const char* begin, const std::function<Status(SqlSession&)>& work) {
        auto c = pool_.Borrow();
        Status result = c->EnsureOpen();
        if (result) result = c->Exec(begin);
        if (!result) return result;
        PostgresSession session(*c);
        try {
            result = work(session);
        } catch (...) {
            (void)c->Exec("ROLLBACK");
            throw;
        }
        if (result) return c->Exec("COMMIT");
        (void)c->Exec("ROLLBACK");
        return result;
    }

    ConnectionPool<Connection> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const PostgresOptions& options) {
    if (url.empty()) return Error::InvalidArgument("an empty PostgreSQL connection string");
    auto db = std::make_unique<PostgresDatabase>();
    for (int i = 0; i < std::max(1, options.connections); ++i) {
        const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
        const std::string timeout = std::to_string(options.connect_timeout_s);
        const char* values[] = {url.c_str(), timeout.c_str(), "amapiano", nullptr};
        auto c = std::make_unique<Connection>();
        c->conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
        if (!c->conn) return Error::Unavailable("out of memory connecting to PostgreSQL");
        if (PQstatus(c->conn) != CONNECTION_OK) {
            std::string message = PQerrorMessage(c->conn);
            while (!message.empty() && message.back() == '\n') message.pop_back();
            return Error::Unavailable("cannot connect to PostgreSQL: " + message);
        }
        if (Status s = c->Exec("SET TIME ZONE 'UTC'"); !s) return s.error();
        db->Add(std::move(c));
    }
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace amapiano::store
