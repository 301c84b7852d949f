#include "ops/db_migration.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "store/checksum.h"

namespace amapiano::ops {
namespace {

using store::Database;
using store::SchemaTable;
using store::SqlRow;
using store::SqlSession;
using store::SqlValue;

// Rows per INSERT statement. PostgreSQL gains from fewer, larger statements (up to its 65535
// parameters; one round trip each). SQLite is fastest with one row per statement: its statements are
// prepared once and cached, and the SQLite backend binds each `$n` by a name lookup that is linear in
// the statement's parameters, so a multi-row VALUES list costs quadratic time there (measured on
// 520k rows: 120k rows/s with 1 row per statement, 60k with 28, 8k with 285).
constexpr size_t kPostgresParamsPerStatement = 8000;
constexpr size_t kSqliteRowsPerStatement = 1;

using Clock = std::chrono::steady_clock;

// How one side orders keys: text keys are compared byte by byte on both backends (SQLite's BINARY
// collation; on PostgreSQL the "C" collation unless the database's own already is C), so that both
// sides stream rows in one order and the merge-walk and the resume point agree.
struct Side final {
    std::string_view dialect;
    bool default_is_byte_order = true;
};

Result<Side> Inspect(Database& db, SqlSession& sql) {
    Side side{db.Dialect(), true};
    if (side.dialect != "postgresql") return side;
    auto rows = sql.Query(
        "SELECT datcollate, current_setting('server_version_num') FROM pg_database "
        "WHERE datname = current_database()");
    if (!rows) return rows.error();
    if (rows->empty()) return side;
    const std::string collate = rows->front().Text(0);
    side.default_is_byte_order = collate == "C" || collate == "POSIX";
    const long server_version = std::strtol(rows->front().Text(1, "0").c_str(), nullptr, 10);
    if (side.default_is_byte_order && server_version >= 150000) {
        // Since PostgreSQL 15 the default collation may come from ICU whatever datcollate says.
        auto provider =
            sql.Query("SELECT datlocprovider FROM pg_database WHERE datname = current_database()");
        if (!provider) return provider.error();
        if (!provider->empty()) side.default_is_byte_order = provider->front().Text(0) == "c";
    }
    return side;
}

Result<int> VersionOf(Database& db, SqlSession& sql) {
    auto exists = db.Dialect() == "postgresql"
                      ? sql.Query(
                            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                            "current_schema() AND table_name = 'schema_migrations'")
                      : sql.Query(
                            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                            "'schema_migrations'");
    if (!exists) return exists.error();
    if (exists->empty() || exists->front().Int(0) == 0) return 0;
    auto version = sql.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!version) return version.error();
    return version->empty() ? 0 : int(version->front().Int(0));
}

// The statements for one table on one side. SQLite reads a batch at a time by keyset pagination (its
// primary-key index is in byte order). PostgreSQL streams through a server-side cursor over one
// ordered query: with a linguistic default collation, byte order (COLLATE "C") cannot use the
// primary-key index, and paging would sort the table once per batch.
struct TableSql final {
    const SchemaTable* table = nullptr;
    std::vector<size_t> key_index;  // positions of the key columns among the columns
    bool cursor = false;
    std::string select_first;  // SQLite: $1 = limit; PostgreSQL: DECLARE ... CURSOR FOR ...
    std::string select_after;  // $1..$k = the last key seen (SQLite: $k+1 = limit)
    std::string last_key;
    std::string count;
};

constexpr std::string_view kCursorName = "amapiano_migrate";

Result<TableSql> BuildTableSql(SqlSession& sql, const Side& side, const SchemaTable& table) {
    TableSql t;
    t.table = &table;
    std::string columns;
    for (size_t i = 0; i < table.columns.size(); ++i) {
        if (i) columns += ", ";
        columns += table.columns[i];
    }
    std::vector<std::string> key_exprs;
    for (std::string_view k : table.key) {
        const auto at = std::find(table.columns.begin(), table.columns.end(), k);
        if (at == table.columns.end()) {
            return Error::Internal("key column " + std::string(k) + " is not a column of " +
                                   std::string(table.name));
        }
        t.key_index.push_back(size_t(at - table.columns.begin()));
        std::string expr(k);
        if (!side.default_is_byte_order) {
            auto type = sql.Query(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = $1 AND column_name = $2",
                {std::string(table.name), std::string(k)});
            if (!type) return type.error();
            const std::string name = type->empty() ? "" : type->front().Text(0);
            if (name == "text" || name == "character varying" || name == "character")
                expr += " COLLATE \"C\"";
        }
        key_exprs.push_back(std::move(expr));
    }
    std::string order, order_desc, tuple, params;
    for (size_t i = 0; i < key_exprs.size(); ++i) {
        const std::string sep = i ? ", " : "";
        order += sep + key_exprs[i];
        order_desc += sep + key_exprs[i] + " DESC";
        params += sep + "$" + std::to_string(i + 1);
    }
    tuple = key_exprs.size() == 1 ? key_exprs[0] + " > $1" : "(" + order + ") > (" + params + ")";
    const std::string from = " FROM " + std::string(table.name);
    t.cursor = side.dialect == "postgresql";
    if (t.cursor) {
        const std::string declare = "DECLARE " + std::string(kCursorName) + " NO SCROLL CURSOR FOR ";
        t.select_first = declare + "SELECT " + columns + from + " ORDER BY " + order;
        t.select_after = declare + "SELECT " + columns + from + " WHERE " + tuple + " ORDER BY " + order;
    } else {
        t.select_first = "SELECT " + columns + from + " ORDER BY " + order + " LIMIT $1";
        t.select_after = "SELECT " + columns + from + " WHERE " + tuple + " ORDER BY " + order + " LIMIT $" +
                         std::to_string(key_exprs.size() + 1);
    }
    std::string key_columns;
    for (size_t i = 0; i < table.key.size(); ++i) key_columns += (i ? ", " : "") + std::string(table.key[i]);
    t.last_key = "SELECT " + key_columns + from + " ORDER BY " + order_desc + " LIMIT 1";
    t.count = "SELECT COUNT(*)" + from;
    return t;
}

std::vector<SqlValue> KeyOf(const TableSql& t, const SqlRow& row) {
    std::vector<SqlValue> key;
    key.reserve(t.key_index.size());
    for (size_t i : t.key_index) key.push_back(row.columns.at(i));
    return key;
}

// Reads one table in key order, after a given key (from the start when it is empty), a batch at a
// time, inside the caller's transaction. Close() before reading the next table.
class RowReader final {
public:
    RowReader(SqlSession& sql, const TableSql& t, std::vector<SqlValue> after)
        : sql_(sql), t_(t), after_(std::move(after)) {}

    // Up to `limit` rows; none at the end.
    Result<std::vector<SqlRow>> Next(int64_t limit) {
        if (t_.cursor) {
            if (!open_) {
                auto declared = after_.empty()
                                    ? sql_.Execute(t_.select_first)
                                    : sql_.Execute(t_.select_after, std::span<const SqlValue>(after_));
                if (!declared) return declared.error();
                open_ = true;
            }
            return sql_.Query("FETCH FORWARD " + std::to_string(limit) + " FROM " + std::string(kCursorName));
        }
        std::vector<SqlValue> params = after_;
        params.emplace_back(limit);
        auto rows =
            sql_.Query(after_.empty() ? t_.select_first : t_.select_after, std::span<const SqlValue>(params));
        if (rows && !rows->empty()) {
            after_.clear();
            for (size_t i : t_.key_index) after_.push_back(rows->back().columns.at(i));
        }
        return rows;
    }

    Status Close() {
        if (!open_) return {};
        open_ = false;
        auto closed = sql_.Execute("CLOSE " + std::string(kCursorName));
        if (!closed) return closed.error();
        return {};
    }

private:
    SqlSession& sql_;
    const TableSql& t_;
    std::vector<SqlValue> after_;
    bool open_ = false;
};

// Batch sizes are powers of two below the configured one when rows are large, so that PostgreSQL
// sees a handful of distinct FETCH statements.
int64_t BatchLimit(int64_t batch_rows, int64_t batch_bytes, int64_t bytes_per_row) {
    const int64_t fits = batch_bytes / std::max<int64_t>(1, bytes_per_row);
    if (fits >= batch_rows) return batch_rows;
    int64_t limit = 1;
    while (limit * 2 <= fits) limit *= 2;
    return limit;
}

Result<int64_t> CountRows(SqlSession& sql, const TableSql& t) {
    auto rows = sql.Query(t.count);
    if (!rows) return rows.error();
    return rows->empty() ? 0 : rows->front().Int(0);
}

int64_t BytesOf(const SqlRow& row) {
    int64_t n = 0;
    for (const SqlValue& v : row.columns) {
        if (const auto* s = std::get_if<std::string>(&v)) {
            n += int64_t(s->size());
        } else if (!std::holds_alternative<std::nullptr_t>(v)) {
            n += 8;
        }
    }
    return n;
}

std::string ValueText(const SqlValue& v) {
    if (std::holds_alternative<std::nullptr_t>(v)) return "NULL";
    if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.17g", *d);
        return buf;
    }
    return std::get<std::string>(v);
}

nlohmann::ordered_json ValueJson(const SqlValue& v) {
    if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
    if (const auto* n = std::get_if<int64_t>(&v)) return *n;
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::get<std::string>(v);
}

std::string KeyText(const SchemaTable& table, const std::vector<SqlValue>& key) {
    std::string text;
    for (size_t i = 0; i < key.size(); ++i) {
        if (i) text += ", ";
        text += std::string(table.key[i]) + "=" + ValueText(key[i]);
    }
    return text;
}

// SQLite's order of values: NULL, numbers, text; text byte by byte (memcmp, as std::string compares).
int Compare(const SqlValue& a, const SqlValue& b) {
    auto rank = [](const SqlValue& v) {
        return std::holds_alternative<std::nullptr_t>(v) ? 0 : std::holds_alternative<std::string>(v) ? 2 : 1;
    };
    const int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra == 0) return 0;
    if (ra == 2) {
        const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    const auto* ia = std::get_if<int64_t>(&a);
    const auto* ib = std::get_if<int64_t>(&b);
    if (ia && ib) return *ia < *ib ? -1 : *ia > *ib ? 1 : 0;
    const double da = ia ? double(*ia) : std::get<double>(a);
    const double db = ib ? double(*ib) : std::get<double>(b);
    return da < db ? -1 : da > db ? 1 : 0;
}

int CompareKeys(const std::vector<SqlValue>& a, const std::vector<SqlValue>& b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (const int c = Compare(a[i], b[i])) return c;
    }
    return 0;
}

std::string Canonical(const SqlRow& row) {
    std::string out;
    for (const SqlValue& v : row.columns) AppendCanonical(v, out);
    return out;
}

// INSERT of `rows` rows, ON CONFLICT DO NOTHING (a rerun never duplicates).
std::string InsertSql(const SchemaTable& table, size_t rows) {
    std::string sql = "INSERT INTO " + std::string(table.name) + " (";
    for (size_t i = 0; i < table.columns.size(); ++i) sql += (i ? ", " : "") + std::string(table.columns[i]);
    sql += ") VALUES ";
    size_t param = 1;
    for (size_t r = 0; r < rows; ++r) {
        sql += r ? ", (" : "(";
        for (size_t c = 0; c < table.columns.size(); ++c) sql += (c ? ", $" : "$") + std::to_string(param++);
        sql += ")";
    }
    sql += " ON CONFLICT DO NOTHING";
    return sql;
}

// Inserts `rows` in one transaction; returns how many the target did not already have.
Result<int64_t> InsertBatch(Database& target, const SchemaTable& table, const std::vector<SqlRow>& rows) {
    const size_t columns = table.columns.size();
    const size_t per_statement = target.Dialect() == "postgresql"
                                     ? std::max<size_t>(1, kPostgresParamsPerStatement / columns)
                                     : kSqliteRowsPerStatement;
    int64_t inserted = 0;
    std::vector<SqlValue> params;
    const Status s = target.Transaction([&](SqlSession& sql) -> Status {
        inserted = 0;
        for (size_t start = 0; start < rows.size(); start += per_statement) {
            const size_t n = std::min(per_statement, rows.size() - start);
            params.clear();
            params.reserve(n * columns);
            for (size_t r = start; r < start + n; ++r) {
                params.insert(params.end(), rows[r].columns.begin(), rows[r].columns.end());
            }
            auto changed = sql.Execute(InsertSql(table, n), std::span<const SqlValue>(params));
            if (!changed) return changed.error();
            inserted += *changed;
        }
        return {};
    });
    if (!s) return Error{s.error().code, std::string(table.name) + ": " + s.error().message};
    return inserted;
}

ProgressUpdate TableUpdate(std::string_view phase, const TableReport& r, int64_t done, int64_t bytes) {
    return {.phase = phase,
            .table = r.table,
            .unit = "rows",
            .done = done,
            .total = r.source_rows,
            .bytes = bytes};
}

class Migration final {
public:
    Migration(Database& source, Database& target, const DbMigrationOptions& options,
              MigrationProgress* progress)
        : source_(source), target_(target), options_(options), progress_(progress) {}

    Result<DbMigrationReport> Run() {
        if (options_.batch_rows < 1) return Error::InvalidArgument("the batch size must be at least 1 row");
        const int latest = int(store::SchemaMigrations().size());
        // The source is read in one snapshot from start to end of the copy: the copy is consistent
        // even while the service still writes (foreign keys included), and is never changed.
        Status s = source_.Read([&](SqlSession& src) -> Status {
            auto version = VersionOf(source_, src);
            if (!version) return version.error();
            if (*version != latest) return SourceVersionError(*version, latest);
            auto side = Inspect(source_, src);
            if (!side) return side.error();
            source_side_ = *side;
            if (Status t = PrepareTarget(latest); !t) return t;
            for (const SchemaTable& table : store::SchemaTables()) {
                report_.tables.push_back({.table = std::string(table.name)});
                auto s_sql = BuildTableSql(src, source_side_, table);
                if (!s_sql) return s_sql.error();
                source_sql_.push_back(std::move(*s_sql));
            }
            if (Status t = target_.Read([&](SqlSession& tgt) -> Status {
                    for (const SchemaTable& table : store::SchemaTables()) {
                        auto t_sql = BuildTableSql(tgt, target_side_, table);
                        if (!t_sql) return t_sql.error();
                        target_sql_.push_back(std::move(*t_sql));
                    }
                    return {};
                });
                !t) {
                return t;
            }
            report_.schema_version = latest;
            if (options_.copy) {
                if (Status c = Copy(src); !c) return c;
            }
            return {};
        });
        if (!s) return s.error();
        if ((options_.verify || !options_.copy) && !report_.interrupted) {
            if (Status v = Verify(); !v) return v.error();
        }
        return std::move(report_);
    }

private:
    static Error SourceVersionError(int version, int latest) {
        if (version == 0) {
            return Error::NotFound("the source database has no amapiano schema (is the URL right?)");
        }
        if (version > latest) {
            return Error::Unsupported("the source database's schema version " + std::to_string(version) +
                                      " is newer than this binary's " + std::to_string(latest) +
                                      ": use the amapiano release that wrote it");
        }
        return Error::Unsupported(
            "the source database is at schema version " + std::to_string(version) + ", this binary's is " +
            std::to_string(latest) +
            ": start the service on the source once (it upgrades the schema at start-up), or use the "
            "amapiano release that matches it; migrate never changes the source");
    }

    // Copying: the target gets the schema. Verifying only: nothing is written, so it must have it.
    Status PrepareTarget(int latest) {
        if (options_.copy) {
            auto migrated = store::Migrate(target_, store::SchemaMigrations());
            if (!migrated)
                return Error{migrated.error().code, "the target database: " + migrated.error().message};
        }
        return target_.Read([&](SqlSession& tgt) -> Status {
            auto version = VersionOf(target_, tgt);
            if (!version) return version.error();
            if (*version == 0) {
                return Error::NotFound("the target database has no amapiano schema: nothing to verify");
            }
            if (*version != latest) {
                return Error::Unsupported("the target database is at schema version " +
                                          std::to_string(*version) + ", not " + std::to_string(latest) +
                                          ": there is nothing comparable to verify (copy first)");
            }
            auto side = Inspect(target_, tgt);
            if (!side) return side.error();
            target_side_ = *side;
            return {};
        });
    }

    Status Copy(SqlSession& src) {
        const auto start = Clock::now();
        report_.copied = true;
        if (progress_) progress_->StartPhase("copy");
        for (size_t i = 0; i < report_.tables.size() && !report_.interrupted; ++i) {
            if (Status s = CopyTable(src, source_sql_[i], target_sql_[i], report_.tables[i]); !s) return s;
        }
        report_.copy_seconds = SecondsSince(start);
        return {};
    }

    Status CopyTable(SqlSession& src, const TableSql& s_sql, const TableSql& t_sql, TableReport& r) {
        const SchemaTable& table = *s_sql.table;
        auto source_rows = CountRows(src, s_sql);
        if (!source_rows) return source_rows.error();
        r.source_rows = *source_rows;
        // Where an earlier run stopped: rows go in key order and each batch is atomic, so everything up
        // to the target's largest key is there.
        std::vector<SqlValue> after;
        if (Status s = target_.Read([&](SqlSession& tgt) -> Status {
                auto present = CountRows(tgt, t_sql);
                if (!present) return present.error();
                r.rows_present = *present;
                auto last = tgt.Query(t_sql.last_key);
                if (!last) return last.error();
                if (!last->empty()) after = last->front().columns;
                return {};
            });
            !s) {
            return s;
        }
        if (progress_) progress_->Update(TableUpdate("copy", r, r.rows_present, report_.bytes_copied));
        int64_t limit = options_.batch_rows;
        RowReader reader(src, s_sql, after);
        while (true) {
            if (options_.max_batches > 0 && report_.batches >= options_.max_batches) {
                report_.interrupted = true;
                break;
            }
            auto rows = reader.Next(limit);
            if (!rows) return rows.error();
            if (rows->empty()) break;
            int64_t bytes = 0;
            for (const SqlRow& row : *rows) bytes += BytesOf(row);
            auto inserted = InsertBatch(target_, table, *rows);
            if (!inserted) return inserted.error();
            r.rows_copied += *inserted;
            r.rows_conflicted += int64_t(rows->size()) - *inserted;
            r.bytes_copied += bytes;
            r.batches++;
            report_.rows_copied += *inserted;
            report_.bytes_copied += bytes;
            report_.batches++;
            const bool last_batch = int64_t(rows->size()) < limit;
            // Large rows: keep a batch near batch_bytes in memory.
            limit = BatchLimit(options_.batch_rows, options_.batch_bytes, bytes / int64_t(rows->size()));
            if (progress_) {
                progress_->Update(TableUpdate("copy", r, r.rows_present + r.rows_copied + r.rows_conflicted,
                                              report_.bytes_copied));
            }
            if (last_batch) break;
        }
        if (Status s = reader.Close(); !s) return s;
        if (progress_) {
            progress_->Finish(TableUpdate("copy", r, r.rows_present + r.rows_copied + r.rows_conflicted,
                                          report_.bytes_copied));
            if (r.rows_conflicted > 0) {
                progress_->Warning({{"table", r.table}, {"rows_conflicted", r.rows_conflicted}},
                                   r.table + ": " + std::to_string(r.rows_conflicted) +
                                       " rows clashed with rows already in the target, which were kept");
            }
            const int64_t target_rows = r.rows_present + r.rows_copied;
            if (!report_.interrupted && target_rows != r.source_rows) {
                progress_->Warning(
                    {{"table", r.table}, {"source_rows", r.source_rows}, {"target_rows", target_rows}},
                    r.table + ": the source has " + std::to_string(r.source_rows) + " rows, the target now " +
                        std::to_string(target_rows) + " (verify lists the differences)");
            }
        }
        return {};
    }

    // A table's rows one by one, in key order, within a snapshot.
    class Cursor final {
    public:
        Cursor(SqlSession& sql, const TableSql& t, int64_t batch) : reader_(sql, t, {}), batch_(batch) {}

        // The current row, or null at the end.
        Result<const SqlRow*> Peek() {
            if (pos_ == rows_.size() && !done_) {
                auto next = reader_.Next(batch_);
                if (!next) return next.error();
                rows_ = std::move(*next);
                pos_ = 0;
                done_ = int64_t(rows_.size()) < batch_;
            }
            return pos_ < rows_.size() ? &rows_[pos_] : nullptr;
        }
        void Advance() { ++pos_; }
        Status Close() { return reader_.Close(); }

    private:
        RowReader reader_;
        const int64_t batch_;
        std::vector<SqlRow> rows_;
        size_t pos_ = 0;
        bool done_ = false;
    };

    Status Verify() {
        const auto start = Clock::now();
        report_.verified = true;
        if (progress_) progress_->StartPhase("verify");
        int64_t bytes = 0;
        // One snapshot on each side for the whole comparison.
        const Status s = source_.Read([&](SqlSession& src) -> Status {
            return target_.Read([&](SqlSession& tgt) -> Status {
                for (size_t i = 0; i < report_.tables.size(); ++i) {
                    if (Status t = VerifyTable(src, tgt, i, bytes); !t) return t;
                }
                return {};
            });
        });
        report_.verify_seconds = SecondsSince(start);
        return s;
    }

    void Record(TableReport& r, RowDifferenceKind kind, const SchemaTable& table, std::vector<SqlValue> key) {
        int64_t& count = kind == RowDifferenceKind::kMissingInTarget ? r.missing_in_target
                         : kind == RowDifferenceKind::kExtraInTarget ? r.extra_in_target
                                                                     : r.differing;
        ++count;
        if (r.differences.size() >= options_.max_listed_keys) return;
        RowDifference d{kind, std::move(key), {}};
        d.key_text = KeyText(table, d.key);
        if (progress_) {
            nlohmann::ordered_json key_json = nlohmann::ordered_json::object();
            for (size_t i = 0; i < d.key.size(); ++i)
                key_json[std::string(table.key[i])] = ValueJson(d.key[i]);
            progress_->Mismatch({{"kind", "row"},
                                 {"table", r.table},
                                 {"difference", RowDifferenceName(kind)},
                                 {"key", key_json}},
                                r.table + ": " + std::string(RowDifferenceName(kind)) + ": " + d.key_text);
        }
        r.differences.push_back(std::move(d));
    }

    Status VerifyTable(SqlSession& src, SqlSession& tgt, size_t i, int64_t& bytes) {
        TableReport& r = report_.tables[i];
        const SchemaTable& table = *source_sql_[i].table;
        const int64_t batch = options_.batch_rows;
        auto total = CountRows(src, source_sql_[i]);
        if (!total) return total.error();
        if (!report_.copied) r.source_rows = *total;
        Cursor a(src, source_sql_[i], batch), b(tgt, target_sql_[i], batch);
        store::Sha256Hasher source_sha, target_sha;
        std::string ca, cb;
        int64_t done = 0;
        uint32_t steps = 0;
        ProgressUpdate update{.phase = "verify", .table = r.table, .unit = "rows", .total = *total};
        while (true) {
            auto ra = a.Peek();
            if (!ra) return ra.error();
            auto rb = b.Peek();
            if (!rb) return rb.error();
            const SqlRow* x = *ra;
            const SqlRow* y = *rb;
            if (!x && !y) break;
            int order = 0;
            if (!x) {
                order = 1;
            } else if (!y) {
                order = -1;
            } else {
                order = CompareKeys(KeyOf(source_sql_[i], *x), KeyOf(target_sql_[i], *y));
            }
            if (order <= 0) {
                ca = Canonical(*x);
                source_sha.Update(ca.data(), ca.size());
                r.verified_source_rows++;
                bytes += int64_t(ca.size());
                ++done;
            }
            if (order >= 0) {
                cb = Canonical(*y);
                target_sha.Update(cb.data(), cb.size());
                r.verified_target_rows++;
            }
            if (order < 0) {
                Record(r, RowDifferenceKind::kMissingInTarget, table, KeyOf(source_sql_[i], *x));
                a.Advance();
            } else if (order > 0) {
                Record(r, RowDifferenceKind::kExtraInTarget, table, KeyOf(target_sql_[i], *y));
                b.Advance();
            } else {
                if (ca != cb) Record(r, RowDifferenceKind::kDiffers, table, KeyOf(source_sql_[i], *x));
                a.Advance();
                b.Advance();
            }
            if (progress_ && (++steps & 255) == 0) {
                update.done = done;
                update.bytes = bytes;
                progress_->Update(update);
            }
        }
        if (Status closed = a.Close(); !closed) return closed;
        if (Status closed = b.Close(); !closed) return closed;
        r.verified = true;
        r.source_sha256 = source_sha.HexDigest();
        r.target_sha256 = target_sha.HexDigest();
        if (progress_) {
            update.done = done;
            update.bytes = bytes;
            progress_->Finish(update);
            if (!r.Matches()) {
                progress_->Mismatch({{"kind", "table"},
                                     {"table", r.table},
                                     {"source_rows", r.verified_source_rows},
                                     {"target_rows", r.verified_target_rows},
                                     {"source_sha256", r.source_sha256},
                                     {"target_sha256", r.target_sha256},
                                     {"missing_in_target", r.missing_in_target},
                                     {"extra_in_target", r.extra_in_target},
                                     {"differing", r.differing}},
                                    r.table + ": " + std::to_string(r.verified_source_rows) +
                                        " rows in the source, " + std::to_string(r.verified_target_rows) +
                                        " in the target; " + std::to_string(r.missing_in_target) +
                                        " missing in the target, " + std::to_string(r.extra_in_target) +
                                        " extra, " + std::to_string(r.differing) +
                                        " differ; checksums differ");
            }
        }
        return {};
    }

    Database& source_;
    Database& target_;
    const DbMigrationOptions& options_;
    MigrationProgress* progress_;
    Side source_side_, target_side_;
    std::vector<TableSql> source_sql_, target_sql_;
    DbMigrationReport report_;
};

}  // namespace

std::string_view RowDifferenceName(RowDifferenceKind kind) {
    switch (kind) {
        case RowDifferenceKind::kMissingInTarget: return "missing_in_target";
        case RowDifferenceKind::kExtraInTarget: return "extra_in_target";
        case RowDifferenceKind::kDiffers: return "differs";
    }
    return "differs";
}

bool DbMigrationReport::Ok() const {
    return std::all_of(tables.begin(), tables.end(),
                       [](const TableReport& t) { return !t.verified || t.Matches(); });
}

void AppendCanonical(const SqlValue& value, std::string& out) {
    if (std::holds_alternative<std::nullptr_t>(value)) {
        out += 'n';
    } else if (const auto* n = std::get_if<int64_t>(&value)) {
        out += 'i';
        out += std::to_string(*n);
        out += ';';
    } else if (const auto* d = std::get_if<double>(&value)) {
        char buf[40];
        std::snprintf(buf, sizeof(buf), "r%.17g;", *d);
        out += buf;
    } else {
        const std::string& s = std::get<std::string>(value);
        out += 't';
        out += std::to_string(s.size());
        out += ':';
        out += s;
    }
}

Result<DbMigrationReport> MigrateDatabase(store::Database& source, store::Database& target,
                                          const DbMigrationOptions& options, MigrationProgress* progress) {
    return Migration(source, target, options, progress).Run();
}

}  // namespace amapiano::ops
