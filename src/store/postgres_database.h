// PostgreSQL backend of Database (libpq): the production store (RDS in the AWS plan).
//
// A pool of connections, each with its statements prepared once (PQprepare, named by a counter) and
// reused; parameters travel as text and PostgreSQL infers their types from the statement, so the same
// `$1` SQL serves SQLite and PostgreSQL. Transactions are READ COMMITTED; Read() is a REPEATABLE READ
// READ ONLY snapshot. A broken connection is reset before its next use.
//
//   Result<std::unique_ptr<Database>> db = OpenPostgres("postgresql://amapiano:pw@db:5432/amapiano");
//
// Errors: SQLSTATE class 23 (unique, foreign key) is kConflict; serialization failures, deadlocks and
// connection loss (class 08) are kUnavailable; syntax and undefined objects (class 42) are kInternal;
// anything else kIo. Opening: kUnavailable when the server cannot be reached, kInvalidArgument for a
// malformed URL.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

namespace amapiano::store {

struct PostgresOptions final {
    int connections = 4;
    int connect_timeout_s = 10;
};

// `url`: postgresql://user:password@host:port/dbname?sslmode=... (any libpq connection string works).
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const PostgresOptions& options = {});

}  // namespace amapiano::store
