// Opening a database by URL, the way operators name it: `sqlite:///var/lib/amapiano/amapiano.sqlite3`
// (the embedded store; `sqlite://relative/path` is relative to the working directory) or
// `postgresql://user:password@host:5432/dbname?sslmode=require` (also `postgres://`).
//
//   Result<std::unique_ptr<Database>> db = OpenDatabaseUrl("postgresql://amapiano@db/amapiano");
//   log.Info("database", {{"url", RedactDatabaseUrl(url)}});   // never log the password
//
// Platforms that hand out the parts separately (ECS with Secrets Manager: DB_HOST, DB_PORT, DB_NAME,
// DB_USER, DB_PASSWORD) get a URL from PostgresUrlFromParts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"

namespace amapiano::store {

struct DatabaseUrlOptions final {
    int connections = 4;  // pool size
    int connect_timeout_s = 10;
};

// Errors: kInvalidArgument for a URL of another scheme (naming the accepted ones), else the backend's.
Result<std::unique_ptr<Database>> OpenDatabaseUrl(std::string_view url,
                                                  const DatabaseUrlOptions& options = {});

// "sqlite", "postgresql", or "" for anything else.
std::string_view DatabaseUrlScheme(std::string_view url);

// For an sqlite URL, the file path it names ("" otherwise).
std::string SqlitePathOf(std::string_view url);

struct PostgresParts final {
    std::string host;
    std::string port;  // "" → 5432
    std::string name;  // "" → amapiano
    std::string user;  // "" → amapiano
    std::string password;
    std::string sslmode;  // "" → libpq's default (prefer)
};

// postgresql://user:password@host:port/name[?sslmode=...], user and password percent-encoded.
std::string PostgresUrlFromParts(const PostgresParts& parts);

// The URL with any password replaced by "***".
std::string RedactDatabaseUrl(std::string_view url);

}  // namespace amapiano::store
